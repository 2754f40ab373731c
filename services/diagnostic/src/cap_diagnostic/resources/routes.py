"""HTTP routes of the resource catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from cap_diagnostic.deps import OptionalIfMatchDep
from cap_diagnostic.fields import PRINTABLE_PATTERN
from cap_diagnostic.resources import service as catalogue
from cap_diagnostic.resources.schemas import (
    ResourceCreate,
    ResourceKind,
    ResourcePublic,
    ResourceUpdate,
)
from cap_shared.conditional import etag_of
from cap_shared.deps import SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import AdminDep, Id, SignedInDep, errors

router = APIRouter(
    prefix="/v1/resources",
    tags=["resources"],
    responses=errors(401, 403, 404, 409, 422, described={409: "Code already used"}),
)


@router.get("", response_model=Page[ResourcePublic])
async def search_resources(
    principal: SignedInDep,
    session: SessionDep,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=PRINTABLE_PATTERN, description="Words to find (French)"),
    ] = None,
    kind: Annotated[ResourceKind | None, Query(description="Only this kind")] = None,
    criterion: Annotated[
        str | None, Query(max_length=200, pattern=PRINTABLE_PATTERN, description="Criterion URN")
    ] = None,
    theme: Annotated[
        str | None,
        Query(max_length=40, pattern=PRINTABLE_PATTERN, description="Theme code"),
    ] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[ResourcePublic]:
    """Search the catalogue on any topic: "accompagnement socioprofessionnel", "bilan carbone"...
    Results are ranked by relevance when ``q`` is given (then by title and id), by title and id
    otherwise."""
    return await catalogue.search(
        session,
        principal,
        text=q,
        kind=kind,
        criterion=criterion,
        theme=theme,
        cursor=cursor,
        limit=limit,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ResourcePublic)
async def create_resource(
    data: ResourceCreate, principal: AdminDep, session: SessionDep
) -> ResourcePublic:
    """Add a guide, training, tool, contact or event to the catalogue (admin)."""
    return catalogue.to_public(await catalogue.create(session, principal, data=data))


@router.get("/{resource_id}", response_model=ResourcePublic)
async def get_resource(
    resource_id: Id, principal: SignedInDep, session: SessionDep
) -> ResourcePublic:
    """One catalogue entry."""
    return catalogue.to_public(await catalogue.get(session, principal, resource_id=resource_id))


@router.patch("/{resource_id}", response_model=ResourcePublic)
async def update_resource(
    resource_id: Id,
    data: ResourceUpdate,
    _principal: AdminDep,
    session: SessionDep,
    precondition: OptionalIfMatchDep,
    response: Response,
) -> ResourcePublic:
    """Change a catalogue entry (admin); ``published: false`` hides it. With the ETag read in
    If-Match, only if nobody changed it since (412); the answer's ETag is the new one."""
    out = catalogue.to_public(
        await catalogue.update(session, resource_id, data=data, precondition=precondition)
    )
    response.headers["ETag"] = etag_of(out)
    return out


@router.delete("/{resource_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_resource(resource_id: Id, _principal: AdminDep, session: SessionDep) -> Response:
    """Remove a catalogue entry (admin)."""
    await catalogue.delete(session, resource_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
