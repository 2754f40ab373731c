"""HTTP routes of committee members' engagements with structures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from cap_labelling.deps import OrganisationFilter
from cap_labelling.impartiality import service as impartiality
from cap_labelling.impartiality.schemas import EngagementCreate, EngagementPublic
from cap_shared.deps import SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import ERRORS, LIST_ERRORS, FederationDep

router = APIRouter(
    prefix="/v1/committee-members", tags=["committee impartiality"], responses=ERRORS
)
#: A person's account id (or ``user:`` and it).
UserId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9:_.\-]{0,68}$")]


@router.post(
    "/{user_id}/engagements", status_code=status.HTTP_201_CREATED, response_model=EngagementPublic
)
async def declare_engagement(
    user_id: UserId,
    data: EngagementCreate,
    principal: FederationDep,
    session: SessionDep,
) -> EngagementPublic:
    """Declare a consultancy, accompaniment or training given to a structure (the committee
    member themselves, or an admin): it bars deciding on the structure's files for the scheme's
    cooling-off period after it ended (ISO/IEC 17021-1 §5.2.11)."""
    engagement = await impartiality.declare(session, principal, user_id=user_id, data=data)
    return impartiality.to_public(engagement)


@router.get("/{user_id}/engagements", response_model=Page[EngagementPublic], responses=LIST_ERRORS)
async def list_engagements(
    user_id: UserId,
    _principal: FederationDep,
    session: SessionDep,
    organisation_id: OrganisationFilter = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[EngagementPublic]:
    """A person's engagements with structures: declared, and accompanied CAP sessions, most
    recent first."""
    rows, next_cursor = await impartiality.of_person(
        session, user_id, organisation_id=organisation_id, cursor=cursor, limit=limit
    )
    return Page[EngagementPublic](
        data=[impartiality.to_public(e) for e in rows], next_cursor=next_cursor
    )
