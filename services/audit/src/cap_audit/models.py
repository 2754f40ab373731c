"""Tables of the audit service (its own metadata, its own database)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cap_shared.db import TimestampMixin, make_registry
from cap_shared.db.types import AwareDateTime
from cap_shared.runtime import infra_tables
from cap_shared.sync import tombstone_table

registry = make_registry()
metadata = registry.metadata


class Base(SQLModel, registry=registry):
    """Base of this service's tables."""


#: outbox_message, inbox_message, dead_letter.
tables = infra_tables(metadata)
#: Deletions remembered for delta sync (``?updated_since=``: docs/api/lists.md).
tombstones = tombstone_table(metadata)


class Organisation(TimestampMixin, Base, table=True):
    """Read model of a member structure, fed by ``identity.organisation.registered.v1``.

    Keeps only what audits need: who and where.
    """

    __tablename__ = "organisation"

    id: str = Field(primary_key=True, max_length=36)
    siret: str = Field(max_length=14, index=True)
    name: str = Field(max_length=200)
    region: str = Field(max_length=2, index=True)
    registered_at: datetime = Field(sa_type=AwareDateTime)


class CertificationBody(TimestampMixin, Base, table=True):
    """A certification body (e.g. SGS TUV) and its accreditation."""

    __tablename__ = "certification_body"

    id: str = Field(primary_key=True, max_length=60)
    name: str = Field(max_length=200)
    accreditation: str | None = Field(default=None, max_length=200)
    schemes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    active: bool = True


class Auditor(TimestampMixin, Base, table=True):
    """An auditor of a body; ``user_id`` links the platform account (role ``auditor``).

    ``planner``: this person plans the body's audits, so is told of every audit requested from
    the body (an auditor who is not one hears only of the audits they are assigned to).
    """

    __tablename__ = "auditor"

    id: str = Field(primary_key=True, max_length=36)
    certification_body_id: str = Field(
        max_length=60, foreign_key="certification_body.id", index=True
    )
    user_id: str | None = Field(default=None, max_length=36, index=True)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    #: [{"scheme": "CAP_ISO9001", "valid_from": "2025-01-01", "valid_until": "2027-12-31"}]
    qualifications: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    active: bool = True
    planner: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class Engagement(Base, table=True):
    """Someone's engagement with an organisation on a date (impartiality): an auditor's, or a
    platform account's (a facilitator of an accompanied CAP session), matched to auditors
    through ``Auditor.user_id``."""

    __tablename__ = "engagement"

    id: str = Field(primary_key=True, max_length=36)
    auditor_id: str | None = Field(
        default=None, max_length=36, foreign_key="auditor.id", index=True
    )
    user_id: str | None = Field(default=None, max_length=36, index=True)
    organisation_id: str = Field(max_length=36, index=True)
    kind: str = Field(max_length=20)  # consultancy | accompaniment | training | audited
    on: date
    #: ``audited``: the audit and the role held (the consecutive-lead limit counts leads).
    audit_id: str | None = Field(default=None, max_length=36)
    role: str | None = Field(default=None, max_length=20)
    #: ``accompaniment`` from a CAP session: the diagnostic (recorded once).
    diagnostic_id: str | None = Field(default=None, max_length=36)
    note: str | None = Field(default=None, max_length=1000)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_type=AwareDateTime)


class Programme(TimestampMixin, Base, table=True):
    """An organisation's (or group's) audit programme for one scheme, from an accepted application."""

    __tablename__ = "programme"
    __table_args__ = (sa.UniqueConstraint("application_id"),)

    id: str = Field(primary_key=True, max_length=36)
    application_id: str = Field(max_length=36)
    organisation_id: str = Field(max_length=36, index=True)
    group_member_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    scheme: str = Field(max_length=20)
    certification_body_id: str = Field(max_length=60)
    accepted_on: date
    #: The certification or labelling decision of the current cycle (recognition events).
    decided_on: date | None = None
    #: The current certification cycle: its number, the day its schedule counts from and the
    #: recognition's real expiry (``recognition.status_changed.v1``), and that recognition.
    cycle: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    cycle_start: date | None = None
    expiry_date: date | None = None
    recognition_id: str | None = Field(default=None, max_length=36)


