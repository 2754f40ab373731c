"""The outbox table, declared in each service's own metadata (and migrated by its Alembic)."""

from __future__ import annotations

import sqlalchemy as sa

from cap_shared.db.types import AwareDateTime

OUTBOX_TABLE = "outbox_message"
BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


#: PostgreSQL: every INSERT into the outbox notifies the relays at commit (NOTIFY is scoped to
#: the database; notifications of one transaction are folded into one). Services create it in
#: their migrations with this same SQL; ``metadata.create_all`` creates it through the DDL events.
NOTIFY_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION cap_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cap_outbox', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""
NOTIFY_TRIGGER_SQL = (
    "CREATE TRIGGER outbox_message_notify AFTER INSERT ON outbox_message "
    "FOR EACH STATEMENT EXECUTE FUNCTION cap_outbox_notify()"
)


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    """Define ``outbox_message`` in ``metadata`` (once per service)."""
    table = _outbox_table(metadata)
    for statement in (NOTIFY_FUNCTION_SQL, NOTIFY_TRIGGER_SQL):
        ddl = sa.DDL(statement)  # type: ignore[no-untyped-call]  # untyped in SQLAlchemy
        sa.event.listen(table, "after_create", ddl.execute_if(dialect="postgresql"))
    return table


def _outbox_table(metadata: sa.MetaData) -> sa.Table:
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
