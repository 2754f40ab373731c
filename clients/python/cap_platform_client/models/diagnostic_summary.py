from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.latest_diagnostic import LatestDiagnostic


T = TypeVar("T", bound="DiagnosticSummary")


@_attrs_define
class DiagnosticSummary:
    """The caller's organisation at a glance: its latest diagnostic and its open actions.

    Attributes:
        latest_diagnostic (LatestDiagnostic | None):
        next_due_date (datetime.date | None):
        open_actions (int):
    """

    latest_diagnostic: LatestDiagnostic | None
    next_due_date: datetime.date | None
    open_actions: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.latest_diagnostic import LatestDiagnostic  # noqa: PLC0415

        latest_diagnostic: dict[str, Any] | None
        if isinstance(self.latest_diagnostic, LatestDiagnostic):
            latest_diagnostic = self.latest_diagnostic.to_dict()
        else:
            latest_diagnostic = self.latest_diagnostic

        next_due_date: None | str
        if isinstance(self.next_due_date, datetime.date):
            next_due_date = self.next_due_date.isoformat()
        else:
            next_due_date = self.next_due_date

        open_actions = self.open_actions

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "latest_diagnostic": latest_diagnostic,
                "next_due_date": next_due_date,
                "open_actions": open_actions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.latest_diagnostic import LatestDiagnostic  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_latest_diagnostic(data: object) -> LatestDiagnostic | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                latest_diagnostic_type_0 = LatestDiagnostic.from_dict(data)

                return latest_diagnostic_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LatestDiagnostic | None, data)

        latest_diagnostic = _parse_latest_diagnostic(d.pop("latest_diagnostic"))

        def _parse_next_due_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_due_date_type_0 = datetime.date.fromisoformat(data)

                return next_due_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        next_due_date = _parse_next_due_date(d.pop("next_due_date"))

        open_actions = d.pop("open_actions")

        diagnostic_summary = cls(
            latest_diagnostic=latest_diagnostic,
            next_due_date=next_due_date,
            open_actions=open_actions,
        )

        diagnostic_summary.additional_properties = d
        return diagnostic_summary

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
