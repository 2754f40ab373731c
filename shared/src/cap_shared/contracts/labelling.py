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
    decided_on: date | None = Field(default=None, description="The decision of this cycle")
    cycle_start: date | None = Field(
        default=None,
        description="The day the cycle's schedule counts from: the decision for a first grant, "
        "the previous expiry for a renewal or a restoration",
    )
    scope: str | None = Field(default=None, max_length=2000)


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


@event_model(
    "label.expiring.v1",
    producer="labelling",
    summary="A label or certificate expires in 90, 30 or 7 days (published once per step).",
)
class LabelExpiringV1(EventModel):
    """A recognition nears its expiry date: the renewal must be decided before it."""

    recognition_id: str
    number: str
    organisation_id: str
    scheme: Scheme
    level: str | None = None
    expiry_date: date
    days_before: int = Field(description="90, 30 or 7")


@event_model(
    "label.surveillance_due.v1",
    producer="labelling",
    summary="A recognition's surveillance (or follow-up) audit is due soon, or overdue.",
)
class LabelSurveillanceDueV1(EventModel):
    """A surveillance audit is due (``upcoming``) or past its date (``overdue``)."""

    recognition_id: str
    number: str
    organisation_id: str
    scheme: Scheme
    due_date: date
    stage: Literal["upcoming", "overdue"]
    days: int = Field(description="Days before (upcoming) or after (overdue) the due date")


@event_model(
    "labelling.decision.opened.v1",
    producer="labelling",
    summary="An audit report opened (or reopened) a decision file for the labelling committee.",
)
class DecisionOpenedV1(EventModel):
    """A decision file awaits the committee (CAP RSE) or the body's decision (CAP ISO 9001)."""

    decision_id: str
    organisation_id: str
    scheme: Scheme
    kind: Literal["initial", "renewal"]
    audit_id: str
    computed_level: str | None = Field(default=None, description="CAP RSE level from the rule")


@event_model(
    "labelling.complaint.received.v1",
    producer="labelling",
    summary="Someone flagged a listed recognition from the public registry: a complaint opens.",
)
class ComplaintReceivedV1(EventModel):
    """A complaint about a recognition (the complainant's details stay in the labelling service)."""

    complaint_id: str
    recognition_id: str
    number: str
    organisation_id: str
    received_at: datetime


@event_model(
    "decision.held.v1",
    producer="labelling",
    summary="A decision to grant was recorded but holds until the audit's majors are verified.",
)
class DecisionHeldV1(EventModel):
    """No recognition becomes active while a major nonconformity of the deciding audit is not
    verified closed: the decision (the body's, for CAP ISO 9001) is kept and takes effect when
    they are, or lapses when a new stage 2 is required."""

    decision_id: str
    organisation_id: str
    scheme: Scheme
    audit_id: str
    certification_body_id: str | None = None
    open_major_nc: int = Field(ge=1)
    held_until: date | None = Field(
        default=None, description="After this day a new stage 2 (evaluation) is required"
    )


@event_model(
    "decision.appeal_lodged.v1",
    producer="labelling",
    summary="A structure appealed a labelling or certification decision.",
)
class DecisionAppealLodgedV1(EventModel):
    """An appeal against a decision (ISO/IEC 17021-1 §9.7), within the scheme's appeal period."""

    appeal_id: str
    decision_id: str
    organisation_id: str
    scheme: Scheme
    certification_body_id: str | None = None
    decision_status: str = Field(description="The decision appealed: granted or refused")
    lodged_by: str
    lodged_at: datetime


@event_model(
    "decision.appeal_decided.v1",
    producer="labelling",
    summary="An appeal against a decision was decided by people who took no part in it.",
)
class DecisionAppealDecidedV1(EventModel):
    """The outcome: upheld (the decision stands) or overturned (the file is decided again)."""

    appeal_id: str
    decision_id: str
    organisation_id: str
    scheme: Scheme
    outcome: Literal["upheld", "overturned"]
    decided_by: str
    decided_at: datetime
    reason: str = Field(max_length=2000)


@event_model(
    "decision.taken.v1",
    producer="labelling",
    summary="The labelling committee decided on a CAP RSE file: granted, refused or deferred.",
)
class DecisionTakenV1(EventModel):
    """The committee's decision on a CAP RSE file (the body's CAP ISO 9001 decision is
    ``certification.decided.v1``). A refusal or a granted level may be appealed until
    ``appeal_until``; a deferral says what the committee waits for."""

    decision_id: str
    organisation_id: str
    group_member_ids: list[str] = Field(default_factory=list)
    scheme: Scheme
    kind: Literal["initial", "renewal"]
    outcome: Literal["granted", "refused", "deferred"]
    level: str | None = Field(default=None, description="The level granted")
    computed_level: str | None = Field(default=None, description="The level the rule gives")
    reason: str | None = Field(default=None, max_length=2000)
    decided_on: date
    appeal_until: date | None = Field(
        default=None, description="Last day to appeal a refusal or a granted level"
    )


@event_model(
    "labelling.group_invitation.sent.v1",
    producer="labelling",
    summary="A structure was named as a member of another structure's group application: its "
    "member_admin accepts or declines.",
)
class GroupInvitationSentV1(EventModel):
    """An invitation to join a group application (CAP RSE or CAP ISO 9001): nothing of the
    invited structure reaches the applicant before its member_admin accepts. Addressed to the
    invited structure (``organisation_id``)."""

    invitation_id: str
    application_id: str
    organisation_id: str = Field(description="The invited structure")
    applicant_organisation_id: str = Field(description="The group's central function")
    applicant_name: str = Field(max_length=200, description="The central function's name")
    scheme: Scheme
    certification_body_id: str
    invited_at: datetime