class Audit(TimestampMixin, Base, table=True):
    """One audit of a programme."""

    __tablename__ = "audit"

    id: str = Field(primary_key=True, max_length=36)
    programme_id: str = Field(max_length=36, foreign_key="programme.id", index=True)
    organisation_id: str = Field(max_length=36, index=True)
    scheme: str = Field(max_length=20)
    type: str = Field(max_length=20)
    status: str = Field(max_length=20, index=True)
    certification_body_id: str = Field(max_length=60, index=True)
    #: The certification cycle the audit belongs to (the programme's when requested).
    cycle: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    due_by: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    plan: str | None = Field(default=None, sa_type=sa.Text)
    #: The sites the plan covers (the central function and group members).
    site_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    requested_at: datetime = Field(sa_type=AwareDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    report_submitted_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    report_summary: str | None = Field(default=None, sa_type=sa.Text)
    closed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    cancel_reason: str | None = Field(default=None, max_length=1000)
    revision: int = 1
    #: The signed report document (file store key, SHA-256, size).
    report_document_key: str | None = Field(default=None, max_length=300)
    report_document_sha256: str | None = Field(default=None, max_length=64)
    report_document_size: int | None = None
    report_document_uploaded_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    #: The body's certification decision (CAP ISO 9001 stage 2 or renewal), as it sent it.
    decision_outcome: str | None = Field(default=None, max_length=20)  # granted | refused
    decided_on: date | None = None
    decided_by: str | None = Field(default=None, max_length=200)
    certificate_number: str | None = Field(default=None, max_length=60)
    decision_scope: str | None = Field(default=None, sa_type=sa.Text)
    decision_excluded_member_ids: list[str] | None = Field(default=None, sa_type=sa.JSON)
    decision_reason: str | None = Field(default=None, sa_type=sa.Text)
    decision_recorded_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    #: Majors of the audit not verified closed when the decision was recorded.
    decision_open_major_nc: int | None = None
    #: ``audit.stage2_required.v1`` published (majors not verified in time), once.
    stage2_required_on: date | None = None


class Assignment(Base, table=True):
    """An auditor on an audit's team, with the impartiality declaration made on assignment."""

    __tablename__ = "assignment"

    audit_id: str = Field(primary_key=True, max_length=36, foreign_key="audit.id")
    auditor_id: str = Field(primary_key=True, max_length=36, foreign_key="auditor.id")
    role: str = Field(max_length=20)  # lead | auditor | expert | observer
    declaration: str = Field(sa_type=sa.Text)
    declared_by: str = Field(max_length=200)
    declared_at: datetime = Field(sa_type=AwareDateTime)


class Finding(TimestampMixin, Base, table=True):
    """A finding of an audit and, for a nonconformity, the organisation's answer and its check."""

    __tablename__ = "finding"

    id: str = Field(primary_key=True, max_length=36)
    audit_id: str = Field(max_length=36, foreign_key="audit.id", index=True)
    organisation_id: str = Field(max_length=36, index=True)
    type: str = Field(max_length=20)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=sa.Text)
    criterion_urn: str | None = Field(default=None, max_length=200)
    clause: str | None = Field(default=None, max_length=40)
    #: The group member (site) it was found at; None: the audited organisation itself.
    site_id: str | None = Field(default=None, max_length=36)
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    status: str = Field(max_length=20)
    response_due: date | None = None
    #: An answered major is verified by then (``major_verification_days``).
    verification_due: date | None = None
    #: A minor escalated to major when the next audit's report was submitted (that audit), or
    #: a major added for minors adding up: ``minor_nc``.
    escalated_from: str | None = Field(default=None, max_length=20)
    escalated_on: date | None = None
    escalated_by_audit_id: str | None = Field(default=None, max_length=36, index=True)
    #: Days spent under appeal (deadlines stop meanwhile).
    appealed_days: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    root_cause: str | None = Field(default=None, sa_type=sa.Text)
    correction: str | None = Field(default=None, sa_type=sa.Text)
    corrective_action: str | None = Field(default=None, sa_type=sa.Text)
    action_due: date | None = None
    response_evidence: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    responded_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    auditor_comment: str | None = Field(default=None, sa_type=sa.Text)
    verified_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    verified_by: str | None = Field(default=None, max_length=200)
    #: Reminder/escalation stages already published ("reminder:<due>", "overdue:<due>").
    notices: list[str] = Field(default_factory=list, sa_type=sa.JSON)


