"""API bodies of findings, the answers to them and their review."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, Field, model_validator

from cap_audit.appeals.schemas import AppealPublic
from cap_audit.fields import PlatformId, Strict
from cap_shared.field_errors import FieldError
from cap_shared.text import Text


class Evidence(BaseModel):
    """A piece of evidence: a title and, optionally, where it is."""

    model_config = Strict

    title: Text = Field(min_length=1, max_length=300)
    url: AnyHttpUrl | None = None


class FindingCreate(BaseModel):
    """A finding to record at an audit."""

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
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _target(self) -> FindingCreate:
        if self.type in ("major_nc", "minor_nc") and not (self.criterion_urn or self.clause):
            raise FieldError(
                "a nonconformity names a criterion or a clause",
                "Une non-conformité indique un critère ou une exigence",
            )
        return self


class FindingPublic(BaseModel):
    """A finding, its answer, review and appeal."""

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
    appeal: AppealPublic | None = None
    overdue: bool
    root_cause: str | None
    correction: str | None
    corrective_action: str | None
    action_due: date | None
    response_evidence: list[dict[str, Any]]
    responded_at: datetime | None
    auditor_comment: str | None
    verified_at: datetime | None


class ResponseCreate(BaseModel):
    """The organisation's answer to a nonconformity."""

    model_config = Strict

    root_cause: Text = Field(min_length=1, max_length=8000)
    correction: Text = Field(min_length=1, max_length=8000)
    corrective_action: Text = Field(min_length=1, max_length=8000)
    action_due: date
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)


class ResponseReview(BaseModel):
    """The auditor's decision on an answer."""

    model_config = Strict

    decision: Literal["accept_plan", "send_back", "verify"]
    comment: Text | None = Field(default=None, max_length=8000)
