"""Every query of the maturity evaluated at audits."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_audit.models import EvaluatedMaturity


class MaturityRepository:
    """The evaluated maturity per audit, criterion and site."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save_all(self, levels: Sequence[EvaluatedMaturity]) -> None:
        """Insert or replace these evaluations (a criterion at a site is evaluated once; the
        last of a batch naming it twice wins), in one statement whatever their number."""
        rows = {
            (m.audit_id, m.site_id, m.criterion_urn): {
                "audit_id": m.audit_id,
                "site_id": m.site_id,
                "criterion_urn": m.criterion_urn,
                "level": m.level,
                "not_applicable": m.not_applicable,
                "comment": m.comment,
            }
            for m in levels
        }
        if not rows:
            return
        await self.session.flush()  # what the unit of work holds goes first, as merge() did
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(EvaluatedMaturity).values(list(rows.values()))
        statement = statement.on_conflict_do_update(
            index_elements=["audit_id", "site_id", "criterion_urn"],
            set_={
                "level": statement.excluded.level,
                "not_applicable": statement.excluded.not_applicable,
                "comment": statement.excluded.comment,
            },
        )
        await self.session.execute(statement)
        # Rows of this audit already in the session's identity map are now stale.
        for row in [
            o for o in self.session.identity_map.values() if isinstance(o, EvaluatedMaturity)
        ]:
            self.session.expire(row)

    async def of_audit(self, audit_id: str) -> Sequence[EvaluatedMaturity]:
        """The audit's evaluations."""
        query = sa.select(EvaluatedMaturity).where(col(EvaluatedMaturity.audit_id) == audit_id)
        return (await self.session.execute(query)).scalars().all()
