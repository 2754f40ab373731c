from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LabellingAppealPublic")


@_attrs_define
class LabellingAppealPublic:
    """An appeal of a decision file, with the decision it was lodged against.

    Attributes:
        decided_at (datetime.datetime | None):
        decided_by (None | str):
        decision_decided_by (None | str):
        decision_decided_on (datetime.date | None):
        decision_level (None | str):
        decision_status (str):
        id (str):
        lodged_at (datetime.datetime):
        lodged_by (str):
        outcome_reason (None | str):
        reason (str):
        round_ (int):
        status (str):
    """

    decided_at: datetime.datetime | None
    decided_by: None | str
    decision_decided_by: None | str
    decision_decided_on: datetime.date | None
    decision_level: None | str
    decision_status: str
    id: str
    lodged_at: datetime.datetime
    lodged_by: str
    outcome_reason: None | str
    reason: str
    round_: int
    status: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        decided_at: None | str
        if isinstance(self.decided_at, datetime.datetime):
            decided_at = self.decided_at.isoformat()
        else:
            decided_at = self.decided_at

        decided_by: None | str
        decided_by = self.decided_by

        decision_decided_by: None | str
        decision_decided_by = self.decision_decided_by

        decision_decided_on: None | str
        if isinstance(self.decision_decided_on, datetime.date):
            decision_decided_on = self.decision_decided_on.isoformat()
        else:
            decision_decided_on = self.decision_decided_on

        decision_level: None | str
        decision_level = self.decision_level

        decision_status = self.decision_status

        id = self.id

        lodged_at = self.lodged_at.isoformat()

        lodged_by = self.lodged_by

        outcome_reason: None | str
        outcome_reason = self.outcome_reason

        reason = self.reason

        round_ = self.round_

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "decided_at": decided_at,
                "decided_by": decided_by,
                "decision_decided_by": decision_decided_by,
                "decision_decided_on": decision_decided_on,
                "decision_level": decision_level,
                "decision_status": decision_status,
                "id": id,
                "lodged_at": lodged_at,
                "lodged_by": lodged_by,
                "outcome_reason": outcome_reason,
                "reason": reason,
                "round": round_,
                "status": status,
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

        def _parse_decision_decided_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decision_decided_by = _parse_decision_decided_by(d.pop("decision_decided_by"))

        def _parse_decision_decided_on(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decision_decided_on_type_0 = datetime.date.fromisoformat(data)

                return decision_decided_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        decision_decided_on = _parse_decision_decided_on(d.pop("decision_decided_on"))

        def _parse_decision_level(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decision_level = _parse_decision_level(d.pop("decision_level"))

        decision_status = d.pop("decision_status")

        id = d.pop("id")

        lodged_at = datetime.datetime.fromisoformat(d.pop("lodged_at"))

        lodged_by = d.pop("lodged_by")

        def _parse_outcome_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        outcome_reason = _parse_outcome_reason(d.pop("outcome_reason"))

        reason = d.pop("reason")

        round_ = d.pop("round")

        status = d.pop("status")

        labelling_appeal_public = cls(
            decided_at=decided_at,
            decided_by=decided_by,
            decision_decided_by=decision_decided_by,
            decision_decided_on=decision_decided_on,
            decision_level=decision_level,
            decision_status=decision_status,
            id=id,
            lodged_at=lodged_at,
            lodged_by=lodged_by,
            outcome_reason=outcome_reason,
            reason=reason,
            round_=round_,
            status=status,
        )

        labelling_appeal_public.additional_properties = d
        return labelling_appeal_public

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
