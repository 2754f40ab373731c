"""Request and response bodies of the audit service's API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, model_validator

from cap_audit.rules import DECISION_GAPS_FR, decision_gaps
from cap_shared.field_errors import FieldError
from cap_shared.partial import NotNull, unset
from cap_shared.text import Text

Strict = ConfigDict(extra="forbid")
SchemeName = Literal["CAP_RSE", "CAP_ISO9001"]
Slug = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$", max_length=60)
#: An id of the platform (organisation, site, account): printable, no spaces.
PlatformId = Annotated[str, Field(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class BodyIn(BaseModel):
    model_config = Strict

    id: str = Slug
    name: Text = Field(min_length=1, max_length=200)
    accreditation: Text | None = Field(default=None, max_length=200)
    schemes: list[SchemeName] = Field(min_length=1)


class BodyUpdate(BaseModel):
    """What is given changes; ``accreditation: null`` clears it, the others cannot be null."""

    model_config = Strict

    name: NotNull[Text] = unset(min_length=1, max_length=200)
    accreditation: Text | None = Field(default=None, max_length=200)
    schemes: NotNull[list[SchemeName]] = unset(min_length=1)
    active: NotNull[bool] = unset()


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
            raise FieldError("valid_until is before valid_from", "valid_until précède valid_from")
        return self


class AuditorIn(BaseModel):
    model_config = Strict

    certification_body_id: str = Slug
    name: Text = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    user_id: Text | None = Field(
        default=None, max_length=36, description="The person's platform account"
    )
    qualifications: list[Qualification] = Field(default_factory=list, max_length=20)
    planner: bool = Field(
        default=False,
        description="Plans the body's audits: told of every audit requested from the body "
        "(with a platform account); other auditors hear only of the audits they are assigned to",
    )


class AuditorUpdate(BaseModel):
    """What is given changes; ``email`` and ``user_id`` may be cleared with null, the others not."""

    model_config = Strict

    name: NotNull[Text] = unset(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    user_id: Text | None = Field(default=None, max_length=36)
    qualifications: NotNull[list[Qualification]] = unset(max_length=20)
    active: NotNull[bool] = unset()
    planner: NotNull[bool] = unset()


class AuditorOut(BaseModel):
    id: str
    certification_body_id: str
    name: str
    email: str | None
    user_id: str | None
    qualifications: list[dict[str, Any]]
    active: bool
    planner: bool


class EngagementIn(BaseModel):
    model_config = Strict

    organisation_id: PlatformId
    kind: Literal["consultancy", "accompaniment", "training", "audited"] = Field(
        description="consultancy, accompaniment and training bar auditing and deciding for the "
        "scheme's cooling_off_months (ISO/IEC 17021-1 §5.2.11); audited is history only"
    )
    on: date
    note: Text | None = Field(default=None, max_length=1000)


class EngagementOut(BaseModel):
    id: str
    auditor_id: str | None
    user_id: str | None
    organisation_id: str
    kind: str
    on: date
    note: str | None
    audit_id: str | None = None
    role: str | None = None
    diagnostic_id: str | None = None


class DueItemOut(BaseModel):
    type: str
    due_by: date
    audit_id: str | None
    status: str
    cycle_year: int | None
    cycle: int = 1


class SampleSizeOut(BaseModel):
    """How many of a group's member sites an audit type covers (IAF MD 1 §8.2), besides the
    central function."""

    audit_type: str
    size: int
    sampled: bool
    factor: float | None


class ProgrammeOut(BaseModel):
    id: str
    application_id: str
    organisation_id: str
    group_member_ids: list[str]
    scheme: str
    certification_body_id: str
    accepted_on: date
    decided_on: date | None
    cycle: int = 1
    cycle_start: date | None = None
    expiry_date: date | None = None
    #: Deciding audits whose majors were not verified in time: a new stage 2 is due.
    stage2_required_by: list[str] = Field(default_factory=list)
    sampling: list[SampleSizeOut] = Field(default_factory=list)
    schedule: list[DueItemOut]


class AuditRequest(BaseModel):
    model_config = Strict

    type: Literal["stage1", "stage2", "surveillance", "renewal", "initial", "follow_up", "special"]
    due_by: date | None = None


class TeamMember(BaseModel):
    model_config = Strict

    auditor_id: PlatformId
    role: Literal["lead", "auditor", "expert", "observer"]
    declaration: Text = Field(
        min_length=10,
        max_length=4000,
        description="The auditor's impartiality declaration for this organisation",
    )


class PlanIn(BaseModel):
    model_config = Strict

    start_date: date
    end_date: date
    plan: Text = Field(min_length=1, max_length=20000, description="The audit plan")
    team: list[TeamMember] = Field(min_length=1, max_length=20)
    site_ids: list[PlatformId] | None = Field(
        default=None,
        max_length=500,
        description="The sites the audit covers: the central function (the programme's "
        "organisation) and group members, at least the sample shown on the audit (IAF MD 1). "
        "May be left out for a single-site programme.",
    )

    @model_validator(mode="after")
    def _checks(self) -> PlanIn:
        if self.end_date < self.start_date:
            raise FieldError("end_date is before start_date", "end_date précède start_date")
        if sum(1 for m in self.team if m.role == "lead") != 1:
            raise FieldError(
                "the team has exactly one lead auditor",
                "L'équipe compte exactement un auditeur responsable",
            )
        if len({m.auditor_id for m in self.team}) != len(self.team):
            raise FieldError(
                "an auditor appears twice in the team",
                "Un auditeur figure deux fois dans l'équipe",
            )
        return self


class AuditStepIn(BaseModel):
    model_config = Strict

    step: Literal["accept", "start", "submit_report", "close", "cancel"]
    summary: Text | None = Field(
        default=None, max_length=20000, description="Report summary (submit_report)"
    )
    reason: Text | None = Field(default=None, max_length=1000, description="Why (cancel)")


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
    decided_by: Text = Field(
        min_length=1,
        max_length=200,
        description="The body's decision maker: their auditor id in the platform's registry "
        "if they have one, else their name. Never one of the audit's auditors.",
    )
    certificate_number: Text | None = Field(
        default=None, min_length=1, max_length=60, description="Required when granted"
    )
    scope: Text | None = Field(
        default=None, max_length=2000, description="The certified scope (activities, sites)"
    )
    excluded_member_ids: list[PlatformId] = Field(
        default_factory=list,
        max_length=500,
        description="Group members the decision does not certify",
    )
    reason: Text | None = Field(default=None, max_length=2000, description="Required when refused")

    @model_validator(mode="after")
    def _complete(self) -> DecisionIn:
        gaps = decision_gaps(self.outcome, self.certificate_number, self.reason)
        if gaps:
            raise FieldError("; ".join(gaps), " ; ".join(DECISION_GAPS_FR[g] for g in gaps))
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
    open_major_nc: int = Field(
        default=0,
        description="Majors of the audit not verified closed when the decision was recorded: "
        "the certificate takes effect only once they are",
    )


class TeamOut(BaseModel):
    auditor_id: str
    name: str
    role: str
    declaration: str
    declared_at: datetime


class SamplingOut(BaseModel):
    """The sites a group's audit must cover (IAF MD 1): the central function, ``size`` member
    sites, among them the ones drawn at random (reproducibly, from the audit)."""

    sites: int = Field(description="Member sites of the group")
    size: int = Field(description="Member sites to audit, besides the central function")
    sampled: bool
    factor: float | None
    central_function: str
    random_site_ids: list[str]
    required_site_ids: list[str]
    rule: str


class AuditOut(BaseModel):
    id: str
    programme_id: str
    organisation_id: str
    scheme: str
    type: str
    status: str
    certification_body_id: str
    cycle: int = 1
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
    stage2_required_on: date | None = None
    site_ids: list[str] = Field(default_factory=list)
    sampling: SamplingOut | None = None
    report_document: dict[str, Any] | None = None
    decision: DecisionOut | None = None


class EvidenceIn(BaseModel):
    model_config = Strict

    title: Text = Field(min_length=1, max_length=300)
    url: AnyHttpUrl | None = None


class FindingIn(BaseModel):
    model_config = Strict

    type: Literal["major_nc", "minor_nc", "observation", "opportunity", "strength"]
    title: Text = Field(min_length=1, max_length=300)
    description: Text = Field(default="", max_length=8000)
    criterion_urn: Text | None = Field(default=None, max_length=200)
    clause: str | None = Field(default=None, max_length=40, pattern=r"^[0-9]+(\.[0-9]+)*$")
    site_id: PlatformId | None = Field(
        default=None,
        description="The group member (site) it was found at; null: the audited organisation "
        "itself (the central function)",
    )
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _target(self) -> FindingIn:
        if self.type in ("major_nc", "minor_nc") and not (self.criterion_urn or self.clause):
            raise FieldError(
                "a nonconformity names a criterion or a clause",
                "Une non-conformité indique un critère ou une exigence",
            )
        return self


class AppealOut(BaseModel):
    """An appeal against a finding and its outcome."""

    id: str
    reason: str
    lodged_by: str
    lodged_at: datetime
    status_before: str
    outcome: str | None
    decision_reason: str | None
    decided_by: str | None
    decided_at: datetime | None


class FindingOut(BaseModel):
    id: str
    audit_id: str
    organisation_id: str
    type: str
    title: str
    description: str
    criterion_urn: str | None
    clause: str | None
    site_id: str | None = None
    evidence: list[dict[str, Any]]
    status: str
    response_due: date | None
    verification_due: date | None = None
    escalated_from: str | None = None
    escalated_on: date | None = None
    appeal_deadline: date | None = None
    appeal: AppealOut | None = None
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

    root_cause: Text = Field(min_length=1, max_length=8000)
    correction: Text = Field(min_length=1, max_length=8000)
    corrective_action: Text = Field(min_length=1, max_length=8000)
    action_due: date
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)


class ReviewIn(BaseModel):
    """The auditor's decision on an answer."""

    model_config = Strict

    decision: Literal["accept_plan", "send_back", "verify"]
    comment: Text | None = Field(default=None, max_length=8000)


class MaturityIn(BaseModel):
    model_config = Strict

    criterion_urn: Text = Field(max_length=200)
    level: int = Field(ge=0, le=10, description="Ignored when not_applicable")
    not_applicable: bool = False
    site_id: PlatformId | None = Field(
        default=None, description="The group member evaluated; null: the organisation itself"
    )
    comment: Text | None = Field(default=None, max_length=4000)


class AppealIn(BaseModel):
    """The audited structure appeals a finding (within the scheme's appeal_days)."""

    model_config = Strict

    reason: Text = Field(min_length=3, max_length=4000)


class AppealDecisionIn(BaseModel):
    """The outcome of an appeal, recorded by someone who took no part in the audit."""

    model_config = Strict

    outcome: Literal["upheld", "overturned", "downgraded"] = Field(
        description="upheld: the finding stands; overturned: it is withdrawn; downgraded: a "
        "major becomes a minor"
    )
    reason: Text = Field(min_length=3, max_length=2000)


class MaturityBatch(BaseModel):
    model_config = Strict

    levels: list[MaturityIn] = Field(min_length=1, max_length=200)
