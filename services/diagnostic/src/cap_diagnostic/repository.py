"""Every query of the diagnostic service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_diagnostic.models import (
    ActionReview,
    Answer,
    Diagnostic,
    GroupScoreRow,
    LatestDiagnostic,
    Organisation,
    ProgressAction,
    ProgressPlan,
    Recognition,
    ReferentialVersion,
    Resource,
    tombstones,
)
from cap_shared import clock
from cap_shared.pagination import Keyset, key, newest_first
from cap_shared.sync import Deleted, DeltaSync, record_deletion
from cap_shared.text import fold

#: The lists' stable orders (their names are bound into their cursors) and delta syncs.
DIAGNOSTICS = newest_first("diagnostic.diagnostics", col(Diagnostic.created_at), col(Diagnostic.id))
PLANS = Keyset(
    "diagnostic.progress-plans",
    key(col(ProgressPlan.created_at), datetime),
    key(col(ProgressPlan.id), str),
)


DIAGNOSTICS_SYNC = DeltaSync.timestamped("diagnostic.diagnostics", "diagnostic", Diagnostic)
PLANS_SYNC = DeltaSync.timestamped("diagnostic.progress_plans", "progress_plan", ProgressPlan)


def answers_keyset(diagnostic_id: str) -> Keyset:
    """A diagnostic's answers by criterion (cursors bound to that diagnostic's list)."""
    return Keyset(
        f"diagnostic.answers:{diagnostic_id}",
        key(col(Answer.criterion_urn), str),
        key(col(Answer.id), str),
    )


def answers_sync(diagnostic_id: str) -> DeltaSync:
    """A diagnostic's answers changed or deleted (tombstones of resource ``answer:<id>``)."""
    return DeltaSync.timestamped(
        f"diagnostic.answers:{diagnostic_id}", f"answer:{diagnostic_id}", Answer
    )


def visible(
    column: Any, organisation_ids: Sequence[str] | None, regions: Sequence[str] | None
) -> sa.ColumnElement[bool] | None:
    """Rows whose organisation ``column`` is in the scope (None: everything)."""
    if organisation_ids is None and regions is None:
        return None
    scope: sa.ColumnElement[bool] = column.in_(organisation_ids or [])
    if regions:
        in_region = sa.select(col(Organisation.id)).where(col(Organisation.region).in_(regions))
        scope = sa.or_(scope, column.in_(in_region))
    return scope


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


