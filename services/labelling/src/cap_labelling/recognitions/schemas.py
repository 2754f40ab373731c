"""API shapes of recognitions: a label or certificate with its history, and the committee's
commands on it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cap_labelling.inputs import FreeText


class ChangePublic(BaseModel):
    """A change of status in a recognition's history."""

    on: date
    at: datetime
    from_status: str | None
    to_status: str
    reason_code: str
    note: str | None
    actor: str


class RecognitionPublic(BaseModel):
    """A recognition with its full history."""

    id: str
    number: str
    verification_code: str
    organisation_id: str
    group_member_ids: list[str]
    scheme: str
    level: str | None
    scope: str
    certification_body_id: str | None
    external_number: str | None
    decision_id: str | None
    decided_on: date
    effective_date: date
    expiry_date: date
    #: The day the cycle's surveillance schedule counts from.
    cycle_start: date
    #: When the certificate was last issued (a scope reduction reissues it).
    issued_on: date
    status: str
    suspension_cause: str | None
    suspended_on: date | None
    next_surveillance_due: date | None
    previous_id: str | None
    renewed_by_id: str | None
    source: str
    history: list[ChangePublic]


class ScopeReduction(BaseModel):
    """A CAP ISO 9001 certificate's reduced scope, with the reason."""

    model_config = ConfigDict(extra="forbid")

    scope: FreeText = Field(min_length=3, max_length=2000, description="The reduced scope")
    reason: FreeText = Field(min_length=3, max_length=2000, description="Recorded in the history")


class RecognitionTransition(BaseModel):
    """The committee suspends, restores or withdraws a recognition, with a reason."""

    model_config = ConfigDict(extra="forbid")

    step: Literal["suspend", "restore", "withdraw"]
    reason: FreeText = Field(min_length=3, max_length=2000, description="Recorded in the history")
