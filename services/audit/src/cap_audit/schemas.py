"""Request and response bodies of the audit service's API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, model_validator

from cap_audit.rules import decision_gaps

Strict = ConfigDict(extra="forbid")
SchemeName = Literal["CAP_RSE", "CAP_ISO9001"]
Slug = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$", max_length=60)


class BodyIn(BaseModel):
    model_config = Strict

    id: str = Slug
    name: str = Field(min_length=1, max_length=200)
    accreditation: str | None = Field(default=None, max_length=200)
    schemes: list[SchemeName] = Field(min_length=1)


class BodyUpdate(BaseModel):
    model_config = Strict

    name: str | None = Field(default=None, min_length=1, max_length=200)
    accreditation: str | None = Field(default=None, max_length=200)
    schemes: list[SchemeName] | None = Field(default=None, min_length=1)
    active: bool | None = None


class BodyOut(BaseModel):
    id: str
    name: str
    accreditation: str | None
    schemes: list[str]
    active: bool


class Qualification(BaseModel):
    model_config = Strict

    scheme: SchemeName
    valid_from: date
    valid_until: date

    @model_validator(mode="after")
    def _order(self) -> Qualification:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class AuditorIn(BaseModel):
    model_config = Strict

    certification_body_id: str = Slug
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    user_id: str | None = Field(
        default=None, max_length=36, description="The person's platform account"
    )
    qualifications: list[Qualification] = Field(default_factory=list, max_length=20)


class AuditorUpdate(BaseModel):
    model_config = Strict

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    user_id: str | None = Field(default=None, max_length=36)
    qualifications: list[Qualification] | None = Field(default=None, max_length=20)
    active: bool | None = None


class AuditorOut(BaseModel):
    id: str
    certification_body_id: str
    name: str
    email: str | None
    user_id: str | None
    qualifications: list[dict[str, Any]]
    active: bool


class EngagementIn(BaseModel):
    model_config = Strict

    organisation_id: str = Field(max_length=36)
    kind: Literal["advised", "audited"]
    on: date
    note: str | None = Field(default=None, max_length=1000)


class EngagementOut(BaseModel):
    id: str
    auditor_id: str
    organisation_id: str
    kind: str
    on: date
    note: str | None


class DueItemOut(BaseModel):
    type: str
    due_by: date
    audit_id: str | None
    status: str
    cycle_year: int | None


class ProgrammeOut(BaseModel):
    id: str
    application_id: str
    organisation_id: str
    group_member_ids: list[str]
    scheme: str
    certification_body_id: str
    accepted_on: date
    decided_on: date | None
    schedule: list[DueItemOut]


class AuditRequest(BaseModel):
    model_config = Strict

    type: Literal["stage1", "stage2", "surveillance", "renewal", "initial", "follow_up", "special"]
    due_by: date | None = None


class TeamMember(BaseModel):
    model_config = Strict

    auditor_id: str = Field(max_length=36)
    role: Literal["lead", "auditor", "expert", "observer"]
    declaration: str = Field(
        min_length=10,
        max_length=4000,
        description="The auditor's impartiality declaration for this organisation",
    )


class PlanIn(BaseModel):
    model_config = Strict

    start_date: date
    end_date: date
    plan: str = Field(min_length=1, max_length=20000, description="The audit plan")
    team: list[TeamMember] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _checks(self) -> PlanIn:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        if sum(1 for m in self.team if m.role == "lead") != 1:
            raise ValueError("the team has exactly one lead auditor")
        if len({m.auditor_id for m in self.team}) != len(self.team):
            raise ValueError("an auditor appears twice in the team")
        return self


class AuditStepIn(BaseModel):
    model_config = Strict

    step: Literal["accept", "start", "submit_report", "close", "cancel"]
    summary: str | None = Field(
        default=None, max_length=20000, description="Report summary (submit_report)"
    )
    reason: str | None = Field(default=None, max_length=1000, description="Why (cancel)")


class DecisionIn(BaseModel):
    """The certification body's decision on a CAP ISO 9001 file (stage 2 or renewal audit)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"outcome": {"const": "granted"}}},
                    "then": {
                        "required": ["certificate_number"],
                        "properties": {"certificate_number": {"type": "string"}},
                    },
                },
                {
                    "if": {"properties": {"outcome": {"const": "refused"}}},
                    "then": {
                        "required": ["reason"],
                        "properties": {"certificate_number": {"type": "null"}},
                    },
                },
            ]
        },
    )

    outcome: Literal["granted", "refused"]
    decided_on: date
    decided_by: str = Field(
        min_length=1,
        max_length=200,
        description="The body's decision maker: their auditor id in the platform's registry "
        "if they have one, else their name. Never one of the audit's auditors.",
    )
    certificate_number: str | None = Field(
        default=None, min_length=1, max_length=60, description="Required when granted"
    )
    scope: str | None = Field(
        default=None, max_length=2000, description="The certified scope (activities, sites)"
    )
    excluded_member_ids: list[Annotated[str, Field(max_length=36)]] = Field(
        default_factory=list,
        max_length=500,
        description="Group members the decision does not certify",
    )
    reason: str | None = Field(default=None, max_length=2000, description="Required when refused")

    @model_validator(mode="after")
    def _complete(self) -> DecisionIn:
        gaps = decision_gaps(self.outcome, self.certificate_number, self.reason)
        if gaps:
            raise ValueError("; ".join(gaps))
        return self


