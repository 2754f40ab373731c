"""HTTP routes of the labelling service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status

from cap_labelling import applications
from cap_labelling.applications import ApplicationIn, ApplicationOut, ApplicationStepIn
from cap_labelling.config import Settings
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.security import Allow, Principal, Role

Id = Annotated[str, Path(max_length=36)]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "No valid token"},
    403: {"description": "Role not allowed"},
    404: {"description": "Unknown, or not visible to the caller"},
    409: {"description": "Not possible in the current state"},
    422: {"description": "Invalid input, or not eligible"},
}
Readers = Annotated[
    Principal,
    Depends(Allow(Role.ADMIN, Role.COMMITTEE, Role.MEMBER, Role.MEMBER_ADMIN, Role.FACILITATOR)),
]
Applicants = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.MEMBER_ADMIN))]
Deciders = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.COMMITTEE, Role.MEMBER_ADMIN))]

application_routes = APIRouter(prefix="/v1/applications", tags=["applications"], responses=_ERRORS)


def _settings(request: Request) -> Settings:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, Settings)
    return settings


@application_routes.post("", status_code=status.HTTP_201_CREATED, response_model=ApplicationOut)
async def submit(
    data: ApplicationIn,
    principal: Applicants,
    session: SessionDep,
    runtime: RuntimeDep,
    request: Request,
) -> ApplicationOut:
    """Apply for CAP RSE or CAP ISO 9001, alone or as a group (central function + members).
    Each structure needs a completed CAP diagnostic within the eligibility window (422
    ``not-eligible`` lists those without)."""
    window = _settings(request).eligibility_window_months
    return applications.to_out(
        await applications.submit(session, principal, data, window, runtime.clock)
    )


@application_routes.get("", response_model=list[ApplicationOut])
async def list_applications(principal: Readers, session: SessionDep) -> list[ApplicationOut]:
    """Applications the caller may see."""
    return [applications.to_out(a) for a in await applications.list_visible(session, principal)]


@application_routes.get("/{application_id}", response_model=ApplicationOut)
async def get_application(
    application_id: Id, principal: Readers, session: SessionDep
) -> ApplicationOut:
    """One application, with the diagnostics that made it eligible."""
    return applications.to_out(await applications.get(session, principal, application_id))


@application_routes.post("/{application_id}/transitions", response_model=ApplicationOut)
async def step_application(
    application_id: Id,
    data: ApplicationStepIn,
    principal: Deciders,
    session: SessionDep,
    runtime: RuntimeDep,
) -> ApplicationOut:
    """Accept (publishes labelling.application.accepted.v1: the audit programme starts) or
    reject with a reason (admin, committee); withdraw (the applicant's member_admin)."""
    return applications.to_out(
        await applications.step(session, principal, application_id, data, runtime.clock)
    )


ROUTERS = (application_routes,)
