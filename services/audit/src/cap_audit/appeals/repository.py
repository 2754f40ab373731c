"""Every query of appeals against findings."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_audit.models import FindingAppeal


class AppealRepository:
    """Appeals against findings."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, appeal: FindingAppeal) -> None:
        """Insert or update an appeal now."""
        self.session.add(appeal)
        await self.session.flush()

    async def appeals_of(self, finding_ids: Sequence[str]) -> dict[str, FindingAppeal]:
        """The appeals of these findings, by finding."""
        if not finding_ids:
            return {}
        query = sa.select(FindingAppeal).where(col(FindingAppeal.finding_id).in_(finding_ids))
        return {a.finding_id: a for a in (await self.session.execute(query)).scalars().all()}
