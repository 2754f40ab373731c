"""The outbox table, declared in each service's own metadata (and migrated by its Alembic)."""

from __future__ import annotations

import sqlalchemy as sa

from cap_shared.db.types import AwareDateTime

OUTBOX_TABLE = "outbox_message"
BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    """Define ``outbox_message`` in ``metadata`` (once per service)."""
    return sa.Table(
        OUTBOX_TABLE,
        metadata,
        # seq gives the publication order; event_id is what consumers deduplicate on.
        sa.Column("seq", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("routing_key", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        sa.Column("created_at", AwareDateTime(), nullable=False),
        sa.Column("published_at", AwareDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", AwareDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Index(
            "ix_outbox_message_pending",
            "seq",
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        ),
        sa.Index("ix_outbox_message_published_at", "published_at"),
    )
