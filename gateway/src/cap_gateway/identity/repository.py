"""Every query on organisations."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_gateway.models import Organisation
from cap_shared.pagination import Keyset, key

#: Registration order (its name is bound into its cursors).
ORGANISATIONS = Keyset(
    "gateway.organisations",
    key(col(Organisation.created_at), datetime),
    key(col(Organisation.id), str),
)


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
        cursor: str | None,
        scope: tuple[list[str], list[str]] | None = None,
    ) -> tuple[list[Organisation], str | None]:
        """A page of organisations in registration order after the cursor, and the next cursor.

        ``scope``: only these organisation ids and the organisations of these regions.
        """
        query = sa.select(Organisation)
        if scope is not None:
            ids, regions = scope
            query = query.where(
                sa.or_(col(Organisation.id).in_(ids), col(Organisation.region).in_(regions))
            )
        return await ORGANISATIONS.fetch(self.session, query, cursor=cursor, limit=limit)
