"""API shapes of complaints: the public's flag, its receipt, and the committee's view."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from cap_labelling.inputs import FreeText
from cap_shared.text import Text


class ComplaintCreate(BaseModel):
    """A flag raised on a listed recognition, by anyone."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=2, max_length=200)
    email: EmailStr
    message: Text = Field(min_length=10, max_length=4000)


class ComplaintReceipt(BaseModel):
    """What the public keeps of its flag."""

    reference: str
    number: str
    status: str


class ComplaintTransition(BaseModel):
    """A step of the committee on a complaint."""

    model_config = ConfigDict(extra="forbid")

    step: Literal["investigate", "uphold", "dismiss"]
    resolution: FreeText | None = Field(default=None, max_length=4000)


class ComplaintPublic(BaseModel):
    """A complaint as the committee reads it."""

    id: str
    reference: str
    recognition_id: str
    number: str
    status: str
    reporter_name: str
    reporter_email: str
    message: str
    resolution: str | None
    handled_by: str | None
    steps: list[dict[str, Any]]
    created_at: datetime
