"""Routes of audit programmes: read by those involved, the next audit requested by an admin."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from cap_audit.audits import service as audits
from cap_audit.audits.schemas import AuditPublic
from cap_audit.deps import InvolvedDep, OrganisationFilter, SettingsDep
from cap_audit.programmes import service
from cap_audit.programmes.schemas import AuditRequest, ProgrammePublic
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import ERRORS, LIST_ERRORS, AdminDep, Id

programmes = APIRouter(prefix="/v1/audit-programmes", tags=["audits"], responses=ERRORS)


@programmes.get("", response_model=Page[ProgrammePublic], responses=LIST_ERRORS)
async def list_programmes(
    principal: InvolvedDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    organisation_id: OrganisationFilter = None,
    scheme: Annotated[
        Literal["CAP_RSE", "CAP_ISO9001"] | None, Query(description="Only this scheme's")
    ] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[ProgrammePublic]:
    """Audit programmes the caller may see, with their computed due dates, oldest first."""
    today = runtime.clock.today()
    rows, next_cursor = await service.programmes_page(
        session,
        principal,
        organisation_id=organisation_id,
        scheme=scheme,
        cursor=cursor,
        limit=limit,
    )
    return Page[ProgrammePublic](
        data=[
            await service.programme_public(session, p, settings=settings, today=today) for p in rows
        ],
        next_cursor=next_cursor,
    )


@programmes.get("/{programme_id}", response_model=ProgrammePublic)
async def get_programme(
    programme_id: Id,
    principal: InvolvedDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> ProgrammePublic:
    """A programme: each expected audit, its due date, and where it stands."""
    programme = await service.visible_programme(session, principal, programme_id=programme_id)
    return await service.programme_public(
        session, programme, settings=settings, today=runtime.clock.today()
    )


@programmes.post(
    "/{programme_id}/audits", status_code=status.HTTP_201_CREATED, response_model=AuditPublic
)
async def request_audit(
    programme_id: Id,
    data: AuditRequest,
    principal: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> AuditPublic:
    """Request the programme's next audit from its body (admin): stage 2 only after a closed
    stage 1, surveillance and follow-up only on a recognition in force (active or suspended)."""
    audit = await service.request_audit(
        session,
        principal,
        programme_id=programme_id,
        data=data,
        settings=settings,
        clock=runtime.clock,
    )
    return await audits.audit_public(session, audit, settings=settings, today=runtime.clock.today())
