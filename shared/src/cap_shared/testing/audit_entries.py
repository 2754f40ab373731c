"""Reading a service's audit trail in tests: the entries a step appended, and their JSON.

``AuditLog(db, tables.audit_log)``: :meth:`AuditLog.mark` remembers where the log ends,
:meth:`AuditLog.new` returns what was appended since (and marks again), so a test asserts that
one change appended exactly the entries it should — and a refused one nothing.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from cap_shared.audit import AuditEntry
from cap_shared.db.session import Database


def loads(text: str | None) -> Any:
    """``before`` / ``after`` of an entry as data (None stays None)."""
    return None if text is None else json.loads(text)


class AuditLog:
    """One service's ``audit_log``, read through its database."""

    def __init__(self, db: Database, table: sa.Table) -> None:
        self.db = db
        self.table = table
        self.seq = 0

    async def entries(self, *, after_seq: int = 0) -> list[AuditEntry]:
        """The entries after ``after_seq``, in order."""
        async with self.db.session() as session:
            rows = (
                await session.execute(
                    sa.select(self.table)
                    .where(self.table.c.seq > after_seq)
                    .order_by(self.table.c.seq)
                )
            ).all()
        return [AuditEntry.of(r) for r in rows]

    async def mark(self) -> int:
        """Remember where the log ends now; that ``seq``."""
        async with self.db.session() as session:
            last = (await session.execute(sa.select(sa.func.max(self.table.c.seq)))).scalar()
        self.seq = int(last or 0)
        return self.seq

    async def new(self) -> list[AuditEntry]:
        """The entries appended since the last mark (then marked again)."""
        found = await self.entries(after_seq=self.seq)
        if found:
            self.seq = found[-1].seq
        return found

    async def one(self, action: str) -> AuditEntry:
        """The one entry appended since the last mark, which must be ``action``."""
        found = await self.new()
        assert [e.action for e in found] == [action], [e.action for e in found]
        return found[0]
