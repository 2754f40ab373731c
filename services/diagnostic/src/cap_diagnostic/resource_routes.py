"""HTTP routes of the resource catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from cap_diagnostic import catalogue
from cap_diagnostic.schemas import (
    ID_PATTERN,
    PRINTABLE_PATTERN,
    ResourceIn,
    ResourceKind,
    ResourceOut,
    ResourceUpdate,
)
from cap_shared.conditional import IfMatch, Precondition, etag_of
from cap_shared.deps import SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.security import Allow, Principal, Role, SignedIn

Id = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "No valid token"},
    403: {"description": "Role not allowed"},
    404: {"description": "Unknown resource"},
    409: {"description": "Code already used"},
    422: {"description": "Invalid input (named in errors[])"},
}
Admin = Annotated[Principal, Depends(Allow(Role.ADMIN))]
Reader = Annotated[Principal, Depends(SignedIn())]

resource_routes = APIRouter(prefix="/v1/resources", tags=["resources"], responses=_ERRORS)


@resource_routes.get("", response_model=Page[ResourceOut])
async def search_resources(
    principal: Reader,
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
) -> Page[ResourceOut]:
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


@resource_routes.post("", status_code=status.HTTP_201_CREATED, response_model=ResourceOut)
async def create_resource(data: ResourceIn, principal: Admin, session: SessionDep) -> ResourceOut:
    """Add a guide, training, tool, contact or event to the catalogue (admin)."""
    return catalogue.to_out(await catalogue.create(session, principal, data))


@resource_routes.get("/{resource_id}", response_model=ResourceOut)
async def get_resource(resource_id: Id, principal: Reader, session: SessionDep) -> ResourceOut:
    """One catalogue entry."""
    return catalogue.to_out(await catalogue.get(session, principal, resource_id))


@resource_routes.patch("/{resource_id}", response_model=ResourceOut)
async def update_resource(
    resource_id: Id,
    data: ResourceUpdate,
    _principal: Admin,
    session: SessionDep,
    precondition: Annotated[Precondition, Depends(IfMatch(required=False))],
    response: Response,
) -> ResourceOut:
    """Change a catalogue entry (admin); ``published: false`` hides it. With the ETag read in
    If-Match, only if nobody changed it since (412); the answer's ETag is the new one."""
    out = catalogue.to_out(await catalogue.update(session, resource_id, data, precondition))
    response.headers["ETag"] = etag_of(out)
    return out


@resource_routes.delete("/{resource_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_resource(resource_id: Id, _principal: Admin, session: SessionDep) -> Response:
    """Remove a catalogue entry (admin)."""
    await catalogue.delete(session, resource_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


ROUTERS = (resource_routes,)
