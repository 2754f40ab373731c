from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ComplaintCreate")


@_attrs_define
class ComplaintCreate:
    """A flag raised on a listed recognition, by anyone.

    Attributes:
        email (str):
        message (str):
        name (str):
    """

    email: str
    message: str
    name: str

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        message = self.message

        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "message": message,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        message = d.pop("message")

        name = d.pop("name")

        complaint_create = cls(
            email=email,
            message=message,
            name=name,
        )

        return complaint_create