class FindingAppeal(Base, table=True):
    """The audited structure's appeal against a finding, and its outcome (17021-1 §9.7)."""

    __tablename__ = "finding_appeal"

    id: str = Field(primary_key=True, max_length=36)
    finding_id: str = Field(max_length=36, foreign_key="finding.id", unique=True)
    audit_id: str = Field(max_length=36, index=True)
    organisation_id: str = Field(max_length=36, index=True)
    reason: str = Field(sa_type=sa.Text)
    lodged_by: str = Field(max_length=200)
    lodged_at: datetime = Field(sa_type=AwareDateTime)
    #: The finding's status when appealed (restored unless withdrawn).
    status_before: str = Field(max_length=20)
    outcome: str | None = Field(default=None, max_length=20)  # upheld | overturned | downgraded
    decision_reason: str | None = Field(default=None, sa_type=sa.Text)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class EvaluatedMaturity(Base, table=True):
    """The auditor's evaluated maturity for a criterion at a site (CAP RSE)."""

    __tablename__ = "evaluated_maturity"

    audit_id: str = Field(primary_key=True, max_length=36, foreign_key="audit.id")
    #: The group member evaluated; "" for the audited organisation itself (part of the key).
    site_id: str = Field(
        default="", primary_key=True, max_length=36, sa_column_kwargs={"server_default": ""}
    )
    criterion_urn: str = Field(primary_key=True, max_length=200)
    level: int
    not_applicable: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    comment: str | None = Field(default=None, sa_type=sa.Text)


class ActiveRecognition(Base, table=True):
    """Read model of recognitions (``recognition.status_changed.v1``): surveillance needs one."""

    __tablename__ = "recognition"

    id: str = Field(primary_key=True, max_length=36)
    organisation_id: str = Field(max_length=36, index=True)
    scheme: str = Field(max_length=20)
    status: str = Field(max_length=20)
    effective_date: date
    expiry_date: date
    changed_at: datetime = Field(sa_type=AwareDateTime)


class BodySecret(Base, table=True):
    """A body's webhook signing secret (encrypted); during a rotation the previous one stays
    valid until ``expires_at``."""

    __tablename__ = "body_secret"

    id: str = Field(primary_key=True, max_length=36)
    certification_body_id: str = Field(
        max_length=60, foreign_key="certification_body.id", index=True
    )
    secret: str = Field(sa_type=sa.Text)  # Fernet token of "whsec_..."
    created_at: datetime = Field(sa_type=AwareDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class InboundWebhook(Base, table=True):
    """A webhook applied once: a redelivery with the same ``webhook-id`` changes nothing."""

    __tablename__ = "inbound_webhook"

    certification_body_id: str = Field(primary_key=True, max_length=60)
    webhook_id: str = Field(primary_key=True, max_length=200)
    type: str = Field(max_length=60)
    received_at: datetime = Field(sa_type=AwareDateTime)


class BodyConnection(TimestampMixin, Base, table=True):
    """How the platform reaches a body's system: its API, its token endpoint, our credentials."""

    __tablename__ = "body_connection"

    certification_body_id: str = Field(
        primary_key=True, max_length=60, foreign_key="certification_body.id"
    )
    api_url: str = Field(max_length=500)
    token_url: str = Field(max_length=500)
    client_id: str = Field(max_length=200)
    client_secret: str = Field(sa_type=sa.Text)  # encrypted
    #: Where the body sends its webhooks (this platform's public URL of the webhook route).
    callback_url: str = Field(max_length=500)


class BodyDelivery(TimestampMixin, Base, table=True):
    """Something to send to a body's system (an audit request), until it is accepted."""

    __tablename__ = "body_delivery"
    __table_args__ = (sa.Index("ix_body_delivery_due", "status", "next_attempt_at"),)

    id: str = Field(primary_key=True, max_length=36)
    certification_body_id: str = Field(max_length=60, index=True)
    audit_id: str = Field(max_length=36, index=True)
    kind: str = Field(max_length=40)
    payload: dict[str, Any] = Field(sa_type=sa.JSON)
    status: str = Field(max_length=20)  # pending | delivered | failed
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    delivered_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    reference: str | None = Field(default=None, max_length=200)


class DeliveryAttempt(Base, table=True):
    """One attempt of a delivery: when, what came back, how long it took."""

    __tablename__ = "body_delivery_attempt"

    delivery_id: str = Field(primary_key=True, max_length=36, foreign_key="body_delivery.id")
    number: int = Field(primary_key=True)
    at: datetime = Field(sa_type=AwareDateTime)
    status_code: int | None = None
    latency_ms: int | None = None
    error: str | None = Field(default=None, max_length=1000)
