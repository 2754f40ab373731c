from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.appeal_decision_outcome import AppealDecisionOutcome

T = TypeVar("T", bound="AppealDecision")


@_attrs_define
class AppealDecision:
    """The outcome of an appeal, recorded by someone who took no part in the audit.

    Attributes:
        outcome (AppealDecisionOutcome): upheld: the finding stands; overturned: it is withdrawn; downgraded: a major
            becomes a minor
        reason (str):
    """

    outcome: AppealDecisionOutcome
    reason: str

    def to_dict(self) -> dict[str, Any]:
        outcome = self.outcome.value

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "outcome": outcome,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        outcome = AppealDecisionOutcome(d.pop("outcome"))

        reason = d.pop("reason")

        appeal_decision = cls(
            outcome=outcome,
            reason=reason,
        )

        return appeal_decision
