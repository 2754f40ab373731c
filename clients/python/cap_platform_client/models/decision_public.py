from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DecisionPublic")


@_attrs_define
class DecisionPublic:
    """The body's certification decision, as recorded.

    Attributes:
        certificate_number (None | str):
        decided_by (str):
        decided_on (datetime.date):
        excluded_member_ids (list[str]):
        outcome (str):
        reason (None | str):
        recorded_at (datetime.datetime | None):
        scope (None | str):
        open_major_nc (int | Unset): Majors of the audit not verified closed when the decision was recorded: the
            certificate takes effect only once they are Default: 0.
    """

    certificate_number: None | str
    decided_by: str
    decided_on: datetime.date
    excluded_member_ids: list[str]
    outcome: str
    reason: None | str
    recorded_at: datetime.datetime | None
    scope: None | str
    open_major_nc: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        certificate_number: None | str
        certificate_number = self.certificate_number

        decided_by = self.decided_by

        decided_on = self.decided_on.isoformat()

        excluded_member_ids = self.excluded_member_ids

        outcome = self.outcome

        reason: None | str
        reason = self.reason

        recorded_at: None | str
        if isinstance(self.recorded_at, datetime.datetime):
            recorded_at = self.recorded_at.isoformat()
        else:
            recorded_at = self.recorded_at

        scope: None | str
        scope = self.scope

        open_major_nc = self.open_major_nc

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "certificate_number": certificate_number,
                "decided_by": decided_by,
                "decided_on": decided_on,
                "excluded_member_ids": excluded_member_ids,
                "outcome": outcome,
                "reason": reason,
                "recorded_at": recorded_at,
                "scope": scope,
            }
        )
        if open_major_nc is not UNSET:
            field_dict["open_major_nc"] = open_major_nc

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_certificate_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        certificate_number = _parse_certificate_number(d.pop("certificate_number"))

        decided_by = d.pop("decided_by")

        decided_on = datetime.date.fromisoformat(d.pop("decided_on"))

        excluded_member_ids = cast(list[str], d.pop("excluded_member_ids"))

        outcome = d.pop("outcome")

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        def _parse_recorded_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                recorded_at_type_0 = datetime.datetime.fromisoformat(data)

                return recorded_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        recorded_at = _parse_recorded_at(d.pop("recorded_at"))

        def _parse_scope(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        scope = _parse_scope(d.pop("scope"))

        open_major_nc = d.pop("open_major_nc", UNSET)

        decision_public = cls(
            certificate_number=certificate_number,
            decided_by=decided_by,
            decided_on=decided_on,
            excluded_member_ids=excluded_member_ids,
            outcome=outcome,
            reason=reason,
            recorded_at=recorded_at,
            scope=scope,
            open_major_nc=open_major_nc,
        )

        decision_public.additional_properties = d
        return decision_public

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
