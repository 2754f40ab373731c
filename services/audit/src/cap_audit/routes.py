"""HTTP routes of the audit service."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile, status

from cap_audit import appeals, audits
from cap_audit.certifier.routes import LIST_ERRORS
from cap_audit.certifier.routes import ROUTERS as certifier_routers
from cap_audit.deps import SettingsDep
from cap_audit.models import Audit, Auditor, CertificationBody, Engagement
from cap_audit.repository import AuditRepository
from cap_audit.rules import AuditStep
from cap_audit.schemas import (
    AppealDecisionIn,
    AppealIn,
    AuditorIn,
    AuditorOut,
    AuditorUpdate,
    AuditOut,
    AuditRequest,
    AuditStepIn,
    BodyIn,
    BodyOut,
    BodyUpdate,
    EngagementIn,
    EngagementOut,
    FindingIn,
    FindingOut,
    MaturityBatch,
    PlanIn,
    ProgrammeOut,
    ResponseIn,
    ReviewIn,
)
from cap_shared.conditional import IfMatch, Precondition, etag_of
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.files import LocalFileStore
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.problems import NotFound
from cap_shared.security import Allow, Principal, Role
from cap_shared.sync import SyncPage, UpdatedSince

#: An id in a path: printable, no control character (PostgreSQL refuses NUL in text).
Id = Annotated[str, Path(max_length=60, pattern=r"^[^\x00-\x1f\x7f]+$")]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "No valid token"},
    403: {"description": "Role not allowed"},
    404: {"description": "Unknown, or not visible to the caller"},
    409: {"description": "Not possible in the current state, or a certification rule"},
    422: {"description": "Invalid input (named in errors[])"},
}
Admin = Annotated[Principal, Depends(Allow(Role.ADMIN))]
#: Everyone with a stake in audits; each use case narrows to the caller's scope.
Involved = Annotated[
    Principal,
    Depends(
        Allow(
            Role.ADMIN,
            Role.COMMITTEE,
            Role.FACILITATOR,
            Role.MEMBER,
            Role.MEMBER_ADMIN,
            Role.AUDITOR,
            Role.CERTIFICATION_BODY,
        )
    ),
]
#: Those who act for a certification body (the use case checks which audits).
#: If-Match on a write: optional (412 when stale), or required where concurrent editors are
#: expected (an audit's plan: the body, its lead auditor, an admin): 428 without it.
Expected = Annotated[Precondition, Depends(IfMatch(required=False))]
ExpectedRequired = Annotated[Precondition, Depends(IfMatch(required=True))]
BodySide = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.AUDITOR, Role.CERTIFICATION_BODY))]
Organisation = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.MEMBER, Role.MEMBER_ADMIN))]
#: The audited structure's administrator (appeals), or an administrator.
StructureAdmin = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.MEMBER_ADMIN))]
#: The body's system or an administrator (appeal outcomes: no auditor of the audit).
BodyOrAdmin = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.CERTIFICATION_BODY))]

bodies = APIRouter(
    prefix="/v1/certification-bodies", tags=["certification-bodies"], responses=_ERRORS
)
auditors = APIRouter(prefix="/v1/auditors", tags=["certification-bodies"], responses=_ERRORS)
programmes = APIRouter(prefix="/v1/audit-programmes", tags=["audits"], responses=_ERRORS)
audit_routes = APIRouter(prefix="/v1/audits", tags=["audits"], responses=_ERRORS)
findings = APIRouter(prefix="/v1/findings", tags=["audits"], responses=_ERRORS)


def _body(b: CertificationBody) -> BodyOut:
    return BodyOut(
        id=b.id, name=b.name, accreditation=b.accreditation, schemes=b.schemes, active=b.active
    )


def _auditor(a: Auditor) -> AuditorOut:
    return AuditorOut(
        id=a.id,
        certification_body_id=a.certification_body_id,
        name=a.name,
        email=a.email,
        user_id=a.user_id,
        qualifications=a.qualifications,
        active=a.active,
        planner=a.planner,
    )


# bodies and auditors ---------------------------------------------------------------------------
#: The cursor of a list ordered by name: it holds a name (up to 200 characters, escaped).
NameCursor = Annotated[
    str | None,
    Query(
        max_length=2000,
        description="`next_cursor` of the previous page of this same list (opaque); absent "
        "for the first page",
    ),
]
BodyFilter = Annotated[
    str | None,
    Query(max_length=60, pattern=r"^[a-z0-9][a-z0-9\-]*$", description="Only this body's"),
]
OrganisationFilter = Annotated[
    str | None,
    Query(max_length=60, pattern=r"^[^\x00-\x1f\x7f]+$", description="Only this structure's"),
]


# bodies and auditors ---------------------------------------------------------------------------
@bodies.get("", response_model=Page[BodyOut], responses=LIST_ERRORS)
async def list_bodies(
    _principal: Involved,
    session: SessionDep,
    active: Annotated[bool | None, Query(description="Only active (or inactive) bodies")] = None,
    cursor: NameCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[BodyOut]:
    """Certification bodies (name, accreditation, schemes), by name."""
    rows, next_cursor = await AuditRepository(session).bodies_page(
        active=active, cursor=cursor, limit=limit
    )
    return Page[BodyOut](data=[_body(b) for b in rows], next_cursor=next_cursor)


@bodies.post("", status_code=status.HTTP_201_CREATED, response_model=BodyOut)
async def create_body(
    data: BodyIn, _principal: Admin, session: SessionDep, response: Response
) -> BodyOut:
    """Register a certification body (admin); the answer's ETag is for a later If-Match."""
    out = _body(await audits.create_body(session, data))
    response.headers["ETag"] = etag_of(out)
    return out


