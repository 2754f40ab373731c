from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AppealPublic")


@_attrs_define
class AppealPublic:
    """An appeal against a finding and its outcome.

    Attributes:
        decided_at (datetime.datetime | None):
        decided_by (None | str):
        decision_reason (None | str):
        id (str):
        lodged_at (datetime.datetime):
        lodged_by (str):
        outcome (None | str):
        reason (str):
        status_before (str):
    """

    decided_at: datetime.datetime | None
    decided_by: None | str
    decision_reason: None | str
    id: str
    lodged_at: datetime.datetime
    lodged_by: str
    outcome: None | str
    reason: str
    status_before: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        decided_at: None | str
        if isinstance(self.decided_at, datetime.datetime):
            decided_at = self.decided_at.isoformat()
        else:
            decided_at = self.decided_at

        decided_by: None | str
        decided_by = self.decided_by

        decision_reason: None | str
        decision_reason = self.decision_reason

        id = self.id

        lodged_at = self.lodged_at.isoformat()

        lodged_by = self.lodged_by

        outcome: None | str
        outcome = self.outcome

        reason = self.reason

        status_before = self.status_before

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "decided_at": decided_at,
                "decided_by": decided_by,
                "decision_reason": decision_reason,
                "id": id,
                "lodged_at": lodged_at,
                "lodged_by": lodged_by,
                "outcome": outcome,
                "reason": reason,
                "status_before": status_before,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_decided_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_at_type_0 = datetime.datetime.fromisoformat(data)

                return decided_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        decided_at = _parse_decided_at(d.pop("decided_at"))

        def _parse_decided_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decided_by = _parse_decided_by(d.pop("decided_by"))

        def _parse_decision_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decision_reason = _parse_decision_reason(d.pop("decision_reason"))

        id = d.pop("id")

        lodged_at = datetime.datetime.fromisoformat(d.pop("lodged_at"))

        lodged_by = d.pop("lodged_by")

        def _parse_outcome(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        outcome = _parse_outcome(d.pop("outcome"))

        reason = d.pop("reason")

        status_before = d.pop("status_before")

        appeal_public = cls(
            decided_at=decided_at,
            decided_by=decided_by,
            decision_reason=decision_reason,
            id=id,
            lodged_at=lodged_at,
            lodged_by=lodged_by,
            outcome=outcome,
            reason=reason,
            status_before=status_before,
        )

        appeal_public.additional_properties = d
        return appeal_public

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
