"""Every query on the stored level rules (one row per referential version and revision)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling.models import LevelRuleRevision
from cap_shared.pagination import Keyset, key

#: By referential code, then version.
KEYS = Keyset(
    "level-rules",
    key(col(LevelRuleRevision.referential_code), str),
    key(col(LevelRuleRevision.referential_version), int),
)


def _latest() -> sa.Select[Any]:
    """The latest revision of every stored rule."""
    latest = (
        sa.select(
            col(LevelRuleRevision.referential_code),
            col(LevelRuleRevision.referential_version),
            sa.func.max(col(LevelRuleRevision.revision)).label("revision"),
        )
        .group_by(
            col(LevelRuleRevision.referential_code), col(LevelRuleRevision.referential_version)
        )
        .subquery()
    )
    return sa.select(LevelRuleRevision).join(
        latest,
        sa.and_(
            col(LevelRuleRevision.referential_code) == latest.c.referential_code,
            col(LevelRuleRevision.referential_version) == latest.c.referential_version,
            col(LevelRuleRevision.revision) == latest.c.revision,
        ),
    )


class LevelRuleRepository:
    """The revisions of the level rules."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest(self, *, code: str, version: int) -> LevelRuleRevision | None:
        """The latest revision of referential ``code`` version ``version``'s rule, or None."""
        query = (
            sa.select(LevelRuleRevision)
            .where(
                col(LevelRuleRevision.referential_code) == code,
                col(LevelRuleRevision.referential_version) == version,
            )
            .order_by(col(LevelRuleRevision.revision).desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalars().first()

    async def latest_of(
        self, versions: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], LevelRuleRevision]:
        """:meth:`latest` of each (code, version) of ``versions`` that has a rule, in one query."""
        wanted = set(versions)
        if not wanted:
            return {}
        query = _latest().where(
            col(LevelRuleRevision.referential_code).in_(sorted({c for c, _ in wanted})),
            col(LevelRuleRevision.referential_version).in_(sorted({v for _, v in wanted})),
        )
        rows = (await self.session.execute(query)).scalars()
        found = {(r.referential_code, r.referential_version): r for r in rows}
        return {k: r for k, r in found.items() if k in wanted}

    async def add(self, row: LevelRuleRevision) -> None:
        """Insert a revision (flushed, so a concurrent same revision raises here)."""
        self.session.add(row)
        await self.session.flush()

    async def listed(self) -> list[LevelRuleRevision]:
        """The latest revision of every stored rule, by referential code and version."""
        query = _latest().order_by(
            col(LevelRuleRevision.referential_code), col(LevelRuleRevision.referential_version)
        )
        return list((await self.session.execute(query)).scalars().all())

    async def page(
        self, *, referential_code: str | None, cursor: str | None, limit: int
    ) -> tuple[list[LevelRuleRevision], str | None]:
        """A page of :meth:`listed`, optionally of one referential."""
        query = _latest()
        if referential_code:
            query = query.where(col(LevelRuleRevision.referential_code) == referential_code)
        return await KEYS.fetch(self.session, query, cursor=cursor, limit=limit)
