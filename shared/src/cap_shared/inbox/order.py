"""Apply the events of one aggregate in order, whatever order the broker delivers them in.

A delivery that failed is retried after a delay, so a later event about the same subject may be
handled before it; two consumers of one queue may also handle two of them at once. A producer
gives such events a ``subjectversion`` (1, 2, 3… per stream and subject, see
:mod:`cap_shared.outbox.versions`), and the consumer wraps the handler with :func:`in_order`,
which keeps, per (handler, stream, subject), the last version applied (``inbox_subject_version``,
written in the handler's transaction) and follows one of two policies:

* ``"latest"`` -- for state projections (the event carries the whole state the handler keeps):
  an event older than, or as old as, the last one applied is skipped (acked, no effect); a newer
  one is applied even if some between were not (they are superseded).
* ``"next"`` -- for transitions (the effect depends on the previous change having been
  applied): only the version after the last one applied is applied; an older one is skipped, a
  later one raises :class:`EarlyEvent`, a transient failure: the broker retries it after its
  delays (it is "parked" in the retry queue) until its predecessor has been applied. The handler
  must receive every event of the stream about the subject (a gap parks its successors until
  they are dead-lettered with it; replaying the dead letters in order resumes the stream).

The (handler, stream, subject) row is locked before the check, so two consumers handling
versions of one subject at once are serialised. An event without ``subjectversion`` (from a
producer that does not version it) is handled as before, unordered.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.contracts.envelope import Envelope
from cap_shared.inbox.consumer import EventHandler
from cap_shared.outbox.versions import stream_of

logger = logging.getLogger(__name__)

APPLIED_VERSION_TABLE = "inbox_subject_version"

Policy = Literal["latest", "next"]


class EarlyEvent(Exception):
    """The event's predecessor has not been applied yet: retried later (never dead-lettered at
    once, it is not the event's fault)."""


def applied_version_table(metadata: sa.MetaData) -> sa.Table:
    """Define ``inbox_subject_version`` in ``metadata`` (once per service)."""
    return sa.Table(
        APPLIED_VERSION_TABLE,
        metadata,
        sa.Column("handler", sa.String(100), primary_key=True),
        sa.Column("stream", sa.String(200), primary_key=True),
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )


def in_order(handler: EventHandler, *, name: str, policy: Policy, table: sa.Table) -> EventHandler:
    """``handler``, applying the versioned events of each subject in order under ``policy``;
    ``name`` identifies it in ``table`` (stable across releases, unique in the service)."""
    if policy not in ("latest", "next"):
        msg = f"unknown order policy {policy!r}"
        raise ValueError(msg)

    async def ordered(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        version, subject = envelope.subjectversion, envelope.subject
        if version is None or subject is None:
            await handler(session, envelope, event)
            return
        key = {"handler": name, "stream": stream_of(envelope.type), "subject": subject}
        last = await _lock_last(session, table, key)
        if version <= last:
            logger.info(
                "%s: %s v%d of %s skipped, v%d already applied",
                name, envelope.type, version, subject, last,
            )  # fmt: skip
            return
        if policy == "next" and version != last + 1:
            msg = f"{envelope.type} v{version} of {subject} before v{last + 1}: parked"
            raise EarlyEvent(msg)
        await handler(session, envelope, event)
        await session.execute(
            sa.update(table)
            .where(*(table.c[column] == value for column, value in key.items()))
            .values(version=version)
        )

    ordered.__name__ = getattr(handler, "__name__", name)
    ordered.__doc__ = handler.__doc__
    return ordered


async def last_applied(session: AsyncSession, table: sa.Table, *, handler: str, stream: str,
                       subject: str) -> int:  # fmt: skip
    """The last version of ``subject`` in ``stream`` that ``handler`` applied (0: none)."""
    found = await session.execute(
        sa.select(table.c.version).where(
            table.c.handler == handler, table.c.stream == stream, table.c.subject == subject
        )
    )
    return int(found.scalar_one_or_none() or 0)


async def _lock_last(session: AsyncSession, table: sa.Table, key: dict[str, str]) -> int:
    """Create the row if missing (a concurrent creator waits for this transaction), lock it,
    and return its version (0: nothing applied yet)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(table)
        .values(**key, version=0)
        .on_conflict_do_nothing(index_elements=["handler", "stream", "subject"])
    )
    found = await session.execute(
        sa.select(table.c.version)
        .where(*(table.c[column] == value for column, value in key.items()))
        .with_for_update()
    )
    return int(found.scalar_one())
