"""Per-subject versions of the events a producer records: 1, 2, 3… per (stream, subject).

The counter row of a (stream, subject) is incremented by an upsert in the transaction that
records the event, so it stays locked until that transaction ends: two transactions changing
the same aggregate get consecutive versions in their commit order, and a rolled-back one gives
its number back (no gap). A stream is an event type without its ``.vN``: a new version of a
contract continues the numbering.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

SUBJECT_VERSION_TABLE = "outbox_subject_version"

_VERSION_SUFFIX = re.compile(r"\.v[1-9][0-9]*$")


def subject_version_table(metadata: sa.MetaData) -> sa.Table:
    """Define ``outbox_subject_version`` in ``metadata`` (once per service)."""
    return sa.Table(
        SUBJECT_VERSION_TABLE,
        metadata,
        sa.Column("stream", sa.String(200), primary_key=True),
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )


def stream_of(event_type: str) -> str:
    """The stream of an event type: ``recognition.status_changed.v1`` -> ``recognition.status_changed``."""
    return _VERSION_SUFFIX.sub("", event_type)


_STATEMENTS: dict[tuple[sa.Table, str], Any] = {}


async def next_version(session: AsyncSession, table: sa.Table, *, stream: str, subject: str) -> int:
    """The next version of ``subject`` in ``stream`` (1 for its first event), taken in the
    caller's transaction."""
    return await session.run_sync(
        lambda sync: take_version(sync.connection(), table, stream=stream, subject=subject)
    )


def take_version(connection: sa.Connection, table: sa.Table, *, stream: str, subject: str) -> int:
    """:func:`next_version` on the transaction's connection (sync: inside ``run_sync``)."""
    dialect = connection.dialect.name
    statement = _STATEMENTS.get((table, dialect))
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        base = insert(table)
        statement = _STATEMENTS[(table, dialect)] = base.on_conflict_do_update(
            index_elements=["stream", "subject"], set_={"version": table.c.version + 1}
        ).returning(table.c.version)
    result = connection.execute(statement, {"stream": stream, "subject": subject, "version": 1})
    return int(result.scalar_one())
