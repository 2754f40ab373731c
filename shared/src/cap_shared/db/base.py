"""Per-service metadata with a naming convention, and the timestamp mixin."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field

from cap_shared import clock
from cap_shared.db.types import AwareDateTime

#: Constraint names Alembic can find again on both PostgreSQL and SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_registry() -> registry:
    """A registry with its own MetaData, so each service's tables stay apart in one process."""
    return registry(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION))


class TimestampMixin:
    """created_at / modified_at columns, set by the application on the service's clock (works
    on both databases)."""

    created_at: datetime = Field(
        default_factory=clock.now,
        sa_type=AwareDateTime,
        nullable=False,
    )
    modified_at: datetime | None = Field(
        default=None,
        sa_type=AwareDateTime,
        sa_column_kwargs={"onupdate": clock.now},
    )
