"""Routes of audits: read by those involved, planned and moved on by the body's side."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile

from cap_audit import access
from cap_audit.audits import planning, service
from cap_audit.audits.rules import AuditStep
from cap_audit.audits.schemas import AuditPlanUpdate, AuditPublic, AuditTransition
from cap_audit.config import Settings
from cap_audit.deps import (
    BodySideDep,
    ExpectedDep,
    ExpectedRequiredDep,
    InvolvedDep,
    OrganisationFilter,
    SettingsDep,
)
from cap_audit.models import Audit
from cap_shared.conditional import etag_of
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.files import LocalFileStore
from cap_shared.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from cap_shared.problems import NotFound
from cap_shared.routes import ERRORS, LIST_ERRORS, Id
from cap_shared.sync import SyncPage, UpdatedSince

audit_routes = APIRouter(prefix="/v1/audits", tags=["audits"], responses=ERRORS)


def file_store(settings: Settings) -> LocalFileStore:
    """Where the signed report documents are kept."""
    return LocalFileStore(settings.files_dir)


async def audit_answer(
    session: SessionDep,
    audit: Audit,
    settings: SettingsDep,
    runtime: RuntimeDep,
    response: Response,
) -> AuditPublic:
    """The audit as ``GET /v1/audits/{id}`` shows it, with its ETag."""
    out = await service.audit_public(session, audit, settings=settings, today=runtime.clock.today())
    response.headers["ETag"] = etag_of(out)
    return out


@audit_routes.get("", response_model=SyncPage[AuditPublic], responses=LIST_ERRORS)
async def list_audits(
    principal: InvolvedDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    status: Annotated[
        str | None,
        Query(
            pattern="^(requested|accepted|planned|in_progress|report_submitted|closed|cancelled)$",
            description="Only audits in this state",
        ),
    ] = None,
    programme_id: Annotated[
        str | None,
        Query(max_length=60, pattern=r"^[^\x00-\x1f\x7f]+$", description="Only this programme's"),
    ] = None,
    organisation_id: OrganisationFilter = None,
    updated_since: UpdatedSince = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> SyncPage[AuditPublic]:
    """Audits the caller may see (an auditor: those assigned to them), newest request first;
    with ``updated_since``, those changed since, oldest change first (delta sync)."""
    today = runtime.clock.today()
    rows, deleted, next_cursor = await service.audits_page(
        session,
        principal,
        status=status,
        programme_id=programme_id,
        organisation_id=organisation_id,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )
    return SyncPage[AuditPublic](
        data=[await service.audit_public(session, a, settings=settings, today=today) for a in rows],
        next_cursor=next_cursor,
        deleted=deleted,
    )


@audit_routes.get("/{audit_id}", response_model=AuditPublic)
async def get_audit(
    audit_id: Id,
    principal: InvolvedDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> AuditPublic:
    """An audit: dates, team and declarations, findings per type, the steps possible now."""
    audit = await access.visible_audit(session, principal, audit_id)
    return await service.audit_public(
        session, audit, settings=settings, today=runtime.clock.today()
    )


@audit_routes.put("/{audit_id}/plan", response_model=AuditPublic)
async def plan_audit(
    audit_id: Id,
    data: AuditPlanUpdate,
    principal: BodySideDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    precondition: ExpectedRequiredDep,
    response: Response,
) -> AuditPublic:
    """Plan (or re-plan) an accepted audit: dates, plan, team with roles and declarations.
    Auditors must be qualified for the scheme on those dates and impartial. Send the audit's
    ETag (``GET /v1/audits/{id}``) in If-Match: 428 without, 412 when it changed since; the
    answer's ETag is the new one."""
    audit = await planning.plan(
        session,
        principal,
        audit_id=audit_id,
        data=data,
        settings=settings,
        clock=runtime.clock,
        precondition=precondition,
    )
    return await audit_answer(session, audit, settings, runtime, response)


@audit_routes.post("/{audit_id}/transitions", response_model=AuditPublic)
async def step_audit(
    audit_id: Id,
    data: AuditTransition,
    principal: BodySideDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> AuditPublic:
    """Accept (body), start, submit the report (publishes audit.report_submitted.v1), close
    (every major NC verified, every minor with an accepted plan) or cancel."""
    audit = await service.step(
        session,
        principal,
        audit_id=audit_id,
        audit_step=AuditStep(data.step),
        summary=data.summary,
        reason=data.reason,
        settings=settings,
        clock=runtime.clock,
        answered=True,
    )
    return await service.audit_public(
        session, audit, settings=settings, today=runtime.clock.today()
    )


@audit_routes.put("/{audit_id}/report-document", response_model=AuditPublic)
async def attach_report(
    audit_id: Id,
    principal: BodySideDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description="The signed report (PDF)")],
    precondition: ExpectedDep,
    response: Response,
) -> AuditPublic:
    """Attach the signed report document (PDF, lead auditor or body), kept in the file store
    with its SHA-256. With If-Match (the audit's ETag), only if the audit did not change since
    (412); the answer's ETag is the new one."""
    content = await file.read(settings.report_max_bytes + 1)
    audit = await service.attach_report(
        session,
        principal,
        audit_id=audit_id,
        content=content,
        store=file_store(settings),
        settings=settings,
        clock=runtime.clock,
        precondition=precondition,
    )
    return await audit_answer(session, audit, settings, runtime, response)


@audit_routes.get(
    "/{audit_id}/report-document",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The signed report"}},
)
async def get_report_document(
    audit_id: Id, principal: InvolvedDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """The signed report document of a visible audit."""
    audit = await access.visible_audit(session, principal, audit_id)
    if not audit.report_document_key:
        raise NotFound(
            "this audit has no report document yet",
            detail_fr="cet audit n'a pas encore de document de rapport",
        )
    content = await file_store(settings).get(audit.report_document_key)
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="rapport-audit-{audit.id[:8]}.pdf"',
            "Digest": f"sha-256={audit.report_document_sha256}",
        },
    )
