from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ClockPublic")


@_attrs_define
class ClockPublic:
    """The time this process reasons with.

    Attributes:
        adjustable (bool): Whether the clock may be moved (development, test)
        now (datetime.datetime):
        offset (str): Shift from the wall clock (ISO 8601 duration)
        today (datetime.date):
    """

    adjustable: bool
    now: datetime.datetime
    offset: str
    today: datetime.date
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        adjustable = self.adjustable

        now = self.now.isoformat()

        offset = self.offset

        today = self.today.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "adjustable": adjustable,
                "now": now,
                "offset": offset,
                "today": today,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        adjustable = d.pop("adjustable")

        now = datetime.datetime.fromisoformat(d.pop("now"))

        offset = d.pop("offset")

        today = datetime.date.fromisoformat(d.pop("today"))

        clock_public = cls(
            adjustable=adjustable,
            now=now,
            offset=offset,
            today=today,
        )

        clock_public.additional_properties = d
        return clock_public

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
