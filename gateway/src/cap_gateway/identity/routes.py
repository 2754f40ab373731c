"""Routes of organisations: admins register them; members, facilitators and admins read them."""

from __future__ import annotations

from fastapi import APIRouter, status

from cap_gateway.deps import OrganisationReaderDep
from cap_gateway.identity import service as organisation_service
from cap_gateway.identity.schemas import OrganisationCreate, OrganisationPublic
from cap_shared.deps import SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import AdminDep, Id, errors

router = APIRouter(prefix="/v1/organisations", tags=["organisations"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationPublic,
    responses=errors(401, 403, 409, 422, described={409: "SIRET already registered"}),
)
async def register_organisation(
    data: OrganisationCreate, principal: AdminDep, session: SessionDep
) -> OrganisationPublic:
    """Register a member structure; every service learns of it through an event."""
    return await organisation_service.register_organisation(
        session, data=data, actor=principal.subject
    )


@router.get("", response_model=Page[OrganisationPublic], responses=errors(401, 403, 422))
async def list_organisations(
    principal: OrganisationReaderDep,
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
    responses=errors(401, 403, 404, 422),
)
async def read_organisation(
    organisation_id: Id, principal: OrganisationReaderDep, session: SessionDep
) -> OrganisationPublic:
    """One organisation (404 when it is outside the caller's scope)."""
    return await organisation_service.get_organisation(
        session, principal=principal, organisation_id=organisation_id
    )
