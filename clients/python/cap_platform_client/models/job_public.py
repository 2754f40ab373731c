from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="JobPublic")


@_attrs_define
class JobPublic:
    """A periodic job of this service and its last run (whichever process ran it).

    Attributes:
        interval_s (float): How often the worker runs it
        name (str):
        last_run_at (datetime.datetime | None | Unset): When its last run started, on the clock it ran with; null if it
            never ran
        last_run_duration_ms (int | None | Unset): How long its last run took
        last_run_error (None | str | Unset): Why its last run failed; null if it succeeded or never ran
        last_run_items (int | None | Unset): What its last run reported; null if it failed or never ran
        last_success_at (datetime.datetime | None | Unset): When it last ran without failing; null if it never did
    """

    interval_s: float
    name: str
    last_run_at: datetime.datetime | None | Unset = UNSET
    last_run_duration_ms: int | None | Unset = UNSET
    last_run_error: None | str | Unset = UNSET
    last_run_items: int | None | Unset = UNSET
    last_success_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        interval_s = self.interval_s

        name = self.name

        last_run_at: None | str | Unset
        if isinstance(self.last_run_at, Unset):
            last_run_at = UNSET
        elif isinstance(self.last_run_at, datetime.datetime):
            last_run_at = self.last_run_at.isoformat()
        else:
            last_run_at = self.last_run_at

        last_run_duration_ms: int | None | Unset
        if isinstance(self.last_run_duration_ms, Unset):
            last_run_duration_ms = UNSET
        else:
            last_run_duration_ms = self.last_run_duration_ms

        last_run_error: None | str | Unset
        if isinstance(self.last_run_error, Unset):
            last_run_error = UNSET
        else:
            last_run_error = self.last_run_error

        last_run_items: int | None | Unset
        if isinstance(self.last_run_items, Unset):
            last_run_items = UNSET
        else:
            last_run_items = self.last_run_items

        last_success_at: None | str | Unset
        if isinstance(self.last_success_at, Unset):
            last_success_at = UNSET
        elif isinstance(self.last_success_at, datetime.datetime):
            last_success_at = self.last_success_at.isoformat()
        else:
            last_success_at = self.last_success_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "interval_s": interval_s,
                "name": name,
            }
        )
        if last_run_at is not UNSET:
            field_dict["last_run_at"] = last_run_at
        if last_run_duration_ms is not UNSET:
            field_dict["last_run_duration_ms"] = last_run_duration_ms
        if last_run_error is not UNSET:
            field_dict["last_run_error"] = last_run_error
        if last_run_items is not UNSET:
            field_dict["last_run_items"] = last_run_items
        if last_success_at is not UNSET:
            field_dict["last_success_at"] = last_success_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        interval_s = d.pop("interval_s")

        name = d.pop("name")

        def _parse_last_run_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_run_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_run_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_run_at = _parse_last_run_at(d.pop("last_run_at", UNSET))

        def _parse_last_run_duration_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_run_duration_ms = _parse_last_run_duration_ms(d.pop("last_run_duration_ms", UNSET))

        def _parse_last_run_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_run_error = _parse_last_run_error(d.pop("last_run_error", UNSET))

        def _parse_last_run_items(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_run_items = _parse_last_run_items(d.pop("last_run_items", UNSET))

        def _parse_last_success_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_success_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_success_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_success_at = _parse_last_success_at(d.pop("last_success_at", UNSET))

        job_public = cls(
            interval_s=interval_s,
            name=name,
            last_run_at=last_run_at,
            last_run_duration_ms=last_run_duration_ms,
            last_run_error=last_run_error,
            last_run_items=last_run_items,
            last_success_at=last_success_at,
        )

        job_public.additional_properties = d
        return job_public

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
