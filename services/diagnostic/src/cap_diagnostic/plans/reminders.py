"""Reminders of progress actions: ``action.due_soon.v1`` ahead of a due date and
``action.overdue.v1`` past it, each once per action and due date (a periodic job)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.models import ProgressAction, tables
from cap_diagnostic.plans.repository import PlanRepository
from cap_diagnostic.plans.rules import OPEN
from cap_shared.contracts import new_event
from cap_shared.contracts.diagnostic import ActionDueSoonV1, ActionOverdueV1
from cap_shared.outbox import add_event

SOURCE = "/cap/diagnostic"
OVERDUE_BATCH = 500


async def _announce(
    session: AsyncSession,
    action: ProgressAction,
    event: ActionOverdueV1 | ActionDueSoonV1,
    actor: str,
) -> None:
    """Publish ``event`` about ``action`` (through the outbox)."""
    await add_event(
        session, tables.outbox, new_event(event, source=SOURCE, subject=action.id, actor=actor)
    )


async def detect_overdue(session: AsyncSession, today: date) -> int:
    """Publish ``action.overdue.v1`` once per action and due date; how many this run."""
    repo = PlanRepository(session)
    actions = await repo.due_before(today, statuses=OPEN, limit=OVERDUE_BATCH)
    for action in actions:
        assert action.due_date is not None
        event = ActionOverdueV1(
            action_id=action.id,
            plan_id=action.plan_id,
            organisation_id=action.organisation_id,
            title=action.title,
            criterion_code=action.criterion_code,
            owner=action.owner,
            priority=action.priority,
            due_date=action.due_date,
            detected_on=today,
            days_overdue=(today - action.due_date).days,
        )
        await _announce(session, action, event, "system:overdue-detector")
        action.overdue_notified_for = action.due_date
    await repo.flush()
    return len(actions)


async def remind_due_soon(session: AsyncSession, today: date, days: int) -> int:
    """Publish ``action.due_soon.v1`` once per open action and due date, ``days`` ahead."""
    repo = PlanRepository(session)
    actions = await repo.due_soon(
        today, horizon=today + timedelta(days=days), statuses=OPEN, limit=OVERDUE_BATCH
    )
    for action in actions:
        assert action.due_date is not None
        event = ActionDueSoonV1(
            action_id=action.id,
            plan_id=action.plan_id,
            organisation_id=action.organisation_id,
            title=action.title,
            criterion_code=action.criterion_code,
            owner=action.owner,
            priority=action.priority,
            due_date=action.due_date,
            days_left=(action.due_date - today).days,
        )
        await _announce(session, action, event, "system:reminders")
        action.reminded_for = action.due_date
    await repo.flush()
    return len(actions)
