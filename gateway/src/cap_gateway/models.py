"""Tables of the gateway's identity database."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cap_shared.db import TimestampMixin, make_registry
from cap_shared.runtime import infra_tables

registry = make_registry()
metadata = registry.metadata


class Base(SQLModel, registry=registry):
    """Base of the gateway's tables."""


tables = infra_tables(metadata)


class Organisation(TimestampMixin, Base, table=True):
    """A member structure — the tenant every other record belongs to."""

    __tablename__ = "organisation"

    id: str = Field(primary_key=True, max_length=36)
    siret: str = Field(max_length=14, unique=True)
    name: str = Field(max_length=200)
    siae_types: list[str] = Field(sa_type=sa.JSON)
    region: str = Field(max_length=2, index=True)
    delegation: str | None = Field(default=None, max_length=200)
