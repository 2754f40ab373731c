"""API bodies of audit programmes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from cap_audit.fields import Strict


class DueItemPublic(BaseModel):
    """An audit a programme expects, its due date and where it stands."""

    type: str
    due_by: date
    audit_id: str | None
    status: str
    cycle_year: int | None
    cycle: int = 1


class SampleSizePublic(BaseModel):
    """How many of a group's member sites an audit type covers (IAF MD 1 §8.2), besides the
    central function."""

    audit_type: str
    size: int
    sampled: bool
    factor: float | None


class ProgrammePublic(BaseModel):
    """An audit programme: its cycle, schedule and sample sizes."""

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
    sampling: list[SampleSizePublic] = Field(default_factory=list)
    schedule: list[DueItemPublic]


class AuditRequest(BaseModel):
    """The next audit requested of a programme."""

    model_config = Strict

    type: Literal["stage1", "stage2", "surveillance", "renewal", "initial", "follow_up", "special"]
    due_by: date | None = None
