"""Write an event into the outbox, inside the caller's transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared import telemetry
from cap_shared.clock import wall_now
from cap_shared.contracts.envelope import Envelope
from cap_shared.db.session import OUTBOX_PENDING
from cap_shared.outbox.versions import SUBJECT_VERSION_TABLE, next_version, stream_of

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
    if versioned:
        if envelope.subject is None:
            msg = f"a versioned {envelope.type} event needs a subject"
            raise ValueError(msg)
        versions = table.metadata.tables[SUBJECT_VERSION_TABLE]
        version = await next_version(
            session, versions, stream=stream_of(envelope.type), subject=envelope.subject
        )
        envelope = envelope.model_copy(update={"subjectversion": version})
    # One statement per table, values as parameters: building an INSERT with .values() on every
    # call costs more CPU than the rest of the write.
    await session.execute(
        _insert_of(table),
        {
            "event_id": envelope.id,
            "event_type": envelope.type,
            "routing_key": envelope.type,
            "payload": envelope.to_json().decode(),
            "correlation_id": envelope.correlationid,
            "created_at": wall_now(),
        },
    )
    # Wakes an in-process relay after the commit; on PostgreSQL the table's trigger also
    # NOTIFYs relays in other processes (at commit only: a rollback sends nothing).
    session.info[OUTBOX_PENDING] = True
    return envelope
