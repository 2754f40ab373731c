"""HTTP routes of applications."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from cap_labelling.applications import service as applications
from cap_labelling.applications.schemas import (
    ApplicationCreate,
    ApplicationPublic,
    ApplicationTransition,
)
from cap_labelling.deps import Deciders, OrganisationFilter, Readers, SchemeFilter, SettingsDep
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import ERRORS, LIST_ERRORS, Id, StructureAdminDep

router = APIRouter(prefix="/v1/applications", tags=["applications"], responses=ERRORS)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ApplicationPublic)
async def submit(
    data: ApplicationCreate,
    principal: StructureAdminDep,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> ApplicationPublic:
    """Apply for CAP RSE or CAP ISO 9001, alone or as a group (central function + members).
    The applicant needs a completed CAP diagnostic within the eligibility window (422
    ``not-eligible``). Each named member is invited and joins when its member_admin accepts
    (``awaiting_consent`` until every member has answered)."""
    application = await applications.submit(
        session,
        principal,
        data=data,
        window_months=settings.eligibility_window_months,
        clock=runtime.clock,
    )
    # A new application has the invitations it sent, none when it named no member: not read.
    (answer,) = await applications.out(
        session, principal, applications=[application], uninvited=not data.group_member_ids
    )
    return answer


@router.get("", response_model=Page[ApplicationPublic], responses=LIST_ERRORS)
async def list_applications(
    principal: Readers,
    session: SessionDep,
    status_: Annotated[
        Literal["submitted", "awaiting_consent", "accepted", "rejected", "withdrawn"] | None,
        Query(alias="status", description="Only applications in this state"),
    ] = None,
    scheme: SchemeFilter = None,
    organisation_id: OrganisationFilter = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[ApplicationPublic]:
    """Applications the caller may see, newest first."""
    rows, next_cursor = await applications.page_visible(
        session,
        principal,
        status=status_,
        scheme=scheme,
        organisation_id=organisation_id,
        cursor=cursor,
        limit=limit,
    )
    return Page[ApplicationPublic](
        data=await applications.out(session, principal, applications=rows),
        next_cursor=next_cursor,
    )


@router.get("/{application_id}", response_model=ApplicationPublic)
async def get_application(
    application_id: Id, principal: Readers, session: SessionDep
) -> ApplicationPublic:
    """One application, with the diagnostics that made it eligible (those of the structures
    the caller reads) and its named members' answers."""
    application = await applications.get(session, principal, application_id=application_id)
    (answer,) = await applications.out(session, principal, applications=[application])
    return answer


@router.post("/{application_id}/transitions", response_model=ApplicationPublic)
async def step_application(
    application_id: Id,
    data: ApplicationTransition,
    principal: Deciders,
    session: SessionDep,
    runtime: RuntimeDep,
) -> ApplicationPublic:
    """Accept (publishes labelling.application.accepted.v1: the audit programme starts) or
    reject with a reason (admin, committee); withdraw (the applicant's member_admin). A group
    application awaiting its members' consent may only be withdrawn (409 ``consent-pending``)."""
    application = await applications.step(
        session, principal, application_id=application_id, data=data, clock=runtime.clock
    )
    (answer,) = await applications.out(session, principal, applications=[application])
    return answer
