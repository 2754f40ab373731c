"""Queries on progress plans, their actions and reviews."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_diagnostic.models import ActionReview, ProgressAction, ProgressPlan, tombstones
from cap_diagnostic.organisations.repository import in_scope
from cap_shared import clock
from cap_shared.pagination import Keyset, key
from cap_shared.sync import Deleted, DeltaSync

#: The list's stable order (its name is bound into its cursors) and its delta sync.
PLANS = Keyset(
    "diagnostic.progress-plans",
    key(col(ProgressPlan.created_at), datetime),
    key(col(ProgressPlan.id), str),
)
PLANS_SYNC = DeltaSync.timestamped("diagnostic.progress_plans", "progress_plan", ProgressPlan)


class PlanRepository:
    """Progress plans, their actions and reviews."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def plan_of(self, organisation_id: str) -> ProgressPlan | None:
        """The organisation's plan, or None before its first one."""
        query = sa.select(ProgressPlan).where(col(ProgressPlan.organisation_id) == organisation_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def get_plan(self, plan_id: str, *, for_update: bool = False) -> ProgressPlan | None:
        """One plan, or None; ``for_update`` locks it until the transaction ends."""
        if for_update:  # a write conditional on the plan's ETag: one at a time
            query = sa.select(ProgressPlan).where(col(ProgressPlan.id) == plan_id)
            return (await self.session.execute(query.with_for_update())).scalar_one_or_none()
        return await self.session.get(ProgressPlan, plan_id)

    async def add(self, item: ProgressPlan | ProgressAction | ActionReview) -> None:
        """Insert or update a plan, an action or a review (a changed action changes its plan)."""
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
        scope = in_scope(
            col(ProgressPlan.organisation_id), organisation_ids=organisation_ids, regions=regions
        )
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
            term = in_scope(column, organisation_ids=organisation_ids, regions=regions)
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
        """One action, or None; ``for_update`` locks it until the transaction ends."""
        if for_update:
            query = sa.select(ProgressAction).where(col(ProgressAction.id) == action_id)
            return (await self.session.execute(query.with_for_update())).scalar_one_or_none()
        return await self.session.get(ProgressAction, action_id)

    async def actions(
        self, plan_id: str, *, statuses: Sequence[str] | None = None
    ) -> Sequence[ProgressAction]:
        """A plan's actions (only in ``statuses`` when given), nearest due date first."""
        query = sa.select(ProgressAction).where(col(ProgressAction.plan_id) == plan_id)
        if statuses:
            query = query.where(col(ProgressAction.status).in_(statuses))
        query = query.order_by(
            col(ProgressAction.due_date).asc().nulls_last(), col(ProgressAction.created_at)
        )
        return (await self.session.execute(query)).scalars().all()

    async def source_refs(self, plan_id: str) -> set[str]:
        """What the plan's actions were proposed from (their ``source_ref``)."""
        query = sa.select(col(ProgressAction.source_ref)).where(
            col(ProgressAction.plan_id) == plan_id
        )
        return set((await self.session.execute(query)).scalars().all())

    async def reviews(self, action_id: str) -> Sequence[ActionReview]:
        """An action's reviews, oldest first."""
        query = (
            sa.select(ActionReview)
            .where(col(ActionReview.action_id) == action_id)
            .order_by(col(ActionReview.reviewed_at))
        )
        return (await self.session.execute(query)).scalars().all()

    async def due_before(
        self, day: date, *, statuses: Sequence[str], limit: int
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
        self, today: date, *, horizon: date, statuses: Sequence[str], limit: int
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
        self, organisation_ids: Sequence[str], *, statuses: Sequence[str]
    ) -> tuple[int, date | None]:
        """How many open actions, and the nearest due date."""
        query = sa.select(sa.func.count(), sa.func.min(col(ProgressAction.due_date))).where(
            col(ProgressAction.organisation_id).in_(organisation_ids),
            col(ProgressAction.status).in_(statuses),
        )
        count, nearest = (await self.session.execute(query)).one()
        return int(count), nearest

    async def flush(self) -> None:
        """Send the pending changes of loaded rows."""
        await self.session.flush()
