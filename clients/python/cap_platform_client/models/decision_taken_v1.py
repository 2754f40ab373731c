from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.decision_taken_v1_kind import DecisionTakenV1Kind
from ..models.decision_taken_v1_outcome import DecisionTakenV1Outcome
from ..models.decision_taken_v1_scheme import DecisionTakenV1Scheme
from ..types import UNSET, Unset

T = TypeVar("T", bound="DecisionTakenV1")


@_attrs_define
class DecisionTakenV1:
    """The committee's decision on a CAP RSE file (the body's CAP ISO 9001 decision is
    ``certification.decided.v1``). A refusal or a granted level may be appealed until
    ``appeal_until``; a deferral says what the committee waits for.

        Attributes:
            decided_on (datetime.date):
            decision_id (str):
            kind (DecisionTakenV1Kind):
            organisation_id (str):
            outcome (DecisionTakenV1Outcome):
            scheme (DecisionTakenV1Scheme):
            appeal_until (datetime.date | None | Unset): Last day to appeal a refusal or a granted level
            computed_level (None | str | Unset): The level the rule gives
            group_member_ids (list[str] | Unset):
            level (None | str | Unset): The level granted
            reason (None | str | Unset):
    """

    decided_on: datetime.date
    decision_id: str
    kind: DecisionTakenV1Kind
    organisation_id: str
    outcome: DecisionTakenV1Outcome
    scheme: DecisionTakenV1Scheme
    appeal_until: datetime.date | None | Unset = UNSET
    computed_level: None | str | Unset = UNSET
    group_member_ids: list[str] | Unset = UNSET
    level: None | str | Unset = UNSET
    reason: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        decided_on = self.decided_on.isoformat()

        decision_id = self.decision_id

        kind = self.kind.value

        organisation_id = self.organisation_id

        outcome = self.outcome.value

        scheme = self.scheme.value

        appeal_until: None | str | Unset
        if isinstance(self.appeal_until, Unset):
            appeal_until = UNSET
        elif isinstance(self.appeal_until, datetime.date):
            appeal_until = self.appeal_until.isoformat()
        else:
            appeal_until = self.appeal_until

        computed_level: None | str | Unset
        if isinstance(self.computed_level, Unset):
            computed_level = UNSET
        else:
            computed_level = self.computed_level

        group_member_ids: list[str] | Unset = UNSET
        if not isinstance(self.group_member_ids, Unset):
            group_member_ids = self.group_member_ids

        level: None | str | Unset
        if isinstance(self.level, Unset):
            level = UNSET
        else:
            level = self.level

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "decided_on": decided_on,
                "decision_id": decision_id,
                "kind": kind,
                "organisation_id": organisation_id,
                "outcome": outcome,
                "scheme": scheme,
            }
        )
        if appeal_until is not UNSET:
            field_dict["appeal_until"] = appeal_until
        if computed_level is not UNSET:
            field_dict["computed_level"] = computed_level
        if group_member_ids is not UNSET:
            field_dict["group_member_ids"] = group_member_ids
        if level is not UNSET:
            field_dict["level"] = level
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        decided_on = datetime.date.fromisoformat(d.pop("decided_on"))

        decision_id = d.pop("decision_id")

        kind = DecisionTakenV1Kind(d.pop("kind"))

        organisation_id = d.pop("organisation_id")

        outcome = DecisionTakenV1Outcome(d.pop("outcome"))

        scheme = DecisionTakenV1Scheme(d.pop("scheme"))

        def _parse_appeal_until(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                appeal_until_type_0 = datetime.date.fromisoformat(data)

                return appeal_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        appeal_until = _parse_appeal_until(d.pop("appeal_until", UNSET))

        def _parse_computed_level(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        computed_level = _parse_computed_level(d.pop("computed_level", UNSET))

        group_member_ids = cast(list[str], d.pop("group_member_ids", UNSET))

        def _parse_level(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        level = _parse_level(d.pop("level", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        decision_taken_v1 = cls(
            decided_on=decided_on,
            decision_id=decision_id,
            kind=kind,
            organisation_id=organisation_id,
            outcome=outcome,
            scheme=scheme,
            appeal_until=appeal_until,
            computed_level=computed_level,
            group_member_ids=group_member_ids,
            level=level,
            reason=reason,
        )

        decision_taken_v1.additional_properties = d
        return decision_taken_v1

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
