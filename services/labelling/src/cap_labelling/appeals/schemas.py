"""API shapes of appeals against decisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cap_labelling.inputs import FreeText


class AppealCreate(BaseModel):
    """An appeal lodged against a decision."""

    model_config = ConfigDict(extra="forbid")

    reason: FreeText = Field(min_length=3, max_length=4000, description="Why the decision is wrong")


class AppealDecision(BaseModel):
    """The decision on an appeal: upheld, or overturned (with the certificate for an ISO
    refusal)."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["upheld", "overturned"]
    reason: FreeText = Field(min_length=3, max_length=2000)
    certificate_number: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 \-/.]*$",
        description="CAP ISO 9001 refusal overturned: the body's certificate number",
    )
    scope: FreeText | None = Field(default=None, max_length=2000)


class AppealPublic(BaseModel):
    """An appeal of a decision file, with the decision it was lodged against."""

    id: str
    round: int
    decision_status: str
    decision_level: str | None
    decision_decided_by: str | None
    decision_decided_on: date | None
    reason: str
    lodged_by: str
    lodged_at: datetime
    status: str
    outcome_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
