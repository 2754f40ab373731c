"""The inbox table and the claim that makes a handler run once per event id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from opentelemetry import trace
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

from cap_shared import telemetry
from cap_shared.clock import wall_now
from cap_shared.db.pgconnection import ScopedConnection, literal
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
    claimed = await claim_many(session, table, consumer=consumer, events=[(event_id, event_type)])
    return event_id in claimed


async def claim_many(
    session: AsyncSession, table: sa.Table, *, consumer: str, events: list[tuple[str, str]]
) -> set[str]:
    """Claim several event ids at once; return those not handled before (one statement)."""
    if not events:
        return set()
    return await session.run_sync(_claim, table, consumer, dict(events))


def _claim(session: Session, table: sa.Table, consumer: str, events: dict[str, str]) -> set[str]:
    connection = session.connection()
    now = wall_now()
    if connection.dialect.name == "postgresql":
        claimed = _claim_with_begin(connection, table, consumer, events, now)
        if claimed is not None:
            return claimed
        # The ids as two arrays: one statement, prepared once per connection, whatever the
        # number of events (a multi-row VALUES is a new statement, parsed and prepared again,
        # for every batch size). Plain SQL, written once per table: no statement to build,
        # compile and look up in SQLAlchemy's cache, no bind processing, at every batch.
        result = connection.exec_driver_sql(
            _claim_sql(connection.dialect, table),
            (consumer, list(events), list(events.values()), now),
        )
    else:
        rows = [
            {
                "consumer": consumer,
                "event_id": event_id,
                "event_type": event_type,
                "received_at": now,
            }
            for event_id, event_type in events.items()
        ]
        # executemany with RETURNING: sent as batched multi-row INSERTs ("insertmanyvalues").
        result = connection.execute(_claim_rows(table), rows)
    return set(result.scalars())


def _claim_with_begin(
    connection: sa.Connection,
    table: sa.Table,
    consumer: str,
    events: dict[str, str],
    now: datetime,
) -> set[str] | None:
    """PostgreSQL, the platform's connections, the claim first in its transaction: the INSERT
    goes with the transaction's ``BEGIN`` (:meth:`ScopedConnection.also_with_begin`), in the
    same round trip, its values written as literals. A simple-query message returns no rows,
    only the INSERT's count: every id is claimed when it is the number of ids (the common
    case), none when 0; otherwise the ids whose row this transaction wrote are read (``xmin``,
    one more round trip). None when the claim cannot go that way (the transaction has begun,
    a traced statement wants its span, a NUL in a value): the caller sends it alone."""
    fairy = connection.connection
    driver = fairy.driver_connection
    adapter = fairy.dbapi_connection
    if (
        not isinstance(driver, ScopedConnection)
        # SQLAlchemy's asyncpg adapter, its transaction not begun yet (else: sent alone)
        or getattr(adapter, "_transaction", True) is not None
        or not hasattr(adapter, "_execute_mutex")
        or (telemetry.enabled() and trace.get_current_span().is_recording())
    ):
        return None
    try:
        arguments = _claim_arguments(consumer, events, now)
    except ValueError:  # a NUL: sent as parameters, for PostgreSQL to refuse as before
        return None
    key, definition = _claim_prepared(connection.dialect, table)
    if not driver.also_execute_with_begin(key, definition, arguments):
        return None
    await_only(_begin(adapter))
    status = driver.begun() or ""
    verb, _, count = status.rpartition(" ")
    inserted = int(count) if verb.startswith("INSERT") and count.isdigit() else -1
    if inserted == len(events):
        return set(events)
    if inserted == 0:
        return set()
    name = connection.dialect.identifier_preparer.format_table(table)
    mine = connection.exec_driver_sql(
        f"SELECT event_id FROM {name} WHERE consumer = $1 AND event_id = ANY($2::varchar[]) "
        "AND xmin = pg_current_xact_id()::xid",
        (consumer, list(events)),
    )
    return set(mine.scalars())


async def _begin(adapter: Any) -> None:
    """Begin the adapter's transaction now (SQLAlchemy's asyncpg adapter begins it with the
    first statement otherwise), as its own statements do: under its mutex."""
    async with adapter._execute_mutex:
        if adapter._transaction is None:
            await adapter._start_transaction()


def _claim_arguments(consumer: str, events: dict[str, str], now: datetime) -> str:
    """The claim's values as literals, for its prepared statement (``ValueError`` on a NUL)."""
    ids = ", ".join(literal(event_id) for event_id in events)
    types = ", ".join(literal(event_type) for event_type in events.values())
    return (
        f"{literal(consumer)}, ARRAY[{ids}]::varchar[], ARRAY[{types}]::varchar[], "
        f"'{now.astimezone(UTC).isoformat()}'"
    )


#: Per inbox table: the claim's key among a connection's prepared statements, and its definition.
_CLAIM_PREPARED: dict[sa.Table, tuple[str, str]] = {}


def _claim_prepared(dialect: sa.Dialect, table: sa.Table) -> tuple[str, str]:
    """The claim's key among a connection's prepared statements, and its definition (its
    count is what is read: no RETURNING)."""
    prepared = _CLAIM_PREPARED.get(table)
    if prepared is None:
        sql = _claim_sql(dialect, table).removesuffix(" RETURNING event_id")
        prepared = _CLAIM_PREPARED[table] = (
            f"inbox-claim:{table.fullname}",
            f"(varchar, varchar[], varchar[], timestamptz) AS {sql}",
        )
    return prepared


_CLAIMS: dict[tuple[sa.Table, str], Any] = {}


_CLAIM_SQL: dict[sa.Table, str] = {}


def _claim_sql(dialect: sa.Dialect, table: sa.Table) -> str:
    """PostgreSQL: INSERT .. SELECT FROM unnest(ids, types) .. ON CONFLICT DO NOTHING RETURNING
    the ids inserted (``$1`` the consumer, ``$2`` and ``$3`` the ids and their types, ``$4``
    now), written once per table."""
    sql = _CLAIM_SQL.get(table)
    if sql is None:
        name = dialect.identifier_preparer.format_table(table)
        sql = _CLAIM_SQL[table] = (
            f"INSERT INTO {name} (consumer, event_id, event_type, received_at) "
            "SELECT $1::varchar, e.event_id, e.event_type, $4::timestamptz "
            "FROM unnest($2::varchar[], $3::varchar[]) AS e (event_id, event_type) "
            "ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id"
        )
    return sql


def _claim_rows(table: sa.Table) -> Any:
    """SQLite: INSERT .. ON CONFLICT DO NOTHING RETURNING the id, one row per event."""
    key = (table, "sqlite")
    statement = _CLAIMS.get(key)
    if statement is None:
        statement = (
            sqlite.insert(table)
            .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
            .returning(table.c.event_id)
        )
        _CLAIMS[key] = statement
    return statement
