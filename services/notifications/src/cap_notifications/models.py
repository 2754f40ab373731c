"""Tables of the notifications service (its own metadata, its own database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cap_shared.db import TimestampMixin, make_registry
from cap_shared.db.types import AwareDateTime
from cap_shared.runtime import infra_tables

registry = make_registry()
metadata = registry.metadata


class Base(SQLModel, registry=registry):
    """Base of this service's tables."""


#: outbox_message, inbox_message, dead_letter.
tables = infra_tables(metadata)


class Organisation(TimestampMixin, Base, table=True):
    """Read model of a member structure, fed by ``identity.organisation.registered.v1``.

    Keeps what recipients resolution needs: the name and the region.
    """

    __tablename__ = "organisation"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    region: str = Field(max_length=2, index=True)
    registered_at: datetime = Field(sa_type=AwareDateTime)


class IntakeEvent(Base, table=True):
    """Every domain event the service is to notify about, kept once (the inbox deduplicates).

    The journal recipients are resolved from: each event is stored with the organisation it
    concerns and its payload, ``pending`` until the fan-out to people and systems has run.
    """

    __tablename__ = "intake_event"
    __table_args__ = (sa.Index("ix_intake_event_status_received", "status", "received_at"),)

    event_id: str = Field(primary_key=True, max_length=64)
    event_type: str = Field(max_length=200, index=True)
    organisation_id: str | None = Field(default=None, max_length=36, index=True)
    subject: str | None = Field(default=None, max_length=200)
    occurred_at: datetime = Field(sa_type=AwareDateTime)
    received_at: datetime = Field(sa_type=AwareDateTime)
    payload: dict[str, Any] = Field(sa_type=sa.JSON)
    #: pending -> fanned_out (recipients resolved, notifications, mails and deliveries written).
    status: str = Field(default="pending", max_length=20)
    #: How many people were notified (in-app) and systems called (webhook deliveries).
    recipients: int = 0
    deliveries: int = 0


class Person(Base, table=True):
    """Read model of a person who signs in, fed by ``identity.user.changed.v1`` (full state)."""

    __tablename__ = "person"

    id: str = Field(primary_key=True, max_length=36)
    email: str = Field(max_length=254)
    name: str = Field(max_length=200)
    #: active | disabled (a disabled person is notified of nothing).
    status: str = Field(max_length=16)
    #: [{role, organisation_id, region, certification_body_id}]
    memberships: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    changed_at: datetime = Field(sa_type=AwareDateTime)


class PersonGrant(Base, table=True):
    """One membership of a person (``Person.memberships``), as indexed columns: the fan-out
    loads only the people an event can concern (the organisation's members, the region's
    facilitators, the committee, the admins) instead of everyone. Rewritten with the person."""

    __tablename__ = "person_grant"
    __table_args__ = (
        sa.Index("ix_person_grant_organisation_role", "organisation_id", "role"),
        sa.Index("ix_person_grant_role_region", "role", "region"),
    )

    person_id: str = Field(primary_key=True, max_length=36)
    #: The membership's place in ``Person.memberships``.
    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    #: Unbounded, as in the event (``MembershipV1``).
    role: str | None = Field(default=None, sa_type=sa.Text)
    organisation_id: str | None = Field(default=None, sa_type=sa.Text)
    region: str | None = Field(default=None, sa_type=sa.Text)
    certification_body_id: str | None = Field(default=None, sa_type=sa.Text)


class Notification(Base, table=True):
    """One event told to one person in the in-app feed (at most once: the unique key)."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id", name="uq_notification_event_user"),
        sa.Index("ix_notification_user_seq", "user_id", "seq"),
        sa.Index("ix_notification_user_updated", "user_id", "updated_at", "id"),
    )

    #: Increasing: the feed's order and the live stream's event id (``Last-Event-ID``).
    seq: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
    )
    id: str = Field(max_length=36, unique=True)
    event_id: str = Field(max_length=64)
    event_type: str = Field(max_length=200)
    user_id: str = Field(max_length=36)
    organisation_id: str | None = Field(default=None, max_length=36)
    title: str = Field(max_length=300)
    body: str = Field(sa_type=sa.Text)
    #: Where the front-end opens it, e.g. "/audits/<id>".
    link: str | None = Field(default=None, max_length=300)
    #: Whether it was shown in the feed (off in the preferences: kept for mail and digest only).
    in_feed: bool = True
    created_at: datetime = Field(sa_type=AwareDateTime)
    read_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    #: Created or last changed (read): the feed's delta sync (``updated_since``) follows it.
    updated_at: datetime = Field(sa_type=AwareDateTime)


class PreferenceSettings(Base, table=True):
    """A person's time zone, quiet hours and digest hour."""

    __tablename__ = "preference_settings"

    user_id: str = Field(primary_key=True, max_length=36)
    timezone: str = Field(default="Europe/Paris", max_length=64)
    #: "HH:MM" local; both None: no quiet hours.
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)
    #: Local hour the daily digest is sent.
    digest_hour: int = 8
    modified_at: datetime = Field(sa_type=AwareDateTime)