class DecisionOut(BaseModel):
    """The body's certification decision, as recorded."""

    outcome: str
    decided_on: date
    decided_by: str
    certificate_number: str | None
    scope: str | None
    excluded_member_ids: list[str]
    reason: str | None
    recorded_at: datetime | None


class TeamOut(BaseModel):
    auditor_id: str
    name: str
    role: str
    declaration: str
    declared_at: datetime


class AuditOut(BaseModel):
    id: str
    programme_id: str
    organisation_id: str
    scheme: str
    type: str
    status: str
    certification_body_id: str
    due_by: date | None
    start_date: date | None
    end_date: date | None
    plan: str | None
    team: list[TeamOut]
    findings: dict[str, int]
    allowed_steps: list[str]
    requested_at: datetime
    accepted_at: datetime | None
    report_submitted_at: datetime | None
    report_summary: str | None
    closed_at: datetime | None
    cancel_reason: str | None
    stage2_must_repeat: bool = False
    report_document: dict[str, Any] | None = None
    decision: DecisionOut | None = None


class EvidenceIn(BaseModel):
    model_config = Strict

    title: str = Field(min_length=1, max_length=300)
    url: AnyHttpUrl | None = None


class FindingIn(BaseModel):
    model_config = Strict

    type: Literal["major_nc", "minor_nc", "observation", "opportunity", "strength"]
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=8000)
    criterion_urn: str | None = Field(default=None, max_length=200)
    clause: str | None = Field(default=None, max_length=40, pattern=r"^[0-9]+(\.[0-9]+)*$")
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _target(self) -> FindingIn:
        if self.type in ("major_nc", "minor_nc") and not (self.criterion_urn or self.clause):
            raise ValueError("a nonconformity names a criterion or a clause")
        return self


class FindingOut(BaseModel):
    id: str
    audit_id: str
    organisation_id: str
    type: str
    title: str
    description: str
    criterion_urn: str | None
    clause: str | None
    evidence: list[dict[str, Any]]
    status: str
    response_due: date | None
    overdue: bool
    root_cause: str | None
    correction: str | None
    corrective_action: str | None
    action_due: date | None
    response_evidence: list[dict[str, Any]]
    responded_at: datetime | None
    auditor_comment: str | None
    verified_at: datetime | None


class ResponseIn(BaseModel):
    """The organisation's answer to a nonconformity."""

    model_config = Strict

    root_cause: str = Field(min_length=1, max_length=8000)
    correction: str = Field(min_length=1, max_length=8000)
    corrective_action: str = Field(min_length=1, max_length=8000)
    action_due: date
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)


class ReviewIn(BaseModel):
    """The auditor's decision on an answer."""

    model_config = Strict

    decision: Literal["accept_plan", "send_back", "verify"]
    comment: str | None = Field(default=None, max_length=8000)


class MaturityIn(BaseModel):
    model_config = Strict

    criterion_urn: str = Field(max_length=200)
    level: int = Field(ge=0, le=10)
    comment: str | None = Field(default=None, max_length=4000)


class MaturityBatch(BaseModel):
    model_config = Strict

    levels: list[MaturityIn] = Field(min_length=1, max_length=200)
