"""API shapes of progress plans, their actions and reviews."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from cap_diagnostic.fields import Strict
from cap_shared.partial import NotNull
from cap_shared.text import Text

Priority = Literal["low", "medium", "high"]


class ActionCreate(BaseModel):
    """An action added by hand to a plan."""

    model_config = Strict

    title: Text = Field(min_length=1, max_length=300)
    description: Text = Field(default="", max_length=8000)
    criterion: Text | None = Field(default=None, max_length=200, description="Criterion URN")
    owner: Text | None = Field(default=None, max_length=200)
    due_date: date | None = None
    priority: Priority = "medium"


class ActionUpdate(BaseModel):
    """Owner, due date, priority or wording of an action (an omitted field is left as it is;
    owner and due date are cleared with null)."""

    model_config = Strict

    title: NotNull[Text] = Field(default=None, min_length=1, max_length=300)
    description: NotNull[Text] = Field(default=None, max_length=8000)
    owner: Text | None = Field(default=None, max_length=200)
    due_date: date | None = None
    priority: NotNull[Priority] = None


class ActionTransition(BaseModel):
    """A lifecycle step of an action, with an optional note kept as a review."""

    model_config = Strict

    step: Literal["plan", "start", "complete", "verify", "reopen", "cancel"]
    note: Text | None = Field(default=None, max_length=4000)


class ReviewCreate(BaseModel):
    """A follow-up review of an action."""

    model_config = Strict

    note: Text = Field(min_length=1, max_length=4000)
    progress: int | None = Field(default=None, ge=0, le=100, description="Percent done")


class ReviewPublic(BaseModel):
    """A follow-up review of an action."""

    id: str
    note: str
    progress: int | None
    status_after: str
    reviewed_by: str
    reviewed_at: datetime


class ActionPublic(BaseModel):
    """A progress action; ``overdue`` is derived from the due date."""

    id: str
    plan_id: str
    organisation_id: str
    title: str
    description: str
    criterion: str | None
    criterion_code: str | None
    theme_code: str | None
    owner: str | None
    due_date: date | None
    priority: str
    status: str
    overdue: bool
    source: str
    source_ref: str
    expected_gain: float | None
    allowed_steps: list[str]
    created_at: datetime
    completed_at: datetime | None
    verified_at: datetime | None


class ActionDetail(ActionPublic):
    """An action with its follow-up reviews."""

    reviews: list[ReviewPublic]


class PlanPublic(BaseModel):
    """An organisation's progress plan."""

    id: str
    organisation_id: str
    diagnostic_id: str | None
    counts: dict[str, int]
    overdue: int
    actions: list[ActionPublic]
    updated_at: datetime = Field(
        description="Last change of the plan or one of its actions (the delta sync's change time)"
    )
