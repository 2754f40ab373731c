"""Events published by the audit service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from cap_shared.contracts.registry import EventModel, event_model

FindingType = Literal["major_nc", "minor_nc", "observation", "opportunity", "strength"]


class FindingV1(BaseModel):
    """One audit finding, on a criterion of the referential or a clause of the standard."""

    finding_id: str
    type: FindingType
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=8000)
    criterion_urn: str | None = Field(default=None, max_length=200)
    clause: str | None = Field(default=None, max_length=40, description="e.g. ISO 9001 8.4")
    response_due: date | None = Field(default=None, description="Deadline for a nonconformity")


class EvaluatedMaturityV1(BaseModel):
    """The auditor's evaluated maturity for a criterion (CAP RSE)."""

    criterion_urn: str
    level: int = Field(ge=0, le=10)


@event_model(
    "audit.report_submitted.v1",
    producer="audit",
    summary="An auditor submitted an audit report: findings and evaluated maturity.",
)
class AuditReportSubmittedV1(EventModel):
    """An audit report was submitted; its findings feed the organisation's progress plan."""

    audit_id: str
    organisation_id: str
    scheme: Literal["CAP_RSE", "CAP_ISO9001"]
    audit_type: str = Field(description="stage1, stage2, surveillance, renewal, initial, follow_up")
    submitted_at: datetime
    findings: list[FindingV1] = Field(default_factory=list)
    evaluated_maturity: list[EvaluatedMaturityV1] = Field(default_factory=list)