class ReferentialRepository:
    """Imported referential versions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, referential_id: str) -> ReferentialVersion | None:
        return await self.session.get(ReferentialVersion, referential_id)

    async def by_code(self, code: str, version: int | None = None) -> ReferentialVersion | None:
        """A version of the referential with ``code`` (the latest when ``version`` is None)."""
        query = sa.select(ReferentialVersion).where(col(ReferentialVersion.code) == code)
        if version is not None:
            query = query.where(col(ReferentialVersion.version) == version)
        query = query.order_by(col(ReferentialVersion.version).desc()).limit(1)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def by_urn(self, urn: str, version: int) -> ReferentialVersion | None:
        query = sa.select(ReferentialVersion).where(
            col(ReferentialVersion.urn) == urn, col(ReferentialVersion.version) == version
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def latest_of(self, urn: str) -> ReferentialVersion | None:
        query = (
            sa.select(ReferentialVersion)
            .where(col(ReferentialVersion.urn) == urn)
            .order_by(col(ReferentialVersion.version).desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def list(self) -> Sequence[ReferentialVersion]:
        query = sa.select(ReferentialVersion).order_by(
            col(ReferentialVersion.code), col(ReferentialVersion.version)
        )
        return (await self.session.execute(query)).scalars().all()

    async def add(self, version: ReferentialVersion) -> None:
        self.session.add(version)
        await self.session.flush()


class DiagnosticRepository:
    """Diagnostics, their answers and their scores."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, diagnostic_id: str, *, for_update: bool = False) -> Diagnostic | None:
        if for_update:
            query = (
                sa.select(Diagnostic).where(col(Diagnostic.id) == diagnostic_id).with_for_update()
            )
            return (await self.session.execute(query)).scalar_one_or_none()
        return await self.session.get(Diagnostic, diagnostic_id)

    async def add(self, diagnostic: Diagnostic) -> None:
        self.session.add(diagnostic)
        await self.session.flush()

    async def bump(self, diagnostic: Diagnostic, expected: int | None) -> bool:
        """Increment the revision, only from ``expected`` when given (compare-and-swap)."""
        query = sa.update(Diagnostic).where(col(Diagnostic.id) == diagnostic.id)
        if expected is not None:
            query = query.where(col(Diagnostic.revision) == expected)
        query = query.values(
            revision=col(Diagnostic.revision) + 1, modified_at=clock.now()
        ).returning(col(Diagnostic.revision))
        revision = (await self.session.execute(query)).scalar_one_or_none()
        if revision is None:
            return False
        diagnostic.revision = revision
        return True

    def _listed(
        self,
        *,
        organisation_ids: Sequence[str] | None,
        regions: Sequence[str] | None,
        organisation_id: str | None,
        status: str | None,
    ) -> sa.Select[Any]:
        query = sa.select(Diagnostic)
        scope = visible(col(Diagnostic.organisation_id), organisation_ids, regions)
        if scope is not None:
            query = query.where(scope)
        if organisation_id:
            query = query.where(col(Diagnostic.organisation_id) == organisation_id)
        if status:
            query = query.where(col(Diagnostic.status) == status)
        return query

    async def page(
        self,
        *,
        organisation_ids: Sequence[str] | None,
        regions: Sequence[str] | None,
        organisation_id: str | None,
        status: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Diagnostic], str | None]:
        """A page of the diagnostics visible in a scope (None: everything), newest first."""
        query = self._listed(
            organisation_ids=organisation_ids,
            regions=regions,
            organisation_id=organisation_id,
            status=status,
        )
        return await DIAGNOSTICS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def changes(
        self,
        *,
        organisation_ids: Sequence[str] | None,
        regions: Sequence[str] | None,
        organisation_id: str | None,
        status: str | None,
        since: datetime,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Diagnostic], list[Deleted], str | None]:
        """Diagnostics of the scope changed or deleted since ``since``, oldest change first."""
        query = self._listed(
            organisation_ids=organisation_ids,
            regions=regions,
            organisation_id=organisation_id,
            status=status,
        )

        def scope(column: Any) -> sa.ColumnElement[bool]:
            term = visible(column, organisation_ids, regions)
            if organisation_id:
                own = column == organisation_id
                term = own if term is None else sa.and_(term, own)
            return sa.true() if term is None else term

        return await DIAGNOSTICS_SYNC.page(
            self.session,
            query,
            tombstones,
            since=since,
            cursor=cursor,
            limit=limit,
            tombstone_scope=scope,
        )

    async def latest_completed(
        self,
        organisation_id: str,
        *,
        exclude: str | None = None,
        excluding_kinds: Sequence[str] = (),
    ) -> Sequence[Diagnostic]:
        """Completed diagnostics of an organisation, most recent completion first."""
        query = sa.select(Diagnostic).where(
            col(Diagnostic.organisation_id) == organisation_id,
            col(Diagnostic.completed_at).is_not(None),
        )
        if exclude:
            query = query.where(col(Diagnostic.id) != exclude)
        if excluding_kinds:
            query = query.where(col(Diagnostic.kind).not_in(excluding_kinds))
        query = query.order_by(col(Diagnostic.completed_at).desc())
        return (await self.session.execute(query)).scalars().all()

    async def latest_assessment(
        self, organisation_id: str, referential_code: str, *, excluding_kinds: Sequence[str]
    ) -> Diagnostic | None:
        """The organisation's most recently completed diagnostic on a referential (any version),
        leaving out some kinds."""
        query = (
            sa.select(Diagnostic)
            .join(ReferentialVersion, col(ReferentialVersion.id) == col(Diagnostic.referential_id))
            .where(
                col(Diagnostic.organisation_id) == organisation_id,
                col(Diagnostic.completed_at).is_not(None),
                col(ReferentialVersion.code) == referential_code,
                col(Diagnostic.kind).not_in(excluding_kinds),
            )
            .order_by(col(Diagnostic.completed_at).desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def by_audit(self, audit_id: str) -> Sequence[Diagnostic]:
        """The audit evaluations recorded from an audit's report (one per audited site)."""
        query = sa.select(Diagnostic).where(col(Diagnostic.audit_id) == audit_id)
        return (await self.session.execute(query)).scalars().all()

    async def latest_of(self, organisation_ids: Sequence[str]) -> Diagnostic | None:
        """The most recently created diagnostic of these organisations."""
        query = (
            sa.select(Diagnostic)
            .where(col(Diagnostic.organisation_id).in_(organisation_ids))
            .order_by(col(Diagnostic.created_at).desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def answers_page(
        self, diagnostic_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Answer], str | None]:
        """A page of a diagnostic's answers by criterion URN."""
        query = sa.select(Answer).where(col(Answer.diagnostic_id) == diagnostic_id)
        return await answers_keyset(diagnostic_id).fetch(
            self.session, query, cursor=cursor, limit=limit
        )

    async def answer_changes(
        self, diagnostic_id: str, *, since: datetime, cursor: str | None, limit: int
    ) -> tuple[list[Answer], list[Deleted], str | None]:
        """A diagnostic's answers changed or deleted since ``since``, oldest change first."""
        query = sa.select(Answer).where(col(Answer.diagnostic_id) == diagnostic_id)
        return await answers_sync(diagnostic_id).page(
            self.session, query, tombstones, since=since, cursor=cursor, limit=limit
        )

    async def answers(self, diagnostic_id: str) -> Sequence[Answer]:
        query = (
            sa.select(Answer)
            .where(col(Answer.diagnostic_id) == diagnostic_id)
            .order_by(col(Answer.criterion_urn))
        )
        return (await self.session.execute(query)).scalars().all()

    async def progress_counts(self, diagnostic_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """(rated, not applicable) answers per diagnostic, in one query."""
        if not diagnostic_ids:
            return {}
        query = (
            sa.select(
                col(Answer.diagnostic_id),
                sa.func.count(col(Answer.level)),
                sa.func.count().filter(col(Answer.not_applicable).is_(True)),
            )
            .where(col(Answer.diagnostic_id).in_(diagnostic_ids))
            .group_by(col(Answer.diagnostic_id))
        )
        return {r[0]: (int(r[1]), int(r[2])) for r in (await self.session.execute(query)).all()}

    async def answers_by_ids(self, ids: Sequence[str]) -> Sequence[Answer]:
        query = sa.select(Answer).where(col(Answer.id).in_(ids))
        return (await self.session.execute(query)).scalars().all()

    async def add_answer(self, answer: Answer) -> None:
        self.session.add(answer)

    async def delete_answers(
        self, diagnostic: Diagnostic, answers: Sequence[Answer], *, at: datetime
    ) -> None:
        """Delete answers of ``diagnostic`` and leave their tombstones (for synced clients)."""
        ids = [a.id for a in answers]
        await self.session.execute(
            sa.delete(Answer).where(
                col(Answer.diagnostic_id) == diagnostic.id, col(Answer.id).in_(ids)
            )
        )
        await record_deletion(
            self.session,
            tombstones,
            resource=f"answer:{diagnostic.id}",
            ids=ids,
            organisation_id=diagnostic.organisation_id,
            at=at,
        )

    async def replace_scores(self, diagnostic_id: str, rows: Sequence[GroupScoreRow]) -> None:
        await self.session.execute(
            sa.delete(GroupScoreRow).where(col(GroupScoreRow.diagnostic_id) == diagnostic_id)
        )
        self.session.add_all(rows)

    async def flush(self) -> None:
        await self.session.flush()


class PlanRepository:
    """Progress plans, their actions and reviews."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def plan_of(self, organisation_id: str) -> ProgressPlan | None:
        query = sa.select(ProgressPlan).where(col(ProgressPlan.organisation_id) == organisation_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def get_plan(self, plan_id: str, *, for_update: bool = False) -> ProgressPlan | None:
        if for_update:  # a write conditional on the plan's ETag: one at a time
            query = sa.select(ProgressPlan).where(col(ProgressPlan.id) == plan_id)
            return (await self.session.execute(query.with_for_update())).scalar_one_or_none()
        return await self.session.get(ProgressPlan, plan_id)

    async def add(self, item: ProgressPlan | ProgressAction | ActionReview) -> None:
        self.session.add(item)
        await self.session.flush()
        if isinstance(item, ProgressAction):
            # A plan shows its actions: a changed action is a changed plan (delta sync).
            await self.session.execute(
                sa.update(ProgressPlan)
                .where(col(ProgressPlan.id) == item.plan_id)
                .values(modified_at=clock.now())
            )

    def _plans(
        self, organisation_ids: Sequence[str] | None, regions: Sequence[str] | None
    ) -> sa.Select[Any]:
        query = sa.select(ProgressPlan)
        scope = visible(col(ProgressPlan.organisation_id), organisation_ids, regions)
        return query if scope is None else query.where(scope)

    async def plans(
        self,
        *,
        organisation_ids: Sequence[str] | None,
        regions: Sequence[str] | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[ProgressPlan], str | None]:
        """A page of the plans visible in a scope (None: everything), oldest first."""
        query = self._plans(organisation_ids, regions)
        return await PLANS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def plan_changes(
        self,
        *,
        organisation_ids: Sequence[str] | None,
        regions: Sequence[str] | None,
        since: datetime,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[ProgressPlan], list[Deleted], str | None]:
        """Plans of the scope changed (an action included) or deleted since ``since``."""

        def scope(column: Any) -> sa.ColumnElement[bool]:
            term = visible(column, organisation_ids, regions)
            return sa.true() if term is None else term

        return await PLANS_SYNC.page(
            self.session,
            self._plans(organisation_ids, regions),
            tombstones,
            since=since,
            cursor=cursor,
            limit=limit,
            tombstone_scope=scope,
        )

    async def get_action(
        self, action_id: str, *, for_update: bool = False
    ) -> ProgressAction | None:
        if for_update:
            query = sa.select(ProgressAction).where(col(ProgressAction.id) == action_id)
            return (await self.session.execute(query.with_for_update())).scalar_one_or_none()
        return await self.session.get(ProgressAction, action_id)

    async def actions(
        self, plan_id: str, *, statuses: Sequence[str] | None = None
    ) -> Sequence[ProgressAction]:
        query = sa.select(ProgressAction).where(col(ProgressAction.plan_id) == plan_id)
        if statuses:
            query = query.where(col(ProgressAction.status).in_(statuses))
        query = query.order_by(
            col(ProgressAction.due_date).asc().nulls_last(), col(ProgressAction.created_at)
        )
        return (await self.session.execute(query)).scalars().all()

    async def source_refs(self, plan_id: str) -> set[str]:
        query = sa.select(col(ProgressAction.source_ref)).where(
            col(ProgressAction.plan_id) == plan_id
        )
        return set((await self.session.execute(query)).scalars().all())

    async def reviews(self, action_id: str) -> Sequence[ActionReview]:
        query = (
            sa.select(ActionReview)
            .where(col(ActionReview.action_id) == action_id)
            .order_by(col(ActionReview.reviewed_at))
        )
        return (await self.session.execute(query)).scalars().all()

    async def due_before(
        self, day: date, statuses: Sequence[str], limit: int
    ) -> Sequence[ProgressAction]:
        """Open actions due before ``day`` whose overdue event is not out for that due date."""
        query = (
            sa.select(ProgressAction)
            .where(
                col(ProgressAction.due_date) < day,
                col(ProgressAction.status).in_(statuses),
                sa.or_(
                    col(ProgressAction.overdue_notified_for).is_(None),
                    col(ProgressAction.overdue_notified_for) != col(ProgressAction.due_date),
                ),
            )
            .order_by(col(ProgressAction.due_date), col(ProgressAction.id))
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def due_soon(
        self, today: date, horizon: date, statuses: Sequence[str], limit: int
    ) -> Sequence[ProgressAction]:
        """Open actions due between today and ``horizon`` not yet reminded for that due date."""
        query = (
            sa.select(ProgressAction)
            .where(
                col(ProgressAction.due_date) >= today,
                col(ProgressAction.due_date) <= horizon,
                col(ProgressAction.status).in_(statuses),
                sa.or_(
                    col(ProgressAction.reminded_for).is_(None),
                    col(ProgressAction.reminded_for) != col(ProgressAction.due_date),
                ),
            )
            .order_by(col(ProgressAction.due_date), col(ProgressAction.id))
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def open_summary(
        self, organisation_ids: Sequence[str], statuses: Sequence[str]
    ) -> tuple[int, date | None]:
        """How many open actions, and the nearest due date."""
        query = sa.select(sa.func.count(), sa.func.min(col(ProgressAction.due_date))).where(
            col(ProgressAction.organisation_id).in_(organisation_ids),
            col(ProgressAction.status).in_(statuses),
        )
        count, nearest = (await self.session.execute(query)).one()
        return int(count), nearest


class ResourceRepository:
    """The resource catalogue, with full-text search (French stemming on PostgreSQL)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, resource_id: str, *, for_update: bool = False) -> Resource | None:
        return await self.session.get(Resource, resource_id, with_for_update=for_update)

    async def by_code(self, code: str) -> Resource | None:
        query = sa.select(Resource).where(col(Resource.code) == code)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def add(self, resource: Resource) -> None:
        self.session.add(resource)
        await self.session.flush()

    async def delete(self, resource: Resource) -> None:
        await self.session.delete(resource)
        await self.session.flush()

    async def count(self) -> int:
        return int(
            (
                await self.session.execute(sa.select(sa.func.count()).select_from(Resource))
            ).scalar_one()
        )

    async def published(self) -> Sequence[Resource]:
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

    async def save_recognition(self, recognition: Recognition) -> None:
        """Insert or update a recognition, unless what is stored is more recent."""
        stored = await self.session.get(Recognition, recognition.id)
        if stored is not None and stored.changed_at >= recognition.changed_at:
            return
        await self.session.merge(recognition)
        await self.session.flush()

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
        query = (
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(*self._filters(regions, siae_type))
        )
        return int((await self.session.execute(query)).scalar_one())

    async def organisation_ids(
        self, *, regions: Sequence[str] | None, siae_type: str | None
    ) -> list[str]:
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
