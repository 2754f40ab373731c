"""Configuration read at start-up (files, not rows) in the audit trail: a data step appends an
entry for each item whose loaded state differs from the last one recorded, so the trail says
which values a service's decisions rested on, and since when."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.audit.canonical import canonical_json
from cap_shared.audit.log import record_change


async def last_recorded(
    session: AsyncSession, table: sa.Table, record_type: str, record_id: str
) -> str | None:
    """The canonical JSON of the state last recorded for the record (None: never recorded)."""
    return (
        await session.execute(
            sa.select(table.c.after)
            .where(table.c.record_type == record_type, table.c.record_id == record_id)
            .order_by(table.c.seq.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def record_if_changed(
    session: AsyncSession,
    table: sa.Table,
    *,
    record_type: str,
    action: str,
    states: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    """Append ``action`` for each record of ``states`` (id → JSON-able state) whose state differs
    from the last one recorded (the first time, with nothing before); the ids recorded, sorted.
    Idempotent: a data step may run it at every start."""
    changed = []
    for record_id, after in sorted(states.items()):
        last = await last_recorded(session, table, record_type, record_id)
        if last is not None and last == canonical_json(after):
            continue
        await record_change(
            session,
            table,
            action=action,
            record_type=record_type,
            record_id=record_id,
            before=None if last is None else json.loads(last),
            after=after,
        )
        changed.append(record_id)
    return changed
