"""The inbox table and the claim that makes a handler run once per event id."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.clock import wall_now
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
        "received_at": wall_now(),
    }
    stmt = _claim_statement(table, session.get_bind().dialect.name, returning=False)
    result = await session.execute(stmt, values)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def claim_many(
    session: AsyncSession, table: sa.Table, *, consumer: str, events: list[tuple[str, str]]
) -> set[str]:
    """Claim several event ids at once; return those not handled before (one statement)."""
    if not events:
        return set()
    now = wall_now()
    rows = [
        {"consumer": consumer, "event_id": event_id, "event_type": event_type, "received_at": now}
        for event_id, event_type in dict(events).items()
    ]
    stmt = _claim_statement(table, session.get_bind().dialect.name, returning=True)
    # executemany with RETURNING: SQLAlchemy sends it as batched multi-row INSERTs
    # ("insertmanyvalues") from one compiled statement, whatever the number of rows.
    result = await session.execute(stmt, rows)
    return set(result.scalars())


_CLAIMS: dict[tuple[sa.Table, str, bool], Any] = {}


def _claim_statement(table: sa.Table, dialect: str, *, returning: bool) -> Any:
    """One INSERT .. ON CONFLICT DO NOTHING per (table, dialect), built once: building it per
    call costs more CPU than running it."""
    key = (table, dialect, returning)
    statement = _CLAIMS.get(key)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(table).on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        if returning:
            statement = statement.returning(table.c.event_id)
        _CLAIMS[key] = statement
    return statement
