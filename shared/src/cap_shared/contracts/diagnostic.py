"""Events published by the diagnostic service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from cap_shared.contracts.registry import EventModel, event_model


class ReferentialRef(BaseModel):
    """Which referential version a diagnostic was made on."""

    urn: str
    code: str = Field(description="CAP, CAP_RSE or CAP_ISO9001")
    version: int


class GroupScoreV1(BaseModel):
    """A score on the 0-1000 scale for one group of criteria."""

    group: str = Field(
        description='"overall", "theme", "kind", or a framework id (iso26000, iso9001)'
    )
    code: str
    name: str
    score: int | None = Field(description="0-1000; null when nothing in the group was rated")
    band: str | None = Field(
        description="Named band: Non engagé, Initial, Progression, Confirmé, Exemplaire"
    )
    rated: int
    not_applicable: int
    total: int


class CriterionScoreV1(BaseModel):
    """A criterion's rating as completed."""

    urn: str
    code: str
    level: int | None
    max_level: int
    not_applicable: bool
    core: bool


@event_model(
    "diagnostic.completed.v1",
    producer="diagnostic",
    summary="A diagnostic was completed (every criterion rated or not applicable), with its scores.",
)
class DiagnosticCompletedV1(EventModel):
    """A diagnostic was completed; its scores are final."""

    diagnostic_id: str
    organisation_id: str
    kind: Literal["cap_session", "self_assessment", "audit_evaluation"] = Field(
        description="cap_session and self_assessment: the structure's own assessment; "
        "audit_evaluation: the auditor's evaluated maturity of a CAP RSE audit, recorded and "
        "scored by the diagnostic service"
    )
    audit_id: str | None = Field(
        default=None, description="For an audit_evaluation: the audit whose report it records"
    )
    facilitator_user_ids: list[str] = Field(
        default_factory=list,
        description="Platform accounts of the facilitators who accompanied the session "
        "(an accompaniment: bars them from auditing or deciding on the structure for the "
        "scheme's cooling-off period)",
    )
    referential: ReferentialRef
    completed_at: datetime
    session_date: date | None = None
    overall: GroupScoreV1
    themes: list[GroupScoreV1]
    frameworks: dict[str, list[GroupScoreV1]] = Field(
        default_factory=dict, description="Per ISO 26000 core subject, per ISO 9001 clause group"
    )
    kinds: list[GroupScoreV1] = Field(default_factory=list, description="Practice vs result")
    criteria: list[CriterionScoreV1]
    dynamic_exit_rate: float | None = Field(
        default=None, ge=0, le=1, description="Share of dynamic exits among counted exits"
    )


@event_model(
    "action.overdue.v1",
    producer="diagnostic",
    summary="A progress action passed its due date without being done (published once per due date).",
)
class ActionOverdueV1(EventModel):
    """A progress action is overdue; reminders and escalations start from here."""

    action_id: str
    plan_id: str
    organisation_id: str
    title: str
    criterion_code: str | None = None
    owner: str | None = None
    priority: Literal["low", "medium", "high"]
    due_date: date
    detected_on: date
    days_overdue: int = Field(ge=1)


@event_model(
    "action.due_soon.v1",
    producer="diagnostic",
    summary="A progress action is due in a few days (a reminder, published once per due date).",
)
class ActionDueSoonV1(EventModel):
    """A reminder before a progress action's due date."""

    action_id: str
    plan_id: str
    organisation_id: str
    title: str
    criterion_code: str | None = None
    owner: str | None = None
    priority: Literal["low", "medium", "high"]
    due_date: date
    days_left: int = Field(ge=0)
