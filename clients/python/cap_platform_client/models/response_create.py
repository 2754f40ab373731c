from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.evidence import Evidence


T = TypeVar("T", bound="ResponseCreate")


@_attrs_define
class ResponseCreate:
    """The organisation's answer to a nonconformity.

    Attributes:
        action_due (datetime.date):
        correction (str):
        corrective_action (str):
        root_cause (str):
        evidence (list[Evidence] | Unset):
    """

    action_due: datetime.date
    correction: str
    corrective_action: str
    root_cause: str
    evidence: list[Evidence] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        action_due = self.action_due.isoformat()

        correction = self.correction

        corrective_action = self.corrective_action

        root_cause = self.root_cause

        evidence: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.evidence, Unset):
            evidence = []
            for evidence_item_data in self.evidence:
                evidence_item = evidence_item_data.to_dict()
                evidence.append(evidence_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action_due": action_due,
                "correction": correction,
                "corrective_action": corrective_action,
                "root_cause": root_cause,
            }
        )
        if evidence is not UNSET:
            field_dict["evidence"] = evidence

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.evidence import Evidence  # noqa: PLC0415

        d = dict(src_dict)
        action_due = datetime.date.fromisoformat(d.pop("action_due"))

        correction = d.pop("correction")

        corrective_action = d.pop("corrective_action")

        root_cause = d.pop("root_cause")

        _evidence = d.pop("evidence", UNSET)
        evidence: list[Evidence] | Unset = UNSET
        if _evidence is not UNSET:
            evidence = []
            for evidence_item_data in _evidence:
                evidence_item = Evidence.from_dict(evidence_item_data)

                evidence.append(evidence_item)

        response_create = cls(
            action_due=action_due,
            correction=correction,
            corrective_action=corrective_action,
            root_cause=root_cause,
            evidence=evidence,
        )

        return response_create