class Preference(Base, table=True):
    """A person's choice for one event type and channel: on, off or digest."""

    __tablename__ = "preference"

    user_id: str = Field(primary_key=True, max_length=36)
    event_type: str = Field(primary_key=True, max_length=200)
    #: in_app | email
    channel: str = Field(primary_key=True, max_length=10)
    #: on | off | digest
    mode: str = Field(max_length=10)


class EmailMessage(Base, table=True):
    """An e-mail to send (one event to one person, or a daily digest), sent at most once.

    ``pending`` until ``next_attempt_at``; ``sending`` while the SMTP exchange runs; ``sent`` or,
    after the retries, ``failed`` (visible to operators, never dropped silently).
    """

    __tablename__ = "email_message"
    __table_args__ = (sa.Index("ix_email_message_status_next", "status", "next_attempt_at"),)

    id: str = Field(primary_key=True, max_length=36)
    user_id: str = Field(max_length=36, index=True)
    to_address: str = Field(max_length=254)
    #: event | digest
    kind: str = Field(max_length=10)
    event_id: str | None = Field(default=None, max_length=64)
    event_type: str | None = Field(default=None, max_length=200)
    #: What the template renders: the event's data and the names it needs; for a digest, items.
    context: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=AwareDateTime)
    last_error: str | None = Field(default=None, max_length=2000)
    #: Stable across retries: receiving servers can recognise a resend.
    message_id: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=AwareDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    #: W3C trace context of the span that queued it (tracing on; else None): its sending
    #: continues that trace (docs/operations.md#traces).
    traceparent: str | None = Field(default=None, sa_type=sa.Text)
    tracestate: str | None = Field(default=None, sa_type=sa.Text)


class DigestItem(Base, table=True):
    """An event kept for a person's next daily digest."""

    __tablename__ = "digest_item"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id", name="uq_digest_item_event_user"),
        sa.Index("ix_digest_item_user_email", "user_id", "email_id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    user_id: str = Field(max_length=36)
    event_id: str = Field(max_length=64)
    event_type: str = Field(max_length=200)
    title: str = Field(max_length=300)
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=AwareDateTime)
    #: The digest e-mail that carried it (None: waiting for the next one).
    email_id: str | None = Field(default=None, max_length=36)


class WebhookSubscription(TimestampMixin, Base, table=True):
    """A system subscribed to event types (a certification body, a partner's system)."""

    __tablename__ = "webhook_subscription"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    url: str = Field(max_length=2000)
    event_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    #: Fernet token of the "whsec_..." signing secret.
    secret: str = Field(sa_type=sa.Text)
    #: active | disabled
    status: str = Field(default="active", max_length=10)
    disabled_reason: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=200)


class WebhookDelivery(Base, table=True):
    """One event to deliver to one subscription; its id is the ``webhook-id`` (stable)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "event_id", name="uq_webhook_delivery_event"),
        sa.Index("ix_webhook_delivery_status_next", "status", "next_attempt_at"),
    )

    id: str = Field(primary_key=True, max_length=64)
    subscription_id: str = Field(max_length=36, foreign_key="webhook_subscription.id", index=True)
    event_id: str = Field(max_length=64)
    event_type: str = Field(max_length=200)
    #: The JSON body sent, byte for byte on every attempt.
    payload: str = Field(sa_type=sa.Text)
    #: pending | delivered | failed | cancelled
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=AwareDateTime)
    created_at: datetime = Field(sa_type=AwareDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    last_error: str | None = Field(default=None, max_length=2000)
    #: ``attempts`` when an operator last asked for a replay (None: never replayed). The next
    #: attempt is then logged as manual, and the retry schedule starts again after it.
    replayed_after: int | None = None
    #: W3C trace context of the span that queued it (tracing on; else None): every attempt
    #: continues that trace (docs/operations.md#traces).
    traceparent: str | None = Field(default=None, sa_type=sa.Text)
    tracestate: str | None = Field(default=None, sa_type=sa.Text)


class WebhookAttempt(Base, table=True):
    """Every attempt of a delivery: when, the answer or the error, how long it took."""

    __tablename__ = "webhook_attempt"

    id: str = Field(primary_key=True, max_length=36)
    delivery_id: str = Field(max_length=64, foreign_key="webhook_delivery.id", index=True)
    number: int
    at: datetime = Field(sa_type=AwareDateTime)
    status_code: int | None = None
    latency_ms: int
    error: str | None = Field(default=None, max_length=2000)
    #: manual: a replay asked by an operator.
    manual: bool = False
