"""API bodies of audits: the plan, the steps, the audit as answered."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from cap_audit.decisions.schemas import DecisionPublic
from cap_audit.fields import PlatformId, Strict
from cap_shared.field_errors import FieldError
from cap_shared.text import Text


class TeamMember(BaseModel):
    """An auditor of the team, their role and impartiality declaration."""

    model_config = Strict

    auditor_id: PlatformId
    role: Literal["lead", "auditor", "expert", "observer"]
    declaration: Text = Field(
        min_length=10,
        max_length=4000,
        description="The auditor's impartiality declaration for this organisation",
    )


class AuditPlanUpdate(BaseModel):
    """An audit's plan: its dates, plan, team and sites."""

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
    def _checks(self) -> AuditPlanUpdate:
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


class AuditTransition(BaseModel):
    """A step of an audit (accept, start, submit the report, close, cancel)."""

    model_config = Strict

    step: Literal["accept", "start", "submit_report", "close", "cancel"]
    summary: Text | None = Field(
        default=None, max_length=20000, description="Report summary (submit_report)"
    )
    reason: Text | None = Field(default=None, max_length=1000, description="Why (cancel)")


class TeamMemberPublic(BaseModel):
    """An auditor of an audit's team, as planned."""

    auditor_id: str
    name: str
    role: str
    declaration: str
    declared_at: datetime


class SamplingPublic(BaseModel):
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


class AuditPublic(BaseModel):
    """An audit: dates, team, findings per type, report, decision, the steps possible now."""

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
    team: list[TeamMemberPublic]
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
    organisation_names: dict[str, str] = Field(
        default_factory=dict,
        description="The names of the audited structure and of its sites, by id: who the "
        "audit team meets",
    )
    sampling: SamplingPublic | None = None
    report_document: dict[str, Any] | None = None
    decision: DecisionPublic | None = None