@bodies.patch("/{body_id}", response_model=BodyOut)
async def update_body(
    body_id: Id,
    data: BodyUpdate,
    _principal: Admin,
    session: SessionDep,
    precondition: Expected,
    response: Response,
) -> BodyOut:
    """Change a body (admin). With If-Match (the ETag of the body as listed or last written),
    only if it did not change since (412); the answer's ETag is the new one."""
    body = await audits.update_body(
        session, body_id, data, lambda b: precondition.check_representation(_body(b))
    )
    out = _body(body)
    response.headers["ETag"] = etag_of(out)
    return out


@auditors.get("", response_model=Page[AuditorOut], responses=LIST_ERRORS)
async def list_auditors(
    _principal: Admin,
    session: SessionDep,
    certification_body_id: BodyFilter = None,
    active: Annotated[bool | None, Query(description="Only active (or inactive) auditors")] = None,
    cursor: NameCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[AuditorOut]:
    """Auditors with their qualifications, by name (admin)."""
    rows, next_cursor = await AuditRepository(session).auditors_page(
        certification_body_id=certification_body_id, active=active, cursor=cursor, limit=limit
    )
    return Page[AuditorOut](data=[_auditor(a) for a in rows], next_cursor=next_cursor)


@auditors.post("", status_code=status.HTTP_201_CREATED, response_model=AuditorOut)
async def create_auditor(
    data: AuditorIn, _principal: Admin, session: SessionDep, response: Response
) -> AuditorOut:
    """Register an auditor of a body, with qualifications and validity dates (admin); the
    answer's ETag is for a later If-Match."""
    out = _auditor(await audits.create_auditor(session, data))
    response.headers["ETag"] = etag_of(out)
    return out


@auditors.patch("/{auditor_id}", response_model=AuditorOut)
async def update_auditor(
    auditor_id: Id,
    data: AuditorUpdate,
    _principal: Admin,
    session: SessionDep,
    precondition: Expected,
    response: Response,
) -> AuditorOut:
    """Change an auditor (admin). With If-Match (the ETag of the auditor as listed or last
    written), only if it did not change since (412); the answer's ETag is the new one."""
    auditor = await audits.update_auditor(
        session, auditor_id, data, lambda a: precondition.check_representation(_auditor(a))
    )
    out = _auditor(auditor)
    response.headers["ETag"] = etag_of(out)
    return out


def _engagement(e: Engagement) -> EngagementOut:
    return EngagementOut(
        id=e.id,
        auditor_id=e.auditor_id,
        user_id=e.user_id,
        organisation_id=e.organisation_id,
        kind=e.kind,
        on=e.on,
        note=e.note,
        audit_id=e.audit_id,
        role=e.role,
        diagnostic_id=e.diagnostic_id,
    )


@auditors.post(
    "/{auditor_id}/engagements", status_code=status.HTTP_201_CREATED, response_model=EngagementOut
)
async def record_engagement(
    auditor_id: Id, data: EngagementIn, principal: Admin, session: SessionDep, runtime: RuntimeDep
) -> EngagementOut:
    """Record the auditor's consultancy, accompaniment or training given to an organisation:
    it bars them from auditing it and deciding on it for the scheme's cooling-off period
    (ISO/IEC 17021-1 §5.2.11); ``audited`` is history only (admin)."""
    return _engagement(
        await audits.record_engagement(session, principal, auditor_id, data, runtime.clock)
    )


class AuditorEngagementPage(Page[EngagementOut]):
    """A page of an auditor's engagements (named: other services page an ``EngagementOut``)."""


@auditors.get(
    "/{auditor_id}/engagements", response_model=AuditorEngagementPage, responses=LIST_ERRORS
)
async def list_engagements(
    auditor_id: Id,
    _principal: Admin,
    session: SessionDep,
    organisation_id: OrganisationFilter = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> AuditorEngagementPage:
    """The auditor's engagements: recorded for them, or for their platform account (an
    accompanied CAP session they facilitated), oldest first by date (admin)."""
    repo = AuditRepository(session)
    auditor = await repo.get(Auditor, auditor_id)
    if auditor is None:
        raise NotFound("no such auditor", detail_fr="auditeur introuvable")
    rows, next_cursor = await repo.engagements_page(
        auditor, organisation_id=organisation_id, cursor=cursor, limit=limit
    )
    return AuditorEngagementPage(data=[_engagement(e) for e in rows], next_cursor=next_cursor)


# programmes ------------------------------------------------------------------------------------
@programmes.get("", response_model=Page[ProgrammeOut], responses=LIST_ERRORS)
async def list_programmes(
    principal: Involved,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    organisation_id: OrganisationFilter = None,
    scheme: Annotated[
        Literal["CAP_RSE", "CAP_ISO9001"] | None, Query(description="Only this scheme's")
    ] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[ProgrammeOut]:
    """Audit programmes the caller may see, with their computed due dates, oldest first."""
    today = runtime.clock.today()
    rows, next_cursor = await audits.programmes_page(
        session,
        principal,
        organisation_id=organisation_id,
        scheme=scheme,
        cursor=cursor,
        limit=limit,
    )
    return Page[ProgrammeOut](
        data=[await audits.programme_out(session, p, settings, today) for p in rows],
        next_cursor=next_cursor,
    )


@programmes.get("/{programme_id}", response_model=ProgrammeOut)
async def get_programme(
    programme_id: Id,
    principal: Involved,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> ProgrammeOut:
    """A programme: each expected audit, its due date, and where it stands."""
    programme = await audits.visible_programme(session, principal, programme_id)
    return await audits.programme_out(session, programme, settings, runtime.clock.today())


@programmes.post(
    "/{programme_id}/audits", status_code=status.HTTP_201_CREATED, response_model=AuditOut
)
async def request_audit(
    programme_id: Id,
    data: AuditRequest,
    principal: Admin,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> AuditOut:
    """Request the programme's next audit from its body (admin): stage 2 only after a closed
    stage 1, surveillance and follow-up only on a recognition in force (active or suspended)."""
    audit = await audits.request_audit(
        session, principal, programme_id, data, settings, runtime.clock
    )
    return await audits.audit_out(session, audit, settings, runtime.clock.today())


# audits ----------------------------------------------------------------------------------------
@audit_routes.get("", response_model=SyncPage[AuditOut], responses=LIST_ERRORS)
async def list_audits(
    principal: Involved,
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
) -> SyncPage[AuditOut]:
    """Audits the caller may see (an auditor: those assigned to them), newest request first;
    with ``updated_since``, those changed since, oldest change first (delta sync)."""
    today = runtime.clock.today()
    rows, deleted, next_cursor = await audits.audits_page(
        session,
        principal,
        status=status,
        programme_id=programme_id,
        organisation_id=organisation_id,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )
    return SyncPage[AuditOut](
        data=[await audits.audit_out(session, a, settings, today) for a in rows],
        next_cursor=next_cursor,
        deleted=deleted,
    )


@audit_routes.get("/{audit_id}", response_model=AuditOut)
async def get_audit(
    audit_id: Id,
    principal: Involved,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> AuditOut:
    """An audit: dates, team and declarations, findings per type, the steps possible now."""
    audit = await audits.visible_audit(session, principal, audit_id)
    return await audits.audit_out(session, audit, settings, runtime.clock.today())


@audit_routes.put("/{audit_id}/plan", response_model=AuditOut)
async def plan_audit(
    audit_id: Id,
    data: PlanIn,
    principal: BodySide,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    precondition: ExpectedRequired,
    response: Response,
) -> AuditOut:
    """Plan (or re-plan) an accepted audit: dates, plan, team with roles and declarations.
    Auditors must be qualified for the scheme on those dates and impartial. Send the audit's
    ETag (``GET /v1/audits/{id}``) in If-Match: 428 without, 412 when it changed since; the
    answer's ETag is the new one."""
    audit = await audits.plan(
        session, principal, audit_id, data, settings, runtime.clock, precondition
    )
    return await _audit_answer(session, audit, settings, runtime, response)


async def _audit_answer(
    session: SessionDep,
    audit: Audit,
    settings: SettingsDep,
    runtime: RuntimeDep,
    response: Response,
) -> AuditOut:
    """The audit as ``GET /v1/audits/{id}`` shows it, with its ETag."""
    out = await audits.audit_out(session, audit, settings, runtime.clock.today())
    response.headers["ETag"] = etag_of(out)
    return out


@audit_routes.post("/{audit_id}/transitions", response_model=AuditOut)
async def step_audit(
    audit_id: Id,
    data: AuditStepIn,
    principal: BodySide,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> AuditOut:
    """Accept (body), start, submit the report (publishes audit.report_submitted.v1), close
    (every major NC verified, every minor with an accepted plan) or cancel."""
    audit = await audits.step(
        session,
        principal,
        audit_id,
        AuditStep(data.step),
        summary=data.summary,
        reason=data.reason,
        settings=settings,
        clock=runtime.clock,
    )
    return await audits.audit_out(session, audit, settings, runtime.clock.today())


def file_store(settings: SettingsDep) -> LocalFileStore:
    return LocalFileStore(settings.files_dir)


@audit_routes.put("/{audit_id}/report-document", response_model=AuditOut)
async def attach_report(
    audit_id: Id,
    principal: BodySide,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description="The signed report (PDF)")],
    precondition: Expected,
    response: Response,
) -> AuditOut:
    """Attach the signed report document (PDF, lead auditor or body), kept in the file store
    with its SHA-256. With If-Match (the audit's ETag), only if the audit did not change since
    (412); the answer's ETag is the new one."""
    content = await file.read(settings.report_max_bytes + 1)
    audit = await audits.attach_report(
        session,
        principal,
        audit_id,
        content,
        file_store(settings),
        settings,
        runtime.clock,
        precondition,
    )
    return await _audit_answer(session, audit, settings, runtime, response)


@audit_routes.get(
    "/{audit_id}/report-document",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The signed report"}},
)
async def get_report_document(
    audit_id: Id, principal: Involved, session: SessionDep, settings: SettingsDep
) -> Response:
    """The signed report document of a visible audit."""
    audit = await audits.visible_audit(session, principal, audit_id)
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


@audit_routes.get(
    "/{audit_id}/findings", response_model=SyncPage[FindingOut], responses=LIST_ERRORS
)
async def list_findings(
    audit_id: Id,
    principal: Involved,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    type_: Annotated[
        Literal["major_nc", "minor_nc", "observation", "opportunity", "strength"] | None,
        Query(alias="type", description="Only findings of this type"),
    ] = None,
    updated_since: UpdatedSince = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> SyncPage[FindingOut]:
    """The audit's findings, and the minors of earlier audits its report escalated to major
    (they count as its majors; their ``audit_id`` is the audit that found them), oldest first;
    with ``updated_since``, those changed since, oldest change first (delta sync)."""
    audit = await audits.visible_audit(session, principal, audit_id)
    rows, deleted, next_cursor = await audits.findings_page(
        session, audit, type_=type_, updated_since=updated_since, cursor=cursor, limit=limit
    )
    return SyncPage[FindingOut](
        data=await audits.findings_out(session, rows, settings, runtime.clock.today()),
        next_cursor=next_cursor,
        deleted=deleted,
    )


@audit_routes.post(
    "/{audit_id}/findings", status_code=status.HTTP_201_CREATED, response_model=FindingOut
)
async def add_finding(
    audit_id: Id,
    data: FindingIn,
    principal: BodySide,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> FindingOut:
    """Record a finding on a criterion or a clause, at a site of the programme, with evidence
    (the audit team)."""
    finding = await audits.add_finding(session, principal, audit_id, data)
    (out,) = await audits.findings_out(session, [finding], settings, runtime.clock.today())
    return out


@audit_routes.put("/{audit_id}/maturity")
async def set_maturity(
    audit_id: Id,
    data: MaturityBatch,
    principal: BodySide,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    precondition: Expected,
    response: Response,
) -> dict[str, int]:
    """The evaluated maturity per criterion and site, or not applicable (CAP RSE audits). With
    If-Match (the audit's ETag), only if the audit did not change since (412); the answer's
    ETag is the audit's."""
    today = runtime.clock.today()
    audit, recorded = await audits.set_maturity(
        session, principal, audit_id, data.levels, settings, today, precondition
    )
    response.headers["ETag"] = await audits.audit_etag(session, audit, settings, today)
    return {"recorded": recorded}


@findings.get("/{finding_id}", response_model=FindingOut)
async def get_finding(
    finding_id: Id,
    principal: Involved,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> FindingOut:
    """A finding and, for a nonconformity, its answer, review and appeal."""
    finding, _audit = await audits.visible_finding(session, principal, finding_id)
    (out,) = await audits.findings_out(session, [finding], settings, runtime.clock.today())
    return out


@findings.post("/{finding_id}/response", response_model=FindingOut)
async def respond(
    finding_id: Id,
    data: ResponseIn,
    principal: Organisation,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> FindingOut:
    """The organisation answers a nonconformity: root cause, correction, corrective action,
    due date and evidence."""
    finding = await audits.respond(session, principal, finding_id, data, settings, runtime.clock)
    (out,) = await audits.findings_out(session, [finding], settings, runtime.clock.today())
    return out


@findings.post("/{finding_id}/review", response_model=FindingOut)
async def review(
    finding_id: Id,
    data: ReviewIn,
    principal: BodySide,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> FindingOut:
    """The auditor accepts the plan, sends the answer back (with a comment) or verifies it."""
    finding = await audits.review(
        session, principal, finding_id, data.decision, data.comment, runtime.clock
    )
    (out,) = await audits.findings_out(session, [finding], settings, runtime.clock.today())
    return out


@findings.post(
    "/{finding_id}/appeal", status_code=status.HTTP_201_CREATED, response_model=FindingOut
)
async def appeal(
    finding_id: Id,
    data: AppealIn,
    principal: StructureAdmin,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> FindingOut:
    """The audited structure appeals a nonconformity within the scheme's appeal period (its
    member_admin, or an admin); its deadlines stop until the outcome (ISO/IEC 17021-1 §9.7)."""
    finding = await appeals.lodge(session, principal, finding_id, data, settings, runtime.clock)
    (out,) = await audits.findings_out(session, [finding], settings, runtime.clock.today())
    return out


@findings.post("/{finding_id}/appeal/decision", response_model=FindingOut)
async def decide_appeal(
    finding_id: Id,
    data: AppealDecisionIn,
    principal: BodyOrAdmin,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> FindingOut:
    """The appeal's outcome — upheld, overturned (withdrawn) or downgraded (major to minor) —
    recorded by the body's system or an admin who took no part in the audit."""
    finding = await appeals.decide(session, principal, finding_id, data, runtime.clock)
    (out,) = await audits.findings_out(session, [finding], settings, runtime.clock.today())
    return out


ROUTERS = (bodies, auditors, programmes, audit_routes, findings, *certifier_routers)
