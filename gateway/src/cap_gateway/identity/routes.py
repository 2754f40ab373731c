"""Routes of organisations (operator-only until roles arrive with the identity issue)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status

from cap_gateway.identity import service as organisation_service
from cap_gateway.identity.schemas import OrganisationCreate, OrganisationPublic
from cap_shared.auth import operator_guard
from cap_shared.deps import SessionDep, get_runtime
from cap_shared.pagination import Page, PageCursor, PageLimit


async def _require_operator(request: Request) -> None:
    runtime = get_runtime(request)
    await operator_guard(lambda: runtime.settings.admin_token)(request)


router = APIRouter(
    prefix="/v1/organisations", tags=["organisations"], dependencies=[Depends(_require_operator)]
)

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "No credentials"},
    403: {"description": "Not allowed"},
    422: {"description": "Invalid field (named in errors[].field)"},
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationPublic,
    responses={**_ERRORS, 409: {"description": "SIRET already registered"}},
)
async def register_organisation(
    data: OrganisationCreate, session: SessionDep
) -> OrganisationPublic:
    """Register a member structure; every service learns of it through an event."""
    return await organisation_service.register_organisation(session, data=data, actor="operator")


@router.get("", response_model=Page[OrganisationPublic], responses=_ERRORS)
async def list_organisations(
    session: SessionDep, limit: PageLimit = 50, cursor: PageCursor = None
) -> Page[OrganisationPublic]:
    """Organisations in registration order, one page at a time."""
    return await organisation_service.list_organisations(session, limit=limit, cursor=cursor)


@router.get(
    "/{organisation_id}",
    response_model=OrganisationPublic,
    responses={**_ERRORS, 404: {"description": "Unknown"}},
)
async def read_organisation(
    organisation_id: Annotated[str, Path(max_length=36)], session: SessionDep
) -> OrganisationPublic:
    """One organisation."""
    return await organisation_service.get_organisation(session, organisation_id=organisation_id)
