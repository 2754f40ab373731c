from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PublicChange")


@_attrs_define
class PublicChange:
    """A change of a recognition's status, with its public reason.

    Attributes:
        on (datetime.date):
        reason (str):
        reason_code (str):
        status (str):
    """

    on: datetime.date
    reason: str
    reason_code: str
    status: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        on = self.on.isoformat()

        reason = self.reason

        reason_code = self.reason_code

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "on": on,
                "reason": reason,
                "reason_code": reason_code,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        on = datetime.date.fromisoformat(d.pop("on"))

        reason = d.pop("reason")

        reason_code = d.pop("reason_code")

        status = d.pop("status")

        public_change = cls(
            on=on,
            reason=reason,
            reason_code=reason_code,
            status=status,
        )

        public_change.additional_properties = d
        return public_change

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
