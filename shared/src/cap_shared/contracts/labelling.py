"""Events published by the labelling service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from cap_shared.contracts.registry import EventModel, event_model

Scheme = Literal["CAP_RSE", "CAP_ISO9001"]
RecognitionStatus = Literal["active", "suspended", "withdrawn", "expired", "renewed"]


@event_model(
    "recognition.status_changed.v1",
    producer="labelling",
    summary="A label or certification was granted, or its status changed (full state carried).",
)
class RecognitionStatusChangedV1(EventModel):
    """A recognition's current state; consumers keep the one with the latest ``changed_at``."""

    recognition_id: str
    number: str = Field(description="Public number of the label or certificate")
    organisation_id: str
    scheme: Scheme
    level: str | None = Field(default=None, description="CAP RSE level; null for CAP ISO 9001")
    status: RecognitionStatus
    previous_status: RecognitionStatus | None = Field(
        default=None, description="Null when the recognition is granted"
    )
    effective_date: date
    expiry_date: date
    changed_at: datetime
    reason: str | None = Field(default=None, max_length=2000)
