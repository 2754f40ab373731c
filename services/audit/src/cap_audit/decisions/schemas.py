"""API bodies of the certification decision."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cap_audit.decisions.rules import DECISION_GAPS_FR, decision_gaps
from cap_audit.fields import PlatformId
from cap_shared.field_errors import FieldError
from cap_shared.text import Text


class DecisionCreate(BaseModel):
    """The certification body's decision on a CAP ISO 9001 file (stage 2 or renewal audit)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"outcome": {"const": "granted"}}},
                    "then": {
                        "required": ["certificate_number"],
                        "properties": {"certificate_number": {"type": "string"}},
                    },
                },
                {
                    "if": {"properties": {"outcome": {"const": "refused"}}},
                    "then": {
                        "required": ["reason"],
                        "properties": {"certificate_number": {"type": "null"}},
                    },
                },
            ]
        },
    )

    outcome: Literal["granted", "refused"]
    decided_on: date
    decided_by: Text = Field(
        min_length=1,
        max_length=200,
        description="The body's decision maker: their auditor id in the platform's registry "
        "if they have one, else their name. Never one of the audit's auditors.",
    )
    certificate_number: Text | None = Field(
        default=None, min_length=1, max_length=60, description="Required when granted"
    )
    scope: Text | None = Field(
        default=None, max_length=2000, description="The certified scope (activities, sites)"
    )
    excluded_member_ids: list[PlatformId] = Field(
        default_factory=list,
        max_length=500,
        description="Group members the decision does not certify",
    )
    reason: Text | None = Field(default=None, max_length=2000, description="Required when refused")

    @model_validator(mode="after")
    def _complete(self) -> DecisionCreate:
        gaps = decision_gaps(self.outcome, self.certificate_number, self.reason)
        if gaps:
            raise FieldError("; ".join(gaps), " ; ".join(DECISION_GAPS_FR[g] for g in gaps))
        return self


class DecisionPublic(BaseModel):
    """The body's certification decision, as recorded."""

    outcome: str
    decided_on: date
    decided_by: str
    certificate_number: str | None
    scope: str | None
    excluded_member_ids: list[str]
    reason: str | None
    recorded_at: datetime | None
    open_major_nc: int = Field(
        default=0,
        description="Majors of the audit not verified closed when the decision was recorded: "
        "the certificate takes effect only once they are",
    )
