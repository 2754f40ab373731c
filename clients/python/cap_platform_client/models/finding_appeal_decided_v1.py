from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.finding_appeal_decided_v1_outcome import FindingAppealDecidedV1Outcome
from ..models.finding_appeal_decided_v1_scheme import FindingAppealDecidedV1Scheme

T = TypeVar("T", bound="FindingAppealDecidedV1")


@_attrs_define
class FindingAppealDecidedV1:
    """The outcome: upheld (the finding stands), overturned (withdrawn) or downgraded (a major
    becomes a minor).

        Attributes:
            appeal_id (str):
            audit_id (str):
            decided_at (datetime.datetime):
            decided_by (str):
            finding_id (str):
            organisation_id (str):
            outcome (FindingAppealDecidedV1Outcome):
            reason (str):
            scheme (FindingAppealDecidedV1Scheme):
    """

    appeal_id: str
    audit_id: str
    decided_at: datetime.datetime
    decided_by: str
    finding_id: str
    organisation_id: str
    outcome: FindingAppealDecidedV1Outcome
    reason: str
    scheme: FindingAppealDecidedV1Scheme
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        appeal_id = self.appeal_id

        audit_id = self.audit_id

        decided_at = self.decided_at.isoformat()

        decided_by = self.decided_by

        finding_id = self.finding_id

        organisation_id = self.organisation_id

        outcome = self.outcome.value

        reason = self.reason

        scheme = self.scheme.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "appeal_id": appeal_id,
                "audit_id": audit_id,
                "decided_at": decided_at,
                "decided_by": decided_by,
                "finding_id": finding_id,
                "organisation_id": organisation_id,
                "outcome": outcome,
                "reason": reason,
                "scheme": scheme,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        appeal_id = d.pop("appeal_id")

        audit_id = d.pop("audit_id")

        decided_at = datetime.datetime.fromisoformat(d.pop("decided_at"))

        decided_by = d.pop("decided_by")

        finding_id = d.pop("finding_id")

        organisation_id = d.pop("organisation_id")

        outcome = FindingAppealDecidedV1Outcome(d.pop("outcome"))

        reason = d.pop("reason")

        scheme = FindingAppealDecidedV1Scheme(d.pop("scheme"))

        finding_appeal_decided_v1 = cls(
            appeal_id=appeal_id,
            audit_id=audit_id,
            decided_at=decided_at,
            decided_by=decided_by,
            finding_id=finding_id,
            organisation_id=organisation_id,
            outcome=outcome,
            reason=reason,
            scheme=scheme,
        )

        finding_appeal_decided_v1.additional_properties = d
        return finding_appeal_decided_v1

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
