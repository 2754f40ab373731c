"""Every query on engagements."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling.models import Engagement
from cap_shared.pagination import newest_first

#: Most recent first (created_at, id descending).
KEYS = newest_first("committee-engagements", col(Engagement.created_at), col(Engagement.id))


class EngagementRepository:
    """People's engagements with structures."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, engagement: Engagement) -> None:
        """Insert an engagement."""
        self.session.add(engagement)
        await self.session.flush()

    async def get(self, engagement_id: str) -> Engagement | None:
        """An engagement by id."""
        return await self.session.get(Engagement, engagement_id)

    async def save(self, *engagements: Engagement) -> None:
        """Insert or replace engagements (a redelivered event changes nothing)."""
        for engagement in engagements:
            await self.session.merge(engagement)
        await self.session.flush()

    async def of_person(
        self, user_id: str, *, organisation_id: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Engagement], str | None]:
        """A page of a person's engagements (with one structure), most recent first."""
        query = sa.select(Engagement).where(col(Engagement.user_id) == user_id)
        if organisation_id:
            query = query.where(col(Engagement.organisation_id) == organisation_id)
        return await KEYS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def barring(
        self, *, people: set[str], organisation_ids: list[str], kinds: frozenset[str]
    ) -> list[Engagement]:
        """The engagements of ``kinds`` of any of ``people`` with any of the structures."""
        query = sa.select(Engagement).where(
            col(Engagement.user_id).in_(sorted(people)),
            col(Engagement.organisation_id).in_(organisation_ids),
            col(Engagement.kind).in_(sorted(kinds)),
        )
        return list((await self.session.execute(query)).scalars().all())
