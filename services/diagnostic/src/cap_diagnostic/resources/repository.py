"""Queries on the resource catalogue, with full-text search (French stemming on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_diagnostic.models import Resource
from cap_shared.text import fold


class ResourceRepository:
    """The resource catalogue, with full-text search (French stemming on PostgreSQL)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, resource_id: str, *, for_update: bool = False) -> Resource | None:
        """One entry, or None; ``for_update`` locks it until the transaction ends."""
        return await self.session.get(Resource, resource_id, with_for_update=for_update)

    async def by_code(self, code: str) -> Resource | None:
        """The entry with this code, or None."""
        query = sa.select(Resource).where(col(Resource.code) == code)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def add(self, resource: Resource) -> None:
        """Insert or update an entry."""
        self.session.add(resource)
        await self.session.flush()

    async def delete(self, resource: Resource) -> None:
        """Delete an entry."""
        await self.session.delete(resource)
        await self.session.flush()

    async def count(self) -> int:
        """How many entries the catalogue holds."""
        return int(
            (
                await self.session.execute(sa.select(sa.func.count()).select_from(Resource))
            ).scalar_one()
        )

    async def published(self) -> Sequence[Resource]:
        """The published entries, by code."""
        query = (
            sa.select(Resource)
            .where(col(Resource.published).is_(True))
            .order_by(col(Resource.code))
        )
        return (await self.session.execute(query)).scalars().all()

    async def search(
        self,
        *,
        text: str | None,
        kind: str | None,
        include_unpublished: bool,
        limit: int | None,
    ) -> Sequence[tuple[Resource, float]]:
        """Resources matching ``text`` (all words, stemmed), best first, with their rank."""
        query = sa.select(Resource)
        rank: sa.ColumnElement[float] = sa.literal(0.0)
        if not include_unpublished:
            query = query.where(col(Resource.published).is_(True))
        if kind:
            query = query.where(col(Resource.kind) == kind)
        if text:
            if self.session.get_bind().dialect.name == "postgresql":
                tsquery = sa.func.websearch_to_tsquery(sa.literal_column("'french'"), text)
                vector: sa.ColumnElement[Any] = sa.literal_column("resource.search")
                query = query.where(vector.op("@@")(tsquery))
                rank = sa.func.ts_rank_cd(vector, tsquery)
            else:
                haystack = sa.func.lower(
                    col(Resource.title)
                    + " "
                    + col(Resource.summary)
                    + " "
                    + col(Resource.description)
                    + " "
                    + col(Resource.keywords)
                )
                for word in fold(text).split():
                    query = query.where(sa.func.cap_fold(haystack).contains(word))
        ranked = query.add_columns(rank.label("rank")).order_by(
            sa.desc("rank"), col(Resource.title), col(Resource.id)
        )
        if limit is not None:
            ranked = ranked.limit(limit)
        return [(row[0], float(row[1])) for row in (await self.session.execute(ranked)).all()]
