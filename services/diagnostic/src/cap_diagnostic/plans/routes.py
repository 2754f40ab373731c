"""HTTP routes of progress plans and their actions (and the plan's CSV and XLSX exports)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from cap_diagnostic.deps import PractitionerDep, RequiredIfMatchDep
from cap_diagnostic.plans import exports
from cap_diagnostic.plans import service as plans
from cap_diagnostic.plans.rules import ActionStep
from cap_diagnostic.plans.schemas import (
    ActionCreate,
    ActionDetail,
    ActionPublic,
    ActionTransition,
    ActionUpdate,
    PlanPublic,
    ReviewCreate,
    ReviewPublic,
)
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from cap_shared.routes import ERRORS, Id
from cap_shared.sync import SyncPage, UpdatedSince

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

plan_routes = APIRouter(prefix="/v1/progress-plans", tags=["progress-plans"], responses=ERRORS)
action_routes = APIRouter(prefix="/v1/actions", tags=["progress-plans"], responses=ERRORS)


@plan_routes.get("", response_model=SyncPage[PlanPublic])
async def list_plans(
    principal: PractitionerDep,
    session: SessionDep,
    runtime: RuntimeDep,
    updated_since: UpdatedSince = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> SyncPage[PlanPublic]:
    """Progress plans the caller may see (one per organisation), oldest first (created_at,
    id); with ``updated_since``, those changed since (a changed action changes its plan),
    oldest change first (delta sync). ``overdue`` is computed on the day of the answer."""
    return await plans.list_plans(
        session,
        principal,
        today=runtime.clock.today(),
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )


@plan_routes.get("/{plan_id}", response_model=PlanPublic)
async def get_plan(
    plan_id: Id,
    principal: PractitionerDep,
    session: SessionDep,
    runtime: RuntimeDep,
    status: Annotated[
        str | None, Query(pattern="^(proposed|planned|in_progress|done|verified|cancelled)$")
    ] = None,
    overdue: Annotated[bool, Query(description="Only overdue actions")] = False,
) -> PlanPublic:
    """A plan and its actions, nearest due date first."""
    return await plans.get_plan(
        session,
        principal,
        plan_id=plan_id,
        today=runtime.clock.today(),
        status=status,
        overdue_only=overdue,
    )


@plan_routes.post(
    "/{plan_id}/actions", status_code=status.HTTP_201_CREATED, response_model=ActionPublic
)
async def create_action(
    plan_id: Id,
    data: ActionCreate,
    principal: PractitionerDep,
    session: SessionDep,
    runtime: RuntimeDep,
    precondition: RequiredIfMatchDep,
    response: Response,
) -> ActionPublic:
    """Add an action by hand (it starts planned), to the plan as last read: send the plan's
    ETag in If-Match. The answer's ETag is the new action's."""
    action = await plans.create_action(
        session, principal, plan_id=plan_id, data=data, precondition=precondition
    )
    response.headers["ETag"] = await plans.action_etag(session, action, today=runtime.clock.today())
    return plans.action_public(action, runtime.clock.today())


@plan_routes.get(
    "/{plan_id}/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The action plan (CSV)"}},
)
async def export_plan_csv(
    plan_id: Id, principal: PractitionerDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The action plan as CSV (UTF-8, ``;``-separated, opens in French spreadsheet software)."""
    _name, actions = await plans.plan_export(
        session, principal, plan_id=plan_id, today=runtime.clock.today()
    )
    return Response(
        exports.plan_csv(actions),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="plan-de-progres-{plan_id[:8]}.csv"'
        },
    )


@plan_routes.get(
    "/{plan_id}/export.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "The action plan (XLSX)"}},
)
async def export_plan_xlsx(
    plan_id: Id, principal: PractitionerDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The action plan as an XLSX workbook."""
    name, actions = await plans.plan_export(
        session, principal, plan_id=plan_id, today=runtime.clock.today()
    )
    content = await asyncio.to_thread(exports.plan_xlsx, name, actions)
    return Response(
        content,
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="plan-de-progres-{plan_id[:8]}.xlsx"'
        },
    )


@action_routes.get("/{action_id}", response_model=ActionDetail)
async def get_action(
    action_id: Id, principal: PractitionerDep, session: SessionDep, runtime: RuntimeDep
) -> ActionDetail:
    """An action with its follow-up reviews; its ETag is what a write sends in If-Match."""
    return await plans.get_action(
        session, principal, action_id=action_id, today=runtime.clock.today()
    )


@action_routes.patch("/{action_id}", response_model=ActionPublic)
async def update_action(
    action_id: Id,
    data: ActionUpdate,
    principal: PractitionerDep,
    session: SessionDep,
    runtime: RuntimeDep,
    precondition: RequiredIfMatchDep,
    response: Response,
) -> ActionPublic:
    """Change the owner, due date, priority or wording. Send the action's ETag in If-Match;
    the answer's ETag is the new one."""
    action = await plans.update_action(
        session, principal, action_id=action_id, data=data, precondition=precondition
    )
    response.headers["ETag"] = await plans.action_etag(session, action, today=runtime.clock.today())
    return plans.action_public(action, runtime.clock.today())


@action_routes.post("/{action_id}/transitions", response_model=ActionPublic)
async def step_action(
    action_id: Id,
    data: ActionTransition,
    principal: PractitionerDep,
    session: SessionDep,
    runtime: RuntimeDep,
    precondition: RequiredIfMatchDep,
    response: Response,
) -> ActionPublic:
    """Plan, start, complete, verify (facilitator or admin), reopen or cancel an action. Send
    the action's ETag in If-Match; the answer's ETag is the new one."""
    action = await plans.step_action(
        session,
        principal,
        action_id=action_id,
        step=ActionStep(data.step),
        note=data.note,
        precondition=precondition,
    )
    response.headers["ETag"] = await plans.action_etag(session, action, today=runtime.clock.today())
    return plans.action_public(action, runtime.clock.today())


@action_routes.post(
    "/{action_id}/reviews", status_code=status.HTTP_201_CREATED, response_model=ReviewPublic
)
async def review_action(
    action_id: Id, data: ReviewCreate, principal: PractitionerDep, session: SessionDep
) -> ReviewPublic:
    """Record a follow-up review (a note and how far along it is)."""
    return await plans.review_action(session, principal, action_id=action_id, data=data)
