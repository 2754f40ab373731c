"""Tables of the diagnostic service (its own metadata, its own database)."""

from __future__ import annotations

from datetime import datetime

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

    Keeps only what diagnostics need: who, which SIAE types, which region.
    """

    __tablename__ = "organisation"

    id: str = Field(primary_key=True, max_length=36)
    siret: str = Field(max_length=14, index=True)
    name: str = Field(max_length=200)
    siae_types: list[str] = Field(sa_type=sa.JSON)
    region: str = Field(max_length=2, index=True)
    delegation: str | None = Field(default=None, max_length=200)
    registered_at: datetime = Field(sa_type=AwareDateTime)
