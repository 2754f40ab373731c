"""Every query of the labelling service."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.models import Organisation


class OrganisationRepository:
    """The organisation read model."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, *, organisation_id: str) -> Organisation | None:
        """One organisation, or None."""
        return await self.session.get(Organisation, organisation_id)

    async def save(self, organisation: Organisation) -> Organisation:
        """Insert or replace an organisation (events may be replayed)."""
        merged = await self.session.merge(organisation)
        await self.session.flush()
        return merged
