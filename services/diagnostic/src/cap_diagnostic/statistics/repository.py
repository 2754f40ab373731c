"""Queries of network statistics: aggregates over each structure's latest completed diagnostic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_diagnostic.models import (
    Diagnostic,
    GroupScoreRow,
    LatestDiagnostic,
    Organisation,
    Recognition,
    ReferentialVersion,
)


class StatisticsRepository:
    """Aggregates over each structure's latest completed diagnostic (``latest_diagnostic``),
    computed in SQL so that only a few dozen rows come back."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _filters(
        regions: Sequence[str] | None, siae_type: str | None
    ) -> list[sa.ColumnElement[bool]]:
        filters: list[sa.ColumnElement[bool]] = []
        if regions is not None:
            filters.append(col(Organisation.region).in_(regions))
        if siae_type:
            # siae_type is one of a closed set (validated by the route): no LIKE wildcard inside.
            filters.append(sa.cast(col(Organisation.siae_types), sa.Text).like(f'%"{siae_type}"%'))
        return filters

    async def record_latest(self, diagnostic: Diagnostic, referential_code: str) -> None:
        """Make ``diagnostic`` its organisation's latest on this referential, unless a later
        completion is already recorded (concurrent completions: the most recent one wins)."""
        assert diagnostic.completed_at is not None
        insert = (
            pg_insert(LatestDiagnostic)
            if self.session.get_bind().dialect.name == "postgresql"
            else sqlite_insert(LatestDiagnostic)
        )
        values = {
            "organisation_id": diagnostic.organisation_id,
            "referential_code": referential_code,
            "diagnostic_id": diagnostic.id,
            "completed_at": diagnostic.completed_at,
            "overall_score": diagnostic.overall_score,
        }
        statement = insert.values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["organisation_id", "referential_code"],
            set_={
                k: statement.excluded[k] for k in ("diagnostic_id", "completed_at", "overall_score")
            },
            where=col(LatestDiagnostic.completed_at) < statement.excluded.completed_at,
        )
        await self.session.execute(statement)

    def _types(self) -> Any:
        """One row per (organisation, SIAE type) from the JSON list."""
        if self.session.get_bind().dialect.name == "postgresql":
            return sa.func.json_array_elements_text(col(Organisation.siae_types)).table_valued(
                "value"
            )
        return sa.func.json_each(col(Organisation.siae_types)).table_valued("value")

    async def cells(
        self, *, referential: str, regions: Sequence[str] | None, siae_type: str | None
    ) -> Sequence[Any]:
        """(region, SIAE type, structures, diagnosed) for organisations in scope."""
        types = self._types()
        latest = col(LatestDiagnostic.organisation_id)

        def holding(scheme: str) -> Any:
            active = sa.select(col(Recognition.organisation_id)).where(
                col(Recognition.scheme) == scheme, col(Recognition.status) == "active"
            )
            return sa.func.sum(sa.case((col(Organisation.id).in_(active), 1), else_=0))

        query = (
            sa.select(
                col(Organisation.region),
                types.c.value,
                sa.func.count(),
                sa.func.count(latest),
                holding("CAP_RSE"),
                holding("CAP_ISO9001"),
            )
            .select_from(Organisation)
            .join(types, sa.true())
            .outerjoin(
                LatestDiagnostic,
                sa.and_(
                    latest == col(Organisation.id),
                    col(LatestDiagnostic.referential_code) == referential,
                ),
            )
            .where(*self._filters(regions, None))
            .group_by(col(Organisation.region), types.c.value)
            .order_by(col(Organisation.region), types.c.value)
        )
        if siae_type:
            query = query.where(types.c.value == siae_type)
        return (await self.session.execute(query)).all()

    async def holders(
        self, *, regions: Sequence[str] | None, siae_type: str | None
    ) -> dict[str, int]:
        """Structures in scope holding an active recognition, per scheme."""
        query = (
            sa.select(
                col(Recognition.scheme),
                sa.func.count(sa.distinct(col(Recognition.organisation_id))),
            )
            .join(Organisation, col(Organisation.id) == col(Recognition.organisation_id))
            .where(col(Recognition.status) == "active", *self._filters(regions, siae_type))
            .group_by(col(Recognition.scheme))
        )
        return {scheme: int(n) for scheme, n in (await self.session.execute(query)).all()}

    async def count_organisations(
        self, *, regions: Sequence[str] | None, siae_type: str | None
    ) -> int:
        """How many structures are in the scope."""
        query = (
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(*self._filters(regions, siae_type))
        )
        return int((await self.session.execute(query)).scalar_one())

    async def organisation_ids(
        self, *, regions: Sequence[str] | None, siae_type: str | None
    ) -> list[str]:
        """The ids of the structures in the scope."""
        query = sa.select(col(Organisation.id)).where(*self._filters(regions, siae_type))
        return list((await self.session.execute(query)).scalars().all())

    def _latest_in_scope(
        self, referential: str, regions: Sequence[str] | None, siae_type: str | None
    ) -> Any:
        query = sa.select(LatestDiagnostic).where(
            col(LatestDiagnostic.referential_code) == referential
        )
        filters = self._filters(regions, siae_type)
        if filters:
            query = query.join(
                Organisation, col(Organisation.id) == col(LatestDiagnostic.organisation_id)
            ).where(*filters)
        return query

    async def overall_summary(
        self, *, referential: str, regions: Sequence[str] | None, siae_type: str | None
    ) -> tuple[int, float | None]:
        """How many structures in scope are diagnosed, and the median of their latest score."""
        latest = self._latest_in_scope(referential, regions, siae_type).subquery()
        if self.session.get_bind().dialect.name == "postgresql":
            median = sa.func.percentile_cont(0.5).within_group(latest.c.overall_score)
            count, value = (await self.session.execute(sa.select(sa.func.count(), median))).one()
            return int(count), None if value is None else float(value)
        scores = sorted(
            s
            for s in (await self.session.execute(sa.select(latest.c.overall_score))).scalars()
            if s is not None
        )
        count = int(
            (
                await self.session.execute(sa.select(sa.func.count()).select_from(latest))
            ).scalar_one()
        )
        if not scores:
            return count, None
        mid = len(scores) // 2
        return count, float(scores[mid]) if len(scores) % 2 else (scores[mid - 1] + scores[mid]) / 2

    async def band_counts(
        self, *, referential: str, regions: Sequence[str] | None, siae_type: str | None
    ) -> Sequence[Any]:
        """(group, code, band, structures) over the latest diagnostics (themes and frameworks)."""
        latest = self._latest_in_scope(referential, regions, siae_type).subquery()
        query = (
            sa.select(
                col(GroupScoreRow.group),
                col(GroupScoreRow.code),
                col(GroupScoreRow.band),
                sa.func.count(),
            )
            .join(latest, latest.c.diagnostic_id == col(GroupScoreRow.diagnostic_id))
            .where(col(GroupScoreRow.group) != "overall")
            .group_by(col(GroupScoreRow.group), col(GroupScoreRow.code), col(GroupScoreRow.band))
            .order_by(col(GroupScoreRow.group), col(GroupScoreRow.code), col(GroupScoreRow.band))
        )
        return (await self.session.execute(query)).all()

    async def quarterly(
        self, *, referential: str, regions: Sequence[str] | None, siae_type: str | None
    ) -> Sequence[Any]:
        """(quarter, structures, diagnostics, average overall score) of completions."""
        quarter = col(Diagnostic.completed_quarter)
        query = (
            sa.select(
                quarter,
                sa.func.count(sa.distinct(col(Diagnostic.organisation_id))),
                sa.func.count(),
                sa.func.avg(col(Diagnostic.overall_score)),
            )
            .join(ReferentialVersion, col(ReferentialVersion.id) == col(Diagnostic.referential_id))
            .where(quarter.is_not(None), col(ReferentialVersion.code) == referential)
            .group_by(quarter)
            .order_by(quarter)
        )
        filters = self._filters(regions, siae_type)
        if filters:
            query = query.join(
                Organisation, col(Organisation.id) == col(Diagnostic.organisation_id)
            ).where(*filters)
        return (await self.session.execute(query)).all()

    async def latest_scores(
        self, *, referential: str, organisation_ids: Sequence[str]
    ) -> list[tuple[str, str, str, int | None]]:
        """(organisation, group, code, score) of the latest diagnostic of each organisation."""
        if not organisation_ids:
            return []
        query = (
            sa.select(
                col(LatestDiagnostic.organisation_id),
                col(GroupScoreRow.group),
                col(GroupScoreRow.code),
                col(GroupScoreRow.score),
            )
            .join(
                GroupScoreRow,
                col(GroupScoreRow.diagnostic_id) == col(LatestDiagnostic.diagnostic_id),
            )
            .where(
                col(LatestDiagnostic.referential_code) == referential,
                col(LatestDiagnostic.organisation_id).in_(organisation_ids),
            )
        )
        return [(r[0], r[1], r[2], r[3]) for r in (await self.session.execute(query)).all()]
