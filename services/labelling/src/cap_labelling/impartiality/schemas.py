"""API shapes of a committee member's engagements with structures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cap_labelling.inputs import FreeText, Identifier
from cap_shared.field_errors import FieldError


class EngagementCreate(BaseModel):
    """A consultancy, accompaniment or training given to a structure, as declared."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: Identifier = Field(description="The structure concerned")
    kind: Literal["consultancy", "accompaniment", "training"]
    started_on: date | None = None
    ended_on: date | None = Field(default=None, description="Empty while it goes on")
    description: FreeText | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _ordered(self) -> EngagementCreate:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise FieldError("ended_on is before started_on", "ended_on précède started_on")
        return self


class EngagementPublic(BaseModel):
    """An engagement: declared, or an accompanied CAP session."""

    id: str
    user_id: str
    organisation_id: str
    kind: str
    started_on: date | None
    ended_on: date | None
    source: str
    diagnostic_id: str | None
    declared_by: str | None
    description: str | None
    created_at: datetime
