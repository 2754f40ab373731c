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
    status: str = Field(default="pending", max_length=20)
