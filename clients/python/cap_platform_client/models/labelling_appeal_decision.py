from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.labelling_appeal_decision_outcome import LabellingAppealDecisionOutcome
from ..types import UNSET, Unset

T = TypeVar("T", bound="LabellingAppealDecision")


@_attrs_define
class LabellingAppealDecision:
    """The decision on an appeal: upheld, or overturned (with the certificate for an ISO
    refusal).

        Attributes:
            outcome (LabellingAppealDecisionOutcome):
            reason (str):
            certificate_number (None | str | Unset): CAP ISO 9001 refusal overturned: the body's certificate number
            scope (None | str | Unset):
    """

    outcome: LabellingAppealDecisionOutcome
    reason: str
    certificate_number: None | str | Unset = UNSET
    scope: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        outcome = self.outcome.value

        reason = self.reason

        certificate_number: None | str | Unset
        if isinstance(self.certificate_number, Unset):
            certificate_number = UNSET
        else:
            certificate_number = self.certificate_number

        scope: None | str | Unset
        if isinstance(self.scope, Unset):
            scope = UNSET
        else:
            scope = self.scope

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "outcome": outcome,
                "reason": reason,
            }
        )
        if certificate_number is not UNSET:
            field_dict["certificate_number"] = certificate_number
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        outcome = LabellingAppealDecisionOutcome(d.pop("outcome"))

        reason = d.pop("reason")

        def _parse_certificate_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        certificate_number = _parse_certificate_number(d.pop("certificate_number", UNSET))

        def _parse_scope(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scope = _parse_scope(d.pop("scope", UNSET))

        labelling_appeal_decision = cls(
            outcome=outcome,
            reason=reason,
            certificate_number=certificate_number,
            scope=scope,
        )

        return labelling_appeal_decision
