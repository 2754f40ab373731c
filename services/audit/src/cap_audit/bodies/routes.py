"""Routes of certification bodies and their auditors (admin; bodies are listed to all)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from cap_audit.bodies import service
from cap_audit.bodies.schemas import (
    AuditorCreate,
    AuditorEngagementPage,
    AuditorPublic,
    AuditorUpdate,
    BodyCreate,
    BodyPublic,
    BodyUpdate,
    EngagementCreate,
    EngagementPublic,
)
from cap_audit.deps import BodyFilter, ExpectedDep, InvolvedDep, NameCursor, OrganisationFilter
from cap_shared.conditional import etag_of
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import ERRORS, LIST_ERRORS, AdminDep, Id

bodies = APIRouter(
    prefix="/v1/certification-bodies", tags=["certification-bodies"], responses=ERRORS
)
auditors = APIRouter(prefix="/v1/auditors", tags=["certification-bodies"], responses=ERRORS)


@bodies.get("", response_model=Page[BodyPublic], responses=LIST_ERRORS)
async def list_bodies(
    _principal: InvolvedDep,
    session: SessionDep,
    active: Annotated[bool | None, Query(description="Only active (or inactive) bodies")] = None,
    cursor: NameCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[BodyPublic]:
    """Certification bodies (name, accreditation, schemes), by name."""
    rows, next_cursor = await service.bodies_page(
        session, active=active, cursor=cursor, limit=limit
    )
    return Page[BodyPublic](data=[service.body_public(b) for b in rows], next_cursor=next_cursor)


@bodies.post("", status_code=status.HTTP_201_CREATED, response_model=BodyPublic)
async def create_body(
    data: BodyCreate, _principal: AdminDep, session: SessionDep, response: Response
) -> BodyPublic:
    """Register a certification body (admin); the answer's ETag is for a later If-Match."""
    out = service.body_public(await service.create_body(session, data))
    response.headers["ETag"] = etag_of(out)
    return out


@bodies.patch("/{body_id}", response_model=BodyPublic)
async def update_body(
    body_id: Id,
    data: BodyUpdate,
    _principal: AdminDep,
    session: SessionDep,
    precondition: ExpectedDep,
    response: Response,
) -> BodyPublic:
    """Change a body (admin). With If-Match (the ETag of the body as listed or last written),
    only if it did not change since (412); the answer's ETag is the new one."""
    body = await service.update_body(
        session,
        body_id,
        data=data,
        expect=lambda b: precondition.check_representation(service.body_public(b)),
    )
    out = service.body_public(body)
    response.headers["ETag"] = etag_of(out)
    return out


@auditors.get("", response_model=Page[AuditorPublic], responses=LIST_ERRORS)
async def list_auditors(
    _principal: AdminDep,
    session: SessionDep,
    certification_body_id: BodyFilter = None,
    active: Annotated[bool | None, Query(description="Only active (or inactive) auditors")] = None,
    cursor: NameCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[AuditorPublic]:
    """Auditors with their qualifications, by name (admin)."""
    rows, next_cursor = await service.auditors_page(
        session,
        certification_body_id=certification_body_id,
        active=active,
        cursor=cursor,
        limit=limit,
    )
    return Page[AuditorPublic](
        data=[service.auditor_public(a) for a in rows], next_cursor=next_cursor
    )


@auditors.post("", status_code=status.HTTP_201_CREATED, response_model=AuditorPublic)
async def create_auditor(
    data: AuditorCreate, _principal: AdminDep, session: SessionDep, response: Response
) -> AuditorPublic:
    """Register an auditor of a body, with qualifications and validity dates (admin); the
    answer's ETag is for a later If-Match."""
    out = service.auditor_public(await service.create_auditor(session, data))
    response.headers["ETag"] = etag_of(out)
    return out


@auditors.patch("/{auditor_id}", response_model=AuditorPublic)
async def update_auditor(
    auditor_id: Id,
    data: AuditorUpdate,
    _principal: AdminDep,
    session: SessionDep,
    precondition: ExpectedDep,
    response: Response,
) -> AuditorPublic:
    """Change an auditor (admin). With If-Match (the ETag of the auditor as listed or last
    written), only if it did not change since (412); the answer's ETag is the new one."""
    auditor = await service.update_auditor(
        session,
        auditor_id,
        data=data,
        expect=lambda a: precondition.check_representation(service.auditor_public(a)),
    )
    out = service.auditor_public(auditor)
    response.headers["ETag"] = etag_of(out)
    return out


@auditors.post(
    "/{auditor_id}/engagements",
    status_code=status.HTTP_201_CREATED,
    response_model=EngagementPublic,
)
async def record_engagement(
    auditor_id: Id,
    data: EngagementCreate,
    principal: AdminDep,
    session: SessionDep,
    runtime: RuntimeDep,
) -> EngagementPublic:
    """Record the auditor's consultancy, accompaniment or training given to an organisation:
    it bars them from auditing it and deciding on it for the scheme's cooling-off period
    (ISO/IEC 17021-1 §5.2.11); ``audited`` is history only (admin)."""
    engagement = await service.record_engagement(
        session, principal, auditor_id=auditor_id, data=data, clock=runtime.clock
    )
    return service.engagement_public(engagement)


@auditors.get(
    "/{auditor_id}/engagements", response_model=AuditorEngagementPage, responses=LIST_ERRORS
)
async def list_engagements(
    auditor_id: Id,
    _principal: AdminDep,
    session: SessionDep,
    organisation_id: OrganisationFilter = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> AuditorEngagementPage:
    """The auditor's engagements: recorded for them, or for their platform account (an
    accompanied CAP session they facilitated), oldest first by date (admin)."""
    rows, next_cursor = await service.engagements_page(
        session, auditor_id, organisation_id=organisation_id, cursor=cursor, limit=limit
    )
    return AuditorEngagementPage(
        data=[service.engagement_public(e) for e in rows], next_cursor=next_cursor
    )
