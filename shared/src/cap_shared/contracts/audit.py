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
    site_id: str | None = Field(
        default=None,
        description="The group member (site) the finding was made at; null: the audited "
        "organisation itself (the central function of a group)",
    )
    escalated_from: Literal["minor_nc"] | None = Field(
        default=None,
        description="A major that was a minor not closed by the next audit, or minors counted "
        "as a major",
    )


class EvaluatedMaturityV1(BaseModel):
    """The auditor's evaluated maturity for a criterion (CAP RSE)."""

    criterion_urn: str
    level: int = Field(ge=0, le=10, description="Ignored when not_applicable")
    not_applicable: bool = Field(
        default=False, description="The auditor judged the criterion not applicable"
    )
    site_id: str | None = Field(
        default=None,
        description="The group member (site) evaluated; null: the audited organisation itself",
    )


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
    summary: dict[str, int] = Field(
        default_factory=dict, description="Findings per type: major_nc, minor_nc, observation..."
    )
    certification_body_id: str | None = None
    auditor_user_ids: list[str] = Field(
        default_factory=list, description="People who audited: they may not decide on the file"
    )
    last_day: date | None = Field(default=None, description="Last day of the audit on site")
    programme_id: str | None = None
    cycle: int = Field(default=1, ge=1, description="The certification cycle the audit belongs to")
    site_ids: list[str] = Field(
        default_factory=list,
        description="Group members (sites) audited, besides the organisation itself",
    )


@event_model(
    "audit.requested.v1",
    producer="audit",
    summary="An audit was requested from a certification body.",
)
class AuditRequestedV1(EventModel):
    """An audit request, for the body and for the people to notify."""

    audit_id: str
    programme_id: str
    organisation_id: str
    scheme: Literal["CAP_RSE", "CAP_ISO9001"]
    audit_type: str
    certification_body_id: str
    due_by: date | None = None
    requested_at: datetime
    planner_user_ids: list[str] = Field(
        default_factory=list,
        description="The platform accounts of the body's planners (auditors designated to plan "
        "its audits): the only people of the body to notify of the request; the team is told "
        "once assigned (audit.planned.v1)",
    )


@event_model(
    "audit.planned.v1",
    producer="audit",
    summary="A certification body planned an audit: dates and team.",
)
class AuditPlannedV1(EventModel):
    """An audit's dates and team."""

    audit_id: str
    organisation_id: str
    scheme: Literal["CAP_RSE", "CAP_ISO9001"]
    audit_type: str
    certification_body_id: str
    start_date: date
    end_date: date
    auditor_ids: list[str]
    auditor_user_ids: list[str] = Field(
        default_factory=list, description="The team's platform accounts (to notify them)"
    )


@event_model(
    "finding.response_due.v1",
    producer="audit",
    summary="A nonconformity's response is due soon or overdue (reminder or escalation).",
)
class FindingResponseDueV1(EventModel):
    """A reminder (before the deadline) or an escalation (after it) for a nonconformity."""

    finding_id: str
    audit_id: str
    organisation_id: str
    type: Literal["major_nc", "minor_nc"]
    title: str
    response_due: date
    stage: Literal["reminder", "overdue", "verification_overdue"] = Field(
        description="reminder: the answer is due soon; overdue: no answer by the deadline; "
        "verification_overdue: a major answered but not verified within the scheme's "
        "major_verification_days"
    )
    days: int = Field(description="Days before (reminder) or after (overdue) the deadline")


FindingStatus = Literal[
    "open", "response_submitted", "plan_accepted", "verified_closed", "appealed", "withdrawn"
]


