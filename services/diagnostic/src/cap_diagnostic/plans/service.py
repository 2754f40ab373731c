"""Use cases of progress plans: read a plan and its actions, add, edit and move actions along
their lifecycle, review them (proposals from diagnostics and audits are in ``proposals.py``,
the reminders in ``reminders.py``).

One living plan per organisation: a new diagnostic or an audit adds proposals to the same plan.
Who may act: an admin, the organisation's members and the facilitators of its region; everyone
else gets 404.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.models import ActionReview, Organisation, ProgressAction, ProgressPlan
from cap_diagnostic.plans import rules
from cap_diagnostic.plans.proposals import criterion_codes
from cap_diagnostic.plans.repository import PlanRepository
from cap_diagnostic.plans.rules import OPEN, ActionStatus, ActionStep
from cap_diagnostic.plans.schemas import (
    ActionCreate,
    ActionDetail,
    ActionPublic,
    ActionUpdate,
    PlanPublic,
    ReviewCreate,
    ReviewPublic,
)
from cap_shared import clock
from cap_shared.conditional import Precondition, etag_of
from cap_shared.problems import Forbidden, NotFound, ProblemError
from cap_shared.readmodel import ReadModelRepository
from cap_shared.security import Principal, Role
from cap_shared.sync import Deleted, SyncPage


class UnknownCriterion(ProblemError):
    """The action names a criterion no imported referential has."""

    status, code, title = 422, "unknown-criterion", "Unknown criterion"
    title_fr = "Critère inconnu"


# reading ---------------------------------------------------------------------------------------
async def _plan_visible(
    session: AsyncSession, principal: Principal, plan_id: str, *, for_update: bool = False
) -> ProgressPlan:
    plan = await PlanRepository(session).get_plan(plan_id, for_update=for_update)
    organisation = (
        await ReadModelRepository(session, Organisation).get(plan.organisation_id) if plan else None
    )
    if (
        plan is None
        or organisation is None
        or not principal.may_see_organisation(organisation.id, organisation.region)
    ):
        raise NotFound("no such progress plan", detail_fr="plan de progrès introuvable")
    return plan


async def _action_visible(
    session: AsyncSession, principal: Principal, action_id: str, *, for_update: bool = False
) -> ProgressAction:
    action = await PlanRepository(session).get_action(action_id, for_update=for_update)
    organisation = (
        await ReadModelRepository(session, Organisation).get(action.organisation_id)
        if action
        else None
    )
    if (
        action is None
        or organisation is None
        or not principal.may_see_organisation(organisation.id, organisation.region)
    ):
        raise NotFound("no such action", detail_fr="action introuvable")
    return action


def action_public(action: ProgressAction, today: date) -> ActionPublic:
    """The API view of an action, with its derived overdue flag."""
    status = ActionStatus(action.status)
    return ActionPublic(
        id=action.id,
        plan_id=action.plan_id,
        organisation_id=action.organisation_id,
        title=action.title,
        description=action.description,
        criterion=action.criterion_urn,
        criterion_code=action.criterion_code,
        theme_code=action.theme_code,
        owner=action.owner,
        due_date=action.due_date,
        priority=action.priority,
        status=action.status,
        overdue=rules.is_overdue(status, action.due_date, today),
        source=action.source,
        source_ref=action.source_ref,
        expected_gain=action.expected_gain,
        allowed_steps=rules.action_steps(status),
        created_at=action.created_at,
        completed_at=action.completed_at,
        verified_at=action.verified_at,
    )


async def plan_public(
    session: AsyncSession,
    plan: ProgressPlan,
    *,
    today: date,
    status: str | None = None,
    overdue_only: bool = False,
) -> PlanPublic:
    """A plan with its actions (filtered)."""
    actions = await PlanRepository(session).actions(plan.id, statuses=[status] if status else None)
    views = [action_public(a, today) for a in actions]
    if overdue_only:
        views = [v for v in views if v.overdue]
    counts: dict[str, int] = {}
    for a in actions:
        counts[a.status] = counts.get(a.status, 0) + 1
    return PlanPublic(
        id=plan.id,
        organisation_id=plan.organisation_id,
        diagnostic_id=plan.diagnostic_id,
        counts=counts,
        overdue=sum(1 for v in views if v.overdue),
        actions=views,
        updated_at=plan.modified_at or plan.created_at,
    )


async def list_plans(
    session: AsyncSession,
    principal: Principal,
    *,
    today: date,
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
) -> SyncPage[PlanPublic]:
    """Plans the caller may see, oldest first; with ``updated_since``, those changed (an
    action included) or deleted since, oldest change first."""
    unrestricted = principal.has_role(Role.ADMIN)
    scope = {
        "organisation_ids": None if unrestricted else sorted(principal.organisation_ids()),
        "regions": None if unrestricted else sorted(principal.regions()),
    }
    repo = PlanRepository(session)
    deleted: list[Deleted] = []
    if updated_since is None:
        plans, next_cursor = await repo.plans(**scope, cursor=cursor, limit=limit)
    else:
        plans, deleted, next_cursor = await repo.plan_changes(
            **scope, since=updated_since, cursor=cursor, limit=limit
        )
    return SyncPage[PlanPublic](
        data=[await plan_public(session, p, today=today) for p in plans],
        deleted=deleted,
        next_cursor=next_cursor,
    )


async def get_plan(
    session: AsyncSession,
    principal: Principal,
    *,
    plan_id: str,
    today: date,
    status: str | None,
    overdue_only: bool,
) -> PlanPublic:
    """One visible plan."""
    plan = await _plan_visible(session, principal, plan_id)
    return await plan_public(session, plan, today=today, status=status, overdue_only=overdue_only)


async def get_action(
    session: AsyncSession, principal: Principal, *, action_id: str, today: date
) -> ActionDetail:
    """An action and its reviews."""
    action = await _action_visible(session, principal, action_id)
    return await action_detail(session, action, today=today)


async def action_detail(
    session: AsyncSession, action: ProgressAction, *, today: date
) -> ActionDetail:
    """What ``GET /v1/actions/{id}`` answers: the action and its reviews (its ETag's source)."""
    reviews = await PlanRepository(session).reviews(action.id)
    return ActionDetail(
        **action_public(action, today).model_dump(), reviews=[_review_public(r) for r in reviews]
    )


async def action_etag(session: AsyncSession, action: ProgressAction, *, today: date) -> str:
    """The action's ETag, as ``GET /v1/actions/{id}`` answers it."""
    return etag_of(await action_detail(session, action, today=today))


async def plan_etag(session: AsyncSession, plan: ProgressPlan, *, today: date) -> str:
    """The plan's ETag, as ``GET /v1/progress-plans/{id}`` (unfiltered) answers it."""
    return etag_of(await plan_public(session, plan, today=today))


def _review_public(review: ActionReview) -> ReviewPublic:
    """The API view of a review."""
    return ReviewPublic(
        id=review.id,
        note=review.note,
        progress=review.progress,
        status_after=review.status_after,
        reviewed_by=review.reviewed_by,
        reviewed_at=review.reviewed_at,
    )


async def summary(session: AsyncSession, organisation_ids: list[str]) -> dict[str, Any]:
    """Open actions and the next due date, for the home screen."""
    count, nearest = await PlanRepository(session).open_summary(organisation_ids, statuses=OPEN)
    return {"open_actions": count, "next_due_date": nearest}


async def organisation_actions(
    session: AsyncSession, *, organisation_id: str, today: date
) -> list[ActionPublic]:
    """Every action of the organisation's plan (none before its first plan)."""
    repo = PlanRepository(session)
    plan = await repo.plan_of(organisation_id)
    return [action_public(a, today) for a in await repo.actions(plan.id)] if plan else []


async def plan_export(
    session: AsyncSession, principal: Principal, *, plan_id: str, today: date
) -> tuple[str, list[ActionPublic]]:
    """The plan's organisation name and its actions (the caller's access rules apply)."""
    plan = await get_plan(
        session, principal, plan_id=plan_id, today=today, status=None, overdue_only=False
    )
    organisation = await ReadModelRepository(session, Organisation).get(plan.organisation_id)
    return (organisation.name if organisation else plan.organisation_id), plan.actions


# editing ---------------------------------------------------------------------------------------
async def create_action(
    session: AsyncSession,
    principal: Principal,
    *,
    plan_id: str,
    data: ActionCreate,
    precondition: Precondition,
) -> ProgressAction:
    """Add an action by hand, to the plan as the caller last read it (``If-Match``)."""
    plan = await _plan_visible(session, principal, plan_id, for_update=True)
    precondition.check(await plan_etag(session, plan, today=clock.today()))
    code = theme = None
    if data.criterion:
        found = (await criterion_codes(session)).get(data.criterion)
        if found is None:
            raise UnknownCriterion(
                f"unknown criterion {data.criterion}",
                detail_fr=f"critère inconnu {data.criterion}",
                extensions={
                    "errors": [
                        {
                            "field": "body.criterion",
                            "message": "unknown criterion",
                            "message_fr": "critère inconnu",
                        }
                    ]
                },
            )
        code, theme = found
    action_id = str(uuid.uuid4())
    action = ProgressAction(
        id=action_id,
        plan_id=plan.id,
        organisation_id=plan.organisation_id,
        title=data.title,
        description=data.description,
        criterion_urn=data.criterion,
        criterion_code=code,
        theme_code=theme,
        owner=data.owner,
        due_date=data.due_date,
        priority=data.priority,
        status=ActionStatus.PLANNED.value,
        source="manual",
        source_ref=action_id,
        created_by=principal.subject,
    )
    await PlanRepository(session).add(action)
    return action


async def update_action(
    session: AsyncSession,
    principal: Principal,
    *,
    action_id: str,
    data: ActionUpdate,
    precondition: Precondition,
) -> ProgressAction:
    """Change owner, due date, priority or wording, on the action as the caller read it."""
    action = await _action_visible(session, principal, action_id, for_update=True)
    precondition.check(await action_etag(session, action, today=clock.today()))
    rules.ensure_action_editable(ActionStatus(action.status))
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(action, name, value)
    action.modified_at = clock.now()
    await PlanRepository(session).add(action)
    return action


async def step_action(
    session: AsyncSession,
    principal: Principal,
    *,
    action_id: str,
    step: ActionStep,
    note: str | None,
    precondition: Precondition,
) -> ProgressAction:
    """Move an action along its lifecycle; verification is a facilitator's or an admin's."""
    action = await _action_visible(session, principal, action_id, for_update=True)
    precondition.check(await action_etag(session, action, today=clock.today()))
    if step is ActionStep.VERIFY and not principal.has_role(Role.FACILITATOR, Role.ADMIN):
        raise Forbidden(
            "an action is verified by a facilitator or an administrator",
            detail_fr="une action est vérifiée par un animateur ou un administrateur",
        )
    target = rules.next_action_status(ActionStatus(action.status), step)
    now = clock.now()
    action.status = target.value
    action.modified_at = now
    if target is ActionStatus.DONE:
        action.completed_at = now
    if target is ActionStatus.VERIFIED:
        action.verified_at, action.verified_by = now, principal.subject
    if step is ActionStep.REOPEN:
        action.completed_at = None
    repo = PlanRepository(session)
    await repo.add(action)
    if note:
        await repo.add(
            ActionReview(
                id=str(uuid.uuid4()),
                action_id=action.id,
                note=note,
                status_after=target.value,
                reviewed_by=principal.subject,
                reviewed_at=now,
            )
        )
    return action


async def review_action(
    session: AsyncSession, principal: Principal, *, action_id: str, data: ReviewCreate
) -> ReviewPublic:
    """A follow-up review: a note and how far along it is."""
    action = await _action_visible(session, principal, action_id, for_update=True)
    rules.ensure_action_editable(ActionStatus(action.status))
    review = ActionReview(
        id=str(uuid.uuid4()),
        action_id=action.id,
        note=data.note,
        progress=data.progress,
        status_after=action.status,
        reviewed_by=principal.subject,
        reviewed_at=clock.now(),
    )
    await PlanRepository(session).add(review)
    return _review_public(review)
