"""API shapes of decision files."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cap_labelling.appeals.schemas import AppealPublic
from cap_labelling.impartiality.schemas import EngagementPublic
from cap_labelling.inputs import FreeText


class DecisionTake(BaseModel):
    """The committee's decision on a file: confirm (at a level), refuse or defer."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["confirm", "refuse", "defer"]
    level: str | None = Field(
        default=None, max_length=30, description="Lower than the computed level, with a reason"
    )
    reason: FreeText | None = Field(default=None, max_length=2000)
    scope: FreeText | None = Field(default=None, max_length=2000)


class DecisionPublic(BaseModel):
    """A decision file as the caller may see it."""

    id: str
    application_id: str | None
    organisation_id: str
    group_member_ids: list[str]
    scheme: str
    certification_body_id: str | None
    kind: str
    status: str
    audit_id: str | None
    renews_id: str | None
    #: The level rule's result: at the decision for a decided file, live for an open one.
    evaluation: dict[str, Any] | None
    computed_level: str | None
    level: str | None
    decided_on: date | None
    decided_by: str | None
    reason: str | None
    steps: list[dict[str, Any]]
    recognition_id: str | None
    #: A held grant (CAP ISO 9001): the body's decision, until when, and the open majors.
    hold: dict[str, Any] | None = None
    #: 1, then one more each time an appeal overturned the decision.
    round: int = 1
    appeals: list[AppealPublic] = Field(default_factory=list)


class ImpartialityCheck(BaseModel):
    """One impartiality check of the caller against a file, with its result."""

    check: Literal["audited", "cooling_off", "overturned_on_appeal"]
    #: The rule checked (ISO/IEC 17021-1 clause).
    rule: str
    passed: bool
    detail: str
    detail_fr: str
    #: The engagements that bar the caller (cooling_off), each with the last day it bars.
    engagements: list[EngagementPublic] = Field(default_factory=list)
    barred_until: date | None = None


class DecisionChecks(BaseModel):
    """The impartiality checks of the caller against a file: may they decide on it?"""

    decision_id: str
    person: str
    #: Every check passed (the file's state and the evaluation aside).
    impartial: bool
    checks: list[ImpartialityCheck]
