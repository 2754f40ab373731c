"""HTTP routes of progress plans and their actions."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from cap_diagnostic import plans, reports
from cap_diagnostic.lifecycle import ActionStep
from cap_diagnostic.schemas import (
    ID_PATTERN,
    ActionCreate,
    ActionDetail,
    ActionOut,
    ActionStepIn,
    ActionUpdate,
    PlanOut,
    ReviewIn,
    ReviewOut,
)
from cap_shared.conditional import IfMatch, Precondition
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from cap_shared.security import Allow, Principal, Role
from cap_shared.sync import SyncPage, UpdatedSince

Id = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "No valid token"},
    403: {"description": "Role not allowed"},
    404: {"description": "Unknown, or not visible to the caller"},
    409: {"description": "Not possible in the current state"},
    422: {"description": "Invalid input (named in errors[])"},
}
Practitioner = Annotated[
    Principal, Depends(Allow(Role.ADMIN, Role.MEMBER, Role.MEMBER_ADMIN, Role.FACILITATOR))
]

#: Plans and their actions have concurrent editors (the structure, its facilitators): a write
#: sends the ETag it read in If-Match (428 without, 412 when stale) and gets the new one.
Expected = Annotated[Precondition, Depends(IfMatch(required=True))]

plan_routes = APIRouter(prefix="/v1/progress-plans", tags=["progress-plans"], responses=_ERRORS)
action_routes = APIRouter(prefix="/v1/actions", tags=["progress-plans"], responses=_ERRORS)


@plan_routes.get("", response_model=SyncPage[PlanOut])
async def list_plans(
    principal: Practitioner,
    session: SessionDep,
    runtime: RuntimeDep,
    updated_since: UpdatedSince = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> SyncPage[PlanOut]:
    """Progress plans the caller may see (one per organisation), oldest first (created_at,
    id); with ``updated_since``, those changed since (a changed action changes its plan),
    oldest change first (delta sync). ``overdue`` is computed on the day of the answer."""
    return await plans.list_plans(
        session,
        principal,
        runtime.clock.today(),
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )


@plan_routes.get("/{plan_id}", response_model=PlanOut)
async def get_plan(
    plan_id: Id,
    principal: Practitioner,
    session: SessionDep,
    runtime: RuntimeDep,
    status: Annotated[
        str | None, Query(pattern="^(proposed|planned|in_progress|done|verified|cancelled)$")
    ] = None,
    overdue: Annotated[bool, Query(description="Only overdue actions")] = False,
) -> PlanOut:
    """A plan and its actions, nearest due date first."""
    return await plans.get_plan(
        session, principal, plan_id, runtime.clock.today(), status=status, overdue_only=overdue
    )


@plan_routes.post(
    "/{plan_id}/actions", status_code=status.HTTP_201_CREATED, response_model=ActionOut
)
async def create_action(
    plan_id: Id,
    data: ActionCreate,
    principal: Practitioner,
    session: SessionDep,
    runtime: RuntimeDep,
    precondition: Expected,
    response: Response,
) -> ActionOut:
    """Add an action by hand (it starts planned), to the plan as last read: send the plan's
    ETag in If-Match. The answer's ETag is the new action's."""
    action = await plans.create_action(session, principal, plan_id, data, precondition)
    response.headers["ETag"] = await plans.action_etag(session, action, runtime.clock.today())
    return plans.action_out(action, runtime.clock.today())


@plan_routes.get(
    "/{plan_id}/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The action plan (CSV)"}},
)
async def export_plan_csv(
    plan_id: Id, principal: Practitioner, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The action plan as CSV (UTF-8, ``;``-separated, opens in French spreadsheet software)."""
    _name, actions = await reports.gather_plan(session, principal, plan_id, runtime.clock.today())
    return Response(
        reports.plan_csv(actions),
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
    plan_id: Id, principal: Practitioner, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The action plan as an XLSX workbook."""
    name, actions = await reports.gather_plan(session, principal, plan_id, runtime.clock.today())
    content = await asyncio.to_thread(reports.plan_xlsx, name, actions)
    return Response(
        content,
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="plan-de-progres-{plan_id[:8]}.xlsx"'
        },
    )


@action_routes.get("/{action_id}", response_model=ActionDetail)
async def get_action(
    action_id: Id, principal: Practitioner, session: SessionDep, runtime: RuntimeDep
) -> ActionDetail:
    """An action with its follow-up reviews; its ETag is what a write sends in If-Match."""
    return await plans.get_action(session, principal, action_id, runtime.clock.today())


@action_routes.patch("/{action_id}", response_model=ActionOut)
async def update_action(
    action_id: Id,
    data: ActionUpdate,
    principal: Practitioner,
    session: SessionDep,
    runtime: RuntimeDep,
    precondition: Expected,
    response: Response,
) -> ActionOut:
    """Change the owner, due date, priority or wording. Send the action's ETag in If-Match;
    the answer's ETag is the new one."""
    action = await plans.update_action(session, principal, action_id, data, precondition)
    response.headers["ETag"] = await plans.action_etag(session, action, runtime.clock.today())
    return plans.action_out(action, runtime.clock.today())


@action_routes.post("/{action_id}/transitions", response_model=ActionOut)
async def step_action(
    action_id: Id,
    data: ActionStepIn,
    principal: Practitioner,
    session: SessionDep,
    runtime: RuntimeDep,
    precondition: Expected,
    response: Response,
) -> ActionOut:
    """Plan, start, complete, verify (facilitator or admin), reopen or cancel an action. Send
    the action's ETag in If-Match; the answer's ETag is the new one."""
    action = await plans.step_action(
        session, principal, action_id, ActionStep(data.step), data.note, precondition
    )
    response.headers["ETag"] = await plans.action_etag(session, action, runtime.clock.today())
    return plans.action_out(action, runtime.clock.today())


@action_routes.post(
    "/{action_id}/reviews", status_code=status.HTTP_201_CREATED, response_model=ReviewOut
)
async def review_action(
    action_id: Id, data: ReviewIn, principal: Practitioner, session: SessionDep
) -> ReviewOut:
    """Record a follow-up review (a note and how far along it is)."""
    return await plans.review_action(session, principal, action_id, data)


ROUTERS = (plan_routes, action_routes)
