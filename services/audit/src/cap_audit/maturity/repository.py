"""Every query of the maturity evaluated at audits."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_audit.models import EvaluatedMaturity


class MaturityRepository:
    """The evaluated maturity per audit, criterion and site."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save(self, level: EvaluatedMaturity) -> None:
        """Insert or replace one evaluation (a criterion at a site is evaluated once)."""
        await self.session.merge(level)

    async def flush(self) -> None:
        """Send the evaluations saved so far."""
        await self.session.flush()

    async def of_audit(self, audit_id: str) -> Sequence[EvaluatedMaturity]:
        """The audit's evaluations."""
        query = sa.select(EvaluatedMaturity).where(col(EvaluatedMaturity.audit_id) == audit_id)
        return (await self.session.execute(query)).scalars().all()