@event_model(
    "finding.status_changed.v1",
    producer="audit",
    summary="A nonconformity moved on: answered, plan accepted, sent back, verified closed, "
    "escalated from minor to major, appealed or withdrawn on appeal.",
)
class FindingStatusChangedV1(EventModel):
    """A nonconformity's new status (open majors block a label and may suspend a recognition)."""

    finding_id: str
    audit_id: str
    organisation_id: str
    scheme: Literal["CAP_RSE", "CAP_ISO9001"]
    type: Literal["major_nc", "minor_nc"]
    status: FindingStatus
    previous_status: FindingStatus
    response_due: date | None = None
    changed_at: datetime
    previous_type: Literal["major_nc", "minor_nc"] | None = Field(
        default=None, description="Set when the type changed (a minor escalated to major)"
    )
    reason: str | None = Field(
        default=None, max_length=2000, description="Why: escalation, appeal outcome"
    )
    site_id: str | None = None


@event_model(
    "certification.decided.v1",
    producer="audit",
    summary="The certification body decided on a CAP ISO 9001 file (granted or refused).",
)
class CertificationDecidedV1(EventModel):
    """The body's certification decision, received through the certifier integration.

    The platform records it; it never makes it. The decision maker is not one of the audit's
    auditors (checked when the body sends it).
    """

    audit_id: str
    organisation_id: str
    scheme: Literal["CAP_ISO9001"] = "CAP_ISO9001"
    audit_type: str = Field(description="The audit decided on: stage2 or renewal")
    certification_body_id: str
    outcome: Literal["granted", "refused"]
    decided_on: date
    decided_by: str = Field(max_length=200, description="The body's decision maker")
    certificate_number: str | None = Field(default=None, max_length=60)
    scope: str | None = Field(default=None, max_length=2000)
    excluded_member_ids: list[str] = Field(
        default_factory=list, description="Group members the body did not certify"
    )
    reason: str | None = Field(default=None, max_length=2000)
    open_major_nc: int = Field(
        default=0,
        ge=0,
        description="Major nonconformities of the audit not verified closed when the decision "
        "was recorded: the certificate takes effect only once they are",
    )
    cycle: int = Field(default=1, ge=1)


@event_model(
    "audit.stage2_required.v1",
    producer="audit",
    summary="Majors of a stage 2 were not verified in time: the programme requires a new stage 2.",
)
class Stage2RequiredV1(EventModel):
    """Major nonconformities of a stage 2 (or renewal) audit still not verified
    ``major_verification_months`` after its last day (ISO/IEC 17021-1 §9.5.3.2): no decision
    can rest on it any more; a new stage 2 is due."""

    audit_id: str
    programme_id: str
    organisation_id: str
    scheme: Literal["CAP_RSE", "CAP_ISO9001"]
    audit_type: str
    certification_body_id: str
    last_day: date
    deadline: date = Field(description="The last day majors could have been verified")
    open_major_nc: int = Field(ge=1)


AppealOutcome = Literal["upheld", "overturned", "downgraded"]


@event_model(
    "finding.appeal_lodged.v1",
    producer="audit",
    summary="A structure appealed a finding of its audit.",
)
class FindingAppealLodgedV1(EventModel):
    """An appeal against a finding (ISO/IEC 17021-1 §9.7), within the scheme's appeal period."""

    appeal_id: str
    finding_id: str
    audit_id: str
    organisation_id: str
    scheme: Literal["CAP_RSE", "CAP_ISO9001"]
    certification_body_id: str
    finding_type: FindingType
    lodged_by: str
    lodged_at: datetime


@event_model(
    "finding.appeal_decided.v1",
    producer="audit",
    summary="An appeal against a finding was decided by someone who took no part in the audit.",
)
class FindingAppealDecidedV1(EventModel):
    """The outcome: upheld (the finding stands), overturned (withdrawn) or downgraded (a major
    becomes a minor)."""

    appeal_id: str
    finding_id: str
    audit_id: str
    organisation_id: str
    scheme: Literal["CAP_RSE", "CAP_ISO9001"]
    outcome: AppealOutcome
    decided_by: str
    decided_at: datetime
    reason: str = Field(max_length=2000)
