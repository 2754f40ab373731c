"""HTTP routes of the diagnostic service: referentials and diagnostics.

Routes translate HTTP to use cases and back (ETag, Idempotency-Key, status codes); the rules
are in :mod:`cap_diagnostic.diagnostics`, :mod:`cap_diagnostic.lifecycle`,
:mod:`cap_diagnostic.scoring` and :mod:`cap_diagnostic.referentials.service`.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    File,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict

from cap_diagnostic import catalogue, diagnostics, reports
from cap_diagnostic.answers import DiagnosticSummary, ScoresOut
from cap_diagnostic.lifecycle import Action
from cap_diagnostic.models import Diagnostic, ReferentialVersion, idempotency_keys
from cap_diagnostic.plan_routes import ROUTERS as plan_routers
from cap_diagnostic.referentials import service as referentials
from cap_diagnostic.referentials.loader import MAX_FILE_BYTES, ReferentialInvalid, too_large
from cap_diagnostic.referentials.model import ResolvedReferential
from cap_diagnostic.referentials.schema import MAX_VERSION, ReferentialFile
from cap_diagnostic.resource_routes import ROUTERS as resource_routers
from cap_diagnostic.schemas import (
    ID_PATTERN,
    AnswerOut,
    AnswersIn,
    CriterionOut,
    DiagnosticCreate,
    DiagnosticOut,
    DiagnosticUpdate,
    KeyFiguresIn,
    LevelOut,
    MigrateIn,
    Recommendations,
    ReferentialDetail,
    ReferentialImported,
    ReferentialSummary,
    Suggestion,
    ThemeOut,
)
from cap_diagnostic.statistics_routes import ROUTERS as statistics_routers
from cap_shared import conditional
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.idempotency import Idempotency, IdempotencyKeyHeader, fingerprint
from cap_shared.openapi import self_contained_schema
from cap_shared.pagination import (
    DEFAULT_PAGE_SIZE,
    Keyset,
    Page,
    PageCursor,
    PageLimit,
    field_key,
)
from cap_shared.security import Allow, Principal, Role, SignedIn
from cap_shared.sync import SyncPage, UpdatedSince

Id = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]
Code = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9._\-]+$")]
#: ``If-Match`` with the diagnostic's ETag (its revision): optional, 412 when stale.
IfMatch = Annotated[conditional.Precondition, Depends(conditional.IfMatch(required=False))]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "No valid token"},
    403: {"description": "Role not allowed"},
    404: {"description": "Unknown, or not visible to the caller"},
    409: {"description": "Not possible in the current state"},
    412: {"description": "Stale ETag in If-Match"},
    422: {"description": "Invalid input (named in errors[])"},
}

Admin = Annotated[Principal, Depends(Allow(Role.ADMIN))]
Reader = Annotated[Principal, Depends(SignedIn())]
#: Who works on diagnostics: the organisation's people, its region's facilitators, admins.
Practitioner = Annotated[
    Principal, Depends(Allow(Role.ADMIN, Role.MEMBER, Role.MEMBER_ADMIN, Role.FACILITATOR))
]

referential_routes = APIRouter(prefix="/v1/referentials", tags=["referentials"], responses=_ERRORS)
diagnostic_routes = APIRouter(prefix="/v1/diagnostics", tags=["diagnostics"], responses=_ERRORS)


# referentials --------------------------------------------------------------------------------
def _summary(stored: ReferentialVersion, resolved: ResolvedReferential) -> dict[str, Any]:
    return {
        "id": stored.id,
        "urn": stored.urn,
        "code": stored.code,
        "version": stored.version,
        "name": stored.name,
        "status": stored.status,
        "published_on": stored.published_on,
        "imported_at": stored.created_at,
        "criteria_count": len(resolved.criteria),
        "extends": [e.model_dump() for e in resolved.document.extends],
    }


#: By code then version (a few dozen versions: paged in memory).
REFERENTIALS = Keyset("diagnostic.referentials", field_key("code", str), field_key("version", int))


@referential_routes.get("", response_model=Page[ReferentialSummary])
async def list_referentials(
    _principal: Reader,
    session: SessionDep,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[ReferentialSummary]:
    """Every imported referential version (all versions of CAP, CAP RSE, CAP ISO 9001...), by
    code then version."""
    stored, next_cursor = REFERENTIALS.slice(
        await referentials.list_versions(session), cursor=cursor, limit=limit
    )
    out = []
    for version in stored:
        resolved = await referentials.resolved(session, version.id)
        out.append(ReferentialSummary(**_summary(version, resolved)))
    return Page[ReferentialSummary](data=out, next_cursor=next_cursor)


@referential_routes.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ReferentialImported
)
async def import_referential(
    principal: Admin,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="A cap-referential/1 file (YAML or JSON)")],
) -> ReferentialImported:
    """Import a new referential version (admin). Equal or older versions are refused (409);
    an invalid file is refused whole (422, each error naming file, object and field)."""
    filename = (file.filename or "upload.yaml").rsplit("/", 1)[-1][:200]
    content = await file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise ReferentialInvalid([too_large(filename)])
    imported = await referentials.import_file(session, content, filename, actor=principal.subject)
    return ReferentialImported(
        **_summary(imported.version, imported.resolved), changes=imported.version.changes
    )


@referential_routes.get("/{code}/versions/{version}", response_model=ReferentialDetail)
async def get_referential(
    code: Code,
    version: Annotated[int, Path(ge=1, le=MAX_VERSION)],
    _principal: Reader,
    session: SessionDep,
) -> ReferentialDetail:
    """A version with its themes and criteria, the reused ones included, ready to rate."""
    stored = await referentials.get_version(session, code, version)
    resolved = await referentials.resolved(session, stored.id)
    doc = resolved.document
    return ReferentialDetail(
        **_summary(stored, resolved),
        description=doc.description,
        status_note=doc.status_note,
        bands=[b.model_dump() for b in doc.bands],
        frameworks=[
            {
                "id": f.id,
                "name": f.name,
                "version": f.version,
                "items": [i.model_dump() for i in f.items],
            }
            for f in resolved.frameworks.values()
        ],
        themes=[
            ThemeOut(
                urn=t.urn,
                code=t.code,
                name=t.name,
                description=t.description,
                criteria=[
                    CriterionOut(
                        urn=c.urn,
                        code=c.code,
                        name=c.name,
                        guidance=c.guidance,
                        evidence_examples=list(c.evidence_examples),
                        indicators=[i.model_dump() for i in c.indicators],
                        action_templates=[a.model_dump() for a in c.action_templates],
                        weight=c.weight,
                        kind=c.kind.value,
                        core=c.core,
                        scale=[LevelOut(**lvl.model_dump()) for lvl in c.scale.levels],
                        mappings=[m.model_dump() for m in c.mappings],
                        origin=f"{c.origin[0]}@{c.origin[1]}",
                    )
                    for c in t.criteria
                ],
            )
            for t in resolved.themes
        ],
        changes=stored.changes,
    )


class ExportFormat(StrEnum):
    yaml = "yaml"
    json = "json"


#: The referential file format (``docs/referentials/referential.schema.json``), in YAML or JSON.
_FILE = {"schema": self_contained_schema(ReferentialFile)}


@referential_routes.get(
    "/{code}/versions/{version}/export",
    response_class=PlainTextResponse,
    responses={200: {"content": {"application/yaml": _FILE, "application/json": _FILE}}},
)
async def export_referential(
    code: Code,
    version: Annotated[int, Path(ge=1, le=MAX_VERSION)],
    _principal: Admin,
    session: SessionDep,
    format: Annotated[ExportFormat, Query()] = ExportFormat.yaml,
) -> Response:
    """The version's file, as imported (admin): importable into another platform."""
    stored = await referentials.get_version(session, code, version)
    as_json = format is ExportFormat.json
    filename = f"{stored.code.lower().replace('_', '-')}-v{stored.version}.{format.value}"
    return Response(
        referentials.export(stored, as_json=as_json),
        media_type="application/json" if as_json else "application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# diagnostics -------------------------------------------------------------------------------
def _idempotency(
    request: Request, session: SessionDep, principal: Principal, key: str | None, payload: Any
) -> Idempotency:
    return Idempotency(
        idempotency_keys, session, principal.subject, key, fingerprint(request, payload)
    )


async def _answer(
    session: SessionDep,
    diagnostic: Diagnostic,
    status_code: int = 200,
    idem: Idempotency | None = None,
    body: Any = None,
) -> JSONResponse:
    """A diagnostic (or ``body``) with its ETag, kept for Idempotency-Key replays."""
    content = jsonable_encoder(
        body if body is not None else await diagnostics.to_out(session, diagnostic)
    )
    headers = {"ETag": diagnostics.etag(diagnostic)}
    if status_code == 201:
        headers["Location"] = f"/v1/diagnostics/{diagnostic.id}"
    if idem is not None:
        await idem.save(status_code, content, headers)
    return JSONResponse(content, status_code=status_code, headers=headers)


@diagnostic_routes.post("", status_code=status.HTTP_201_CREATED, response_model=DiagnosticOut)
async def create_diagnostic(
    data: DiagnosticCreate,
    request: Request,
    principal: Practitioner,
    session: SessionDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Open a diagnostic for an organisation: the one-day CAP session or a self-assessment."""
    idem = _idempotency(request, session, principal, idempotency_key, data)
    if (replay := await idem.replay()) is not None:
        return replay
    diagnostic = await diagnostics.create(session, principal, data)
    return await _answer(session, diagnostic, 201, idem)


@diagnostic_routes.get("", response_model=SyncPage[DiagnosticOut])
async def list_diagnostics(
    principal: Practitioner,
    session: SessionDep,
    organisation_id: Annotated[
        str | None,
        Query(max_length=36, pattern=ID_PATTERN, description="Only this organisation's"),
    ] = None,
    status: Annotated[
        str | None,
        Query(max_length=20, pattern=r"^[a-z_]+$", description="Only in this status"),
    ] = None,
    updated_since: UpdatedSince = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> SyncPage[DiagnosticOut]:
    """Diagnostics the caller may see, newest first (created_at, id); with ``updated_since``,
    those changed or deleted since, oldest change first (delta sync)."""
    return await diagnostics.page(
        session,
        principal,
        organisation_id=organisation_id,
        status=status,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )


@diagnostic_routes.get(
    "/summary", response_model=DiagnosticSummary, response_model_exclude_unset=True
)
async def diagnostic_summary(principal: Practitioner, session: SessionDep) -> dict[str, Any]:
    """The caller's organisation's latest diagnostic (the mobile home screen)."""
    return await diagnostics.summary(session, principal)


@diagnostic_routes.get("/{diagnostic_id}", response_model=DiagnosticOut)
async def get_diagnostic(
    diagnostic_id: Id, principal: Practitioner, session: SessionDep
) -> Response:
    """A diagnostic with its progress; the ETag to send back in If-Match."""
    return await _answer(session, await diagnostics.get(session, principal, diagnostic_id))


@diagnostic_routes.patch("/{diagnostic_id}", response_model=DiagnosticOut)
async def update_diagnostic(
    diagnostic_id: Id,
    data: DiagnosticUpdate,
    principal: Practitioner,
    session: SessionDep,
    precondition: IfMatch,
) -> Response:
    """Change the session details (date, facilitator, participants) before completion."""
    diagnostic = await diagnostics.update(
        session, principal, diagnostic_id, data, precondition.if_match
    )
    return await _answer(session, diagnostic)


@diagnostic_routes.get("/{diagnostic_id}/answers", response_model=SyncPage[AnswerOut])
async def list_answers(
    diagnostic_id: Id,
    principal: Practitioner,
    session: SessionDep,
    updated_since: UpdatedSince = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> SyncPage[AnswerOut]:
    """The diagnostic's answers by criterion URN; with ``updated_since``, those changed or
    deleted since, oldest change first (delta sync for offline rating)."""
    return await diagnostics.answers(
        session, principal, diagnostic_id, updated_since=updated_since, cursor=cursor, limit=limit
    )


class AnswersOut(BaseModel):
    """The answers of the batch as stored, and the diagnostic's new revision."""

    revision: int
    answers: list[AnswerOut]


@diagnostic_routes.put("/{diagnostic_id}/answers", response_model=AnswersOut)
async def upsert_answers(
    diagnostic_id: Id,
    data: AnswersIn,
    request: Request,
    principal: Practitioner,
    session: SessionDep,
    precondition: IfMatch,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Create or replace answers by criterion (all of the batch or none of it).

    Send the ETag you read in If-Match: a stale one gets 412 and nothing is written. Send an
    Idempotency-Key when you may retry (mobile, offline)."""
    idem = _idempotency(request, session, principal, idempotency_key, data)
    if (replay := await idem.replay()) is not None:
        return replay
    diagnostic, stored = await diagnostics.upsert_answers(
        session, principal, diagnostic_id, data.answers, precondition.if_match
    )
    body = AnswersOut(revision=diagnostic.revision, answers=stored)
    return await _answer(session, diagnostic, 200, idem, body=body)


@diagnostic_routes.put("/{diagnostic_id}/key-figures", response_model=DiagnosticOut)
async def set_key_figures(
    diagnostic_id: Id,
    data: KeyFiguresIn,
    principal: Practitioner,
    session: SessionDep,
    precondition: IfMatch,
) -> Response:
    """Record the structure's key figures (employees in pathway, exits by category)."""
    diagnostic = await diagnostics.set_key_figures(
        session, principal, diagnostic_id, data, precondition.if_match
    )
    return await _answer(session, diagnostic)


@diagnostic_routes.get("/{diagnostic_id}/scores", response_model=ScoresOut)
async def get_scores(
    diagnostic_id: Id, principal: Practitioner, session: SessionDep
) -> dict[str, Any]:
    """Scores per theme, per core subject or clause group, overall; strengths, weak points and
    the gap to each band (live while rating, final once completed)."""
    return await diagnostics.live_scores(session, principal, diagnostic_id)


@diagnostic_routes.get("/{diagnostic_id}/suggestions", response_model=Page[Suggestion])
async def get_suggestions(
    diagnostic_id: Id,
    principal: Practitioner,
    session: SessionDep,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[Suggestion]:
    """Answers from the organisation's earlier diagnostics on shared criteria, to reuse, in
    the referential's criterion order."""
    return await diagnostics.suggestions(
        session, principal, diagnostic_id, cursor=cursor, limit=limit
    )


@diagnostic_routes.post("/{diagnostic_id}/migrate", response_model=DiagnosticOut)
async def migrate_diagnostic(
    diagnostic_id: Id,
    data: MigrateIn,
    principal: Practitioner,
    session: SessionDep,
    precondition: IfMatch,
) -> Response:
    """Move a running diagnostic to another version of its referential."""
    diagnostic = await diagnostics.migrate(
        session, principal, diagnostic_id, data, precondition.if_match
    )
    return await _answer(session, diagnostic)


TransitionAction = StrEnum("TransitionAction", {a.value: a.value for a in Action})  # type: ignore[misc]


class TransitionIn(BaseModel):
    """A lifecycle step."""

    model_config = ConfigDict(extra="forbid")

    action: TransitionAction


@diagnostic_routes.post("/{diagnostic_id}/transitions", response_model=DiagnosticOut)
async def transition_diagnostic(
    diagnostic_id: Id,
    data: TransitionIn,
    request: Request,
    principal: Practitioner,
    session: SessionDep,
    precondition: IfMatch,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Schedule, start, complete (publishes diagnostic.completed.v1 with the scores), issue the
    progress plan (actions proposed from the gaps), follow up, or close."""
    idem = _idempotency(request, session, principal, idempotency_key, data)
    if (replay := await idem.replay()) is not None:
        return replay
    diagnostic = await diagnostics.transition(
        session, principal, diagnostic_id, Action(data.action.value), precondition.if_match
    )
    return await _answer(session, diagnostic, 200, idem)


@diagnostic_routes.get("/{diagnostic_id}/recommendations", response_model=Recommendations)
async def get_recommendations(
    diagnostic_id: Id, principal: Practitioner, session: SessionDep
) -> Recommendations:
    """Resources of the federation's catalogue for each gap, ranked by expected score gain."""
    return await catalogue.recommendations(session, principal, diagnostic_id)


@diagnostic_routes.get(
    "/{diagnostic_id}/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The report (PDF)"}},
)
async def get_report(
    diagnostic_id: Id, principal: Practitioner, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The restitution report in French (PDF): cover, radar of the themes, scores, strengths and
    improvement areas, the progress plan and its resources. Provisional until completion."""
    data = await reports.gather(session, principal, diagnostic_id, runtime.clock.today())
    pdf = await asyncio.to_thread(reports.render_pdf, data)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="restitution-cap-{diagnostic_id[:8]}.pdf"'
        },
    )


ROUTERS = (
    referential_routes,
    diagnostic_routes,
    *plan_routers,
    *resource_routers,
    *statistics_routers,
)
