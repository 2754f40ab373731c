"""Every query on organisations."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_gateway.models import Organisation


class OrganisationRepository:
    """Organisations of the identity database."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, *, organisation_id: str) -> Organisation | None:
        """One organisation, or None."""
        return await self.session.get(Organisation, organisation_id)

    async def get_by_siret(self, *, siret: str) -> Organisation | None:
        """The organisation with this SIRET, or None."""
        result = await self.session.execute(
            sa.select(Organisation).where(col(Organisation.siret) == siret)
        )
        return result.scalar_one_or_none()

    async def add(self, organisation: Organisation) -> Organisation:
        """Insert (flushes, so a duplicate SIRET raises IntegrityError here)."""
        self.session.add(organisation)
        await self.session.flush()
        return organisation

    async def list_page(
        self,
        *,
        limit: int,
        after: tuple[datetime, str] | None,
        scope: tuple[list[str], list[str]] | None = None,
    ) -> list[Organisation]:
        """Organisations in registration order, after the cursor position.

        ``scope``: only these organisation ids and the organisations of these regions.
        """
        created, key = col(Organisation.created_at), col(Organisation.id)
        query = sa.select(Organisation).order_by(created, key)
        if scope is not None:
            ids, regions = scope
            query = query.where(sa.or_(key.in_(ids), col(Organisation.region).in_(regions)))
        if after is not None:
            created_at, org_id = after
            query = query.where(
                sa.or_(created > created_at, sa.and_(created == created_at, key > org_id))
            )
        result = await self.session.execute(query.limit(limit))
        return list(result.scalars())
