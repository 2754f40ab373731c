"""HTTP routes of the committee's complaints (the public files them through the registry)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from cap_labelling.complaints import service as complaints
from cap_labelling.complaints.schemas import ComplaintPublic, ComplaintTransition
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import ERRORS, LIST_ERRORS, FederationDep, Id

router = APIRouter(prefix="/v1/complaints", tags=["complaints"], responses=ERRORS)


@router.get("", response_model=Page[ComplaintPublic], responses=LIST_ERRORS)
async def list_complaints(
    _principal: FederationDep,
    session: SessionDep,
    status_: Annotated[
        Literal["received", "investigating", "upheld", "dismissed"] | None,
        Query(alias="status", description="Only complaints in this state"),
    ] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[ComplaintPublic]:
    """Complaints from the public registry, newest first (the committee)."""
    rows, next_cursor = await complaints.page(session, status_, cursor=cursor, limit=limit)
    return Page[ComplaintPublic](
        data=[await complaints.to_public(session, c) for c in rows], next_cursor=next_cursor
    )


@router.get("/{complaint_id}", response_model=ComplaintPublic)
async def get_complaint(
    complaint_id: Id, _principal: FederationDep, session: SessionDep
) -> ComplaintPublic:
    """One complaint, with its reporter and its steps (the committee)."""
    return await complaints.to_public(session, await complaints.get(session, complaint_id))


@router.post("/{complaint_id}/transitions", response_model=ComplaintPublic)
async def step_complaint(
    complaint_id: Id,
    data: ComplaintTransition,
    principal: FederationDep,
    session: SessionDep,
    runtime: RuntimeDep,
) -> ComplaintPublic:
    """Investigate, then uphold or dismiss with the resolution."""
    complaint = await complaints.step(
        session, principal, complaint_id=complaint_id, data=data, clock=runtime.clock
    )
    return await complaints.to_public(session, complaint)
