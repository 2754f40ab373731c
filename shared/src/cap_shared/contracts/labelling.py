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


@event_model(
    "labelling.application.accepted.v1",
    producer="labelling",
    summary="An application for CAP RSE or CAP ISO 9001 was accepted: the audit programme starts.",
)
class ApplicationAcceptedV1(EventModel):
    """An accepted application; the audit service opens the programme and requests the first audit."""

    application_id: str
    organisation_id: str = Field(description="The applicant (the central function for a group)")
    group_member_ids: list[str] = Field(
        default_factory=list, description="Other members of a group"
    )
    scheme: Scheme
    certification_body_id: str = Field(description="The body chosen to audit, e.g. sgs-tuv")
    accepted_at: datetime
