from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EventPreference")


@_attrs_define
class EventPreference:
    """The effective modes of one event type.

    Attributes:
        email (str):
        email_default (bool):
        in_app (str):
        in_app_default (bool):
    """

    email: str
    email_default: bool
    in_app: str
    in_app_default: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        email_default = self.email_default

        in_app = self.in_app

        in_app_default = self.in_app_default

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "email_default": email_default,
                "in_app": in_app,
                "in_app_default": in_app_default,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        email_default = d.pop("email_default")

        in_app = d.pop("in_app")

        in_app_default = d.pop("in_app_default")

        event_preference = cls(
            email=email,
            email_default=email_default,
            in_app=in_app,
            in_app_default=in_app_default,
        )

        event_preference.additional_properties = d
        return event_preference

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
