from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="QuietHoursPeriod")


@_attrs_define
class QuietHoursPeriod:
    """Quiet hours: from ``start`` to ``end``, local time (``HH:MM``; may span midnight).

    Attributes:
        end (str):
        start (str):
    """

    end: str
    start: str

    def to_dict(self) -> dict[str, Any]:
        end = self.end

        start = self.start

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "end": end,
                "start": start,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        end = d.pop("end")

        start = d.pop("start")

        quiet_hours_period = cls(
            end=end,
            start=start,
        )

        return quiet_hours_period
