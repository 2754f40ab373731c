"""API bodies of appeals against findings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from cap_audit.fields import Strict
from cap_shared.text import Text


class AppealPublic(BaseModel):
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


class AppealCreate(BaseModel):
    """The audited structure appeals a finding (within the scheme's appeal_days)."""

    model_config = Strict

    reason: Text = Field(min_length=3, max_length=4000)


class AppealDecision(BaseModel):
    """The outcome of an appeal, recorded by someone who took no part in the audit."""

    model_config = Strict

    outcome: Literal["upheld", "overturned", "downgraded"] = Field(
        description="upheld: the finding stands; overturned: it is withdrawn; downgraded: a "
        "major becomes a minor"
    )
    reason: Text = Field(min_length=3, max_length=2000)
