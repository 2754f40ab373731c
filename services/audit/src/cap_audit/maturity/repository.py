"""Every query of the maturity evaluated at audits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_audit.models import EvaluatedMaturity, metadata


class MaturityRepository:
    """The evaluated maturity per audit, criterion and site."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save_all(self, levels: Sequence[Mapping[str, Any]]) -> None:
        """Insert or replace these evaluations (``audit_id``, ``site_id``, ``criterion_urn``,
        ``level``, ``not_applicable``, ``comment``; a criterion at a site is evaluated once, the
        last of a batch naming it twice wins), in one statement whatever their number."""
        rows = {(m["audit_id"], m["site_id"], m["criterion_urn"]): dict(m) for m in levels}
        if not rows:
            return
        await self.session.flush()  # what the unit of work holds goes first, as merge() did
        table = metadata.tables["evaluated_maturity"]  # Core: no ORM bookkeeping per row
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(table).values(list(rows.values()))
        statement = statement.on_conflict_do_update(
            index_elements=["audit_id", "site_id", "criterion_urn"],
            set_={
                "level": statement.excluded.level,
                "not_applicable": statement.excluded.not_applicable,
                "comment": statement.excluded.comment,
            },
        )
        await self.session.execute(statement)
        # Rows already in the session's identity map are now stale.
        for row in [
            o for o in self.session.identity_map.values() if isinstance(o, EvaluatedMaturity)
        ]:
            self.session.expire(row)

    async def of_audit(self, audit_id: str) -> Sequence[EvaluatedMaturity]:
        """The audit's evaluations."""
        query = sa.select(EvaluatedMaturity).where(col(EvaluatedMaturity.audit_id) == audit_id)
        return (await self.session.execute(query)).scalars().all()
