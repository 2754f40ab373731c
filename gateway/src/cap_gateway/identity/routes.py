"""Routes of organisations: admins register them; members, facilitators and admins read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status

from cap_gateway.deps import AdminDep
from cap_gateway.identity import service as organisation_service
from cap_gateway.identity.schemas import OrganisationCreate, OrganisationPublic
from cap_shared.deps import SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.security import Allow, Principal, Role

router = APIRouter(prefix="/v1/organisations", tags=["organisations"])
#: Who may read organisations (each sees only those of their scope).
ReaderDep = Annotated[
    Principal,
    Depends(Allow(Role.ADMIN, Role.FACILITATOR, Role.MEMBER, Role.MEMBER_ADMIN, Role.COMMITTEE)),
]

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
    data: OrganisationCreate, principal: AdminDep, session: SessionDep
) -> OrganisationPublic:
    """Register a member structure; every service learns of it through an event."""
    return await organisation_service.register_organisation(
        session, data=data, actor=principal.subject
    )


@router.get("", response_model=Page[OrganisationPublic], responses=_ERRORS)
async def list_organisations(
    principal: ReaderDep,
    session: SessionDep,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
) -> Page[OrganisationPublic]:
    """Organisations the caller may see, in registration order, one page at a time."""
    return await organisation_service.list_organisations(
        session, principal=principal, limit=limit, cursor=cursor
    )


@router.get(
    "/{organisation_id}",
    response_model=OrganisationPublic,
    responses={**_ERRORS, 404: {"description": "Unknown"}},
)
async def read_organisation(
    organisation_id: Annotated[str, Path(max_length=36)], principal: ReaderDep, session: SessionDep
) -> OrganisationPublic:
    """One organisation (404 when it is outside the caller's scope)."""
    return await organisation_service.get_organisation(
        session, principal=principal, organisation_id=organisation_id
    )
