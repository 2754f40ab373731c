"""Write an event into the outbox, inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import sqlalchemy as sa
from opentelemetry import trace
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from cap_shared import telemetry
from cap_shared.clock import wall_now
from cap_shared.contracts.envelope import Envelope
from cap_shared.db.pgconnection import ScopedConnection, literal
from cap_shared.db.session import OUTBOX_PENDING
from cap_shared.outbox.versions import SUBJECT_VERSION_TABLE, stream_of, take_version

#: PostgreSQL channel the relays LISTEN on, notified by the outbox table's trigger.
NOTIFY_CHANNEL = "cap_outbox"

_INSERTS: dict[sa.Table, sa.Insert] = {}


def _insert_of(table: sa.Table) -> sa.Insert:
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = sa.insert(table)
    return statement


async def add_event(
    session: AsyncSession, table: sa.Table, envelope: Envelope, *, versioned: bool = False
) -> Envelope:
    """Record ``envelope`` for publication; it is published only if the transaction commits.

    ``versioned``: the event is a change of its ``subject`` that consumers apply in order; it
    gets the subject's next ``subjectversion`` in its stream (``outbox_subject_version``, in the
    same metadata as ``table``). Returns the envelope as recorded.

    Tracing on, the envelope carries the current span as its ``traceparent``/``tracestate``
    (unless it has one already): its publication and handling continue that trace.
    """
    if telemetry.enabled() and envelope.traceparent is None:
        carrier: dict[str, str] = {}
        telemetry.inject(carrier)
        if carrier:
            envelope = envelope.model_copy(update=carrier)
    if versioned and envelope.subject is None:
        msg = f"a versioned {envelope.type} event needs a subject"
        raise ValueError(msg)
    # The version (when asked) and the row in one pass through the session's connection:
    # SQLAlchemy Core, its statements compiled once, rather than a trip through the ORM's
    # execute per statement.
    envelope = await session.run_sync(_record, table, envelope, versioned)
    # Wakes an in-process relay after the commit; on PostgreSQL the table's trigger also
    # NOTIFYs relays in other processes (at commit only: a rollback sends nothing).
    session.info[OUTBOX_PENDING] = True
    return envelope


def _record(session: Session, table: sa.Table, envelope: Envelope, versioned: bool) -> Envelope:
    connection = session.connection()
    if versioned:
        assert envelope.subject is not None  # checked by add_event
        versions = table.metadata.tables[SUBJECT_VERSION_TABLE]
        version = take_version(
            connection, versions, stream=stream_of(envelope.type), subject=envelope.subject
        )
        envelope = envelope.model_copy(update={"subjectversion": version})
    values = {
        "event_id": envelope.id,
        "event_type": envelope.type,
        "routing_key": envelope.type,
        "payload": envelope.to_json().decode(),
        "correlation_id": envelope.correlationid,
        "created_at": wall_now(),
    }
    # PostgreSQL: nobody reads what the INSERT returns, so it goes with the next statement or
    # the COMMIT rather than in a round trip of its own (cap_shared.db.pgconnection). In a
    # recorded trace it is sent alone, for its span.
    traced = telemetry.enabled() and trace.get_current_span().is_recording()
    if connection.dialect.name == "postgresql" and not traced:
        driver = connection.connection.driver_connection
        if isinstance(driver, ScopedConnection) and _defer_insert(
            driver, connection.dialect, table, values
        ):
            return envelope
    # One statement per table, values as parameters: building an INSERT with .values() on every
    # call costs more CPU than the rest of the write.
    connection.execute(_insert_of(table), values)
    return envelope


_COLUMNS = ("event_id", "event_type", "routing_key", "payload", "correlation_id", "created_at")
#: Per outbox table: its key among a connection's prepared statements, and their definition.
_PREPARED: dict[sa.Table, tuple[str, str]] = {}


def _defer_insert(
    driver: ScopedConnection, dialect: sa.Dialect, table: sa.Table, values: dict[str, Any]
) -> bool:
    """Defer the outbox row's INSERT (a prepared statement of the session, its values written
    as literals); False when it cannot be (a NUL in a value, no transaction open)."""
    prepared = _PREPARED.get(table)
    if prepared is None:
        name = dialect.identifier_preparer.format_table(table)
        prepared = _PREPARED[table] = (
            f"outbox:{name}",
            f"(text, text, text, text, text, timestamptz) AS INSERT INTO {name} "
            f"({', '.join(_COLUMNS)}) VALUES ($1, $2, $3, $4, $5, $6)",
        )
    try:
        texts = [
            "NULL" if values[column] is None else literal(values[column])
            for column in _COLUMNS[:-1]
        ]
    except ValueError:  # a NUL: sent as a parameter, for PostgreSQL to refuse as before
        return False
    texts.append(f"'{values['created_at'].astimezone(UTC).isoformat()}'")
    key, definition = prepared
    return driver.defer_execute(key, definition, ", ".join(texts))
