"""Queries on imported referential versions."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_diagnostic.models import ReferentialVersion


class ReferentialRepository:
    """Imported referential versions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, referential_id: str) -> ReferentialVersion | None:
        """One version by id, or None."""
        return await self.session.get(ReferentialVersion, referential_id)

    async def by_code(
        self, code: str, version: int | None = None, *, published_only: bool = False
    ) -> ReferentialVersion | None:
        """A version of the referential with ``code`` (the latest when ``version`` is None; the
        latest published one with ``published_only``)."""
        query = sa.select(ReferentialVersion).where(col(ReferentialVersion.code) == code)
        if version is not None:
            query = query.where(col(ReferentialVersion.version) == version)
        if published_only:
            query = query.where(col(ReferentialVersion.published_at).is_not(None))
        query = query.order_by(col(ReferentialVersion.version).desc()).limit(1)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def by_urn(self, urn: str, version: int) -> ReferentialVersion | None:
        """The version of the referential ``urn``, or None."""
        query = sa.select(ReferentialVersion).where(
            col(ReferentialVersion.urn) == urn, col(ReferentialVersion.version) == version
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def latest_of(self, urn: str) -> ReferentialVersion | None:
        """The latest version of the referential ``urn``, or None."""
        query = (
            sa.select(ReferentialVersion)
            .where(col(ReferentialVersion.urn) == urn)
            .order_by(col(ReferentialVersion.version).desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def list(self) -> Sequence[ReferentialVersion]:
        """Every imported version, by code then version."""
        query = sa.select(ReferentialVersion).order_by(
            col(ReferentialVersion.code), col(ReferentialVersion.version)
        )
        return (await self.session.execute(query)).scalars().all()

    async def save(self, version: ReferentialVersion) -> None:
        """Write a changed version (its publication)."""
        self.session.add(version)
        await self.session.flush()

    async def add(self, version: ReferentialVersion) -> None:
        """Insert a new version."""
        self.session.add(version)
        await self.session.flush()
