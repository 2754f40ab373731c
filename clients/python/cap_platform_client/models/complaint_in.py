from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ComplaintIn")


@_attrs_define
class ComplaintIn:
    """
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

        complaint_in = cls(
            email=email,
            message=message,
            name=name,
        )

        return complaint_in
