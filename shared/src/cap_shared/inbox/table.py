"""The inbox table and the claim that makes a handler run once per event id."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.db.base import utcnow
from cap_shared.db.types import AwareDateTime

INBOX_TABLE = "inbox_message"


def inbox_table(metadata: sa.MetaData) -> sa.Table:
    """Define ``inbox_message`` in ``metadata`` (once per service)."""
    return sa.Table(
        INBOX_TABLE,
        metadata,
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("received_at", AwareDateTime(), nullable=False),
    )


async def claim(
    session: AsyncSession, table: sa.Table, *, consumer: str, event_id: str, event_type: str
) -> bool:
    """Record that ``consumer`` handles ``event_id`` in this transaction; False if already done.

    On PostgreSQL a concurrent transaction claiming the same id waits for this one: if it
    commits the other gets False, if it rolls back the other proceeds.
    """
    values = {
        "consumer": consumer,
        "event_id": event_id,
        "event_type": event_type,
        "received_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
    )
    result = await session.execute(stmt)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def claim_many(
    session: AsyncSession, table: sa.Table, *, consumer: str, events: list[tuple[str, str]]
) -> set[str]:
    """Claim several event ids at once; return those not handled before (one statement)."""
    if not events:
        return set()
    now = utcnow()
    rows = [
        {"consumer": consumer, "event_id": event_id, "event_type": event_type, "received_at": now}
        for event_id, event_type in dict(events).items()
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        .returning(table.c.event_id)
    )
    result = await session.execute(stmt)
    return set(result.scalars())
