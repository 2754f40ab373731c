from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.finding_response_due_v1_stage import FindingResponseDueV1Stage
from ..models.finding_response_due_v1_type import FindingResponseDueV1Type

T = TypeVar("T", bound="FindingResponseDueV1")


@_attrs_define
class FindingResponseDueV1:
    """A reminder (before the deadline) or an escalation (after it) for a nonconformity.

    Attributes:
        audit_id (str):
        days (int): Days before (reminder) or after (overdue) the deadline
        finding_id (str):
        organisation_id (str):
        response_due (datetime.date):
        stage (FindingResponseDueV1Stage): reminder: the answer is due soon; overdue: no answer by the deadline;
            verification_overdue: a major answered but not verified within the scheme's major_verification_days
        title (str):
        type_ (FindingResponseDueV1Type):
    """

    audit_id: str
    days: int
    finding_id: str
    organisation_id: str
    response_due: datetime.date
    stage: FindingResponseDueV1Stage
    title: str
    type_: FindingResponseDueV1Type
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        days = self.days

        finding_id = self.finding_id

        organisation_id = self.organisation_id

        response_due = self.response_due.isoformat()

        stage = self.stage.value

        title = self.title

        type_ = self.type_.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "days": days,
                "finding_id": finding_id,
                "organisation_id": organisation_id,
                "response_due": response_due,
                "stage": stage,
                "title": title,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        days = d.pop("days")

        finding_id = d.pop("finding_id")

        organisation_id = d.pop("organisation_id")

        response_due = datetime.date.fromisoformat(d.pop("response_due"))

        stage = FindingResponseDueV1Stage(d.pop("stage"))

        title = d.pop("title")

        type_ = FindingResponseDueV1Type(d.pop("type"))

        finding_response_due_v1 = cls(
            audit_id=audit_id,
            days=days,
            finding_id=finding_id,
            organisation_id=organisation_id,
            response_due=response_due,
            stage=stage,
            title=title,
            type_=type_,
        )

        finding_response_due_v1.additional_properties = d
        return finding_response_due_v1

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
