from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ClockUpdate")


@_attrs_define
class ClockUpdate:
    """Where to put this process's clock: an offset from the wall clock.

    Attributes:
        offset (float | str): Shift from the wall clock, within 3660 days either way: an ISO 8601 duration in days,
            hours, minutes and seconds (P45D, -PT2H, P1DT12H30M; no years, months or weeks) or a number of seconds; PT0S
            puts the clock back
    """

    offset: float | str

    def to_dict(self) -> dict[str, Any]:
        offset: float | str
        offset = self.offset

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "offset": offset,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_offset(data: object) -> float | str:
            return cast(float | str, data)

        offset = _parse_offset(d.pop("offset"))

        clock_update = cls(
            offset=offset,
        )

        return clock_update
