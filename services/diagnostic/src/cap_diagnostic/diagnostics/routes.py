"""HTTP routes of diagnostics: open, list, rate, score, migrate, move along the lifecycle, and
the restitution report.

Routes translate HTTP to use cases and back (ETag, Idempotency-Key, status codes); the rules
are in :mod:`cap_diagnostic.diagnostics.service`, :mod:`cap_diagnostic.diagnostics.answers`,
:mod:`cap_diagnostic.diagnostics.rules` and :mod:`cap_diagnostic.referentials.service`.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from cap_diagnostic.deps import OptionalIfMatchDep, PractitionerDep
from cap_diagnostic.diagnostics import access, answers, completion
from cap_diagnostic.diagnostics import service as diagnostics
from cap_diagnostic.diagnostics.report import data as report_data
from cap_diagnostic.diagnostics.rules.lifecycle import Action, KeyFigures
from cap_diagnostic.diagnostics.schemas import (
    AnswerPublic,
    AnswersSaved,
    AnswersUpdate,
    DiagnosticCreate,
    DiagnosticMigration,
    DiagnosticPublic,
    DiagnosticScores,
    DiagnosticSummary,
    DiagnosticTransition,
    DiagnosticUpdate,
    Suggestion,
)
from cap_diagnostic.fields import ID_PATTERN
from cap_diagnostic.models import Diagnostic, idempotency_keys
from cap_diagnostic.resources import service as resources
from cap_diagnostic.resources.schemas import Recommendations
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.idempotency import Idempotency, IdempotencyKeyHeader, fingerprint
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import ERRORS, Id
from cap_shared.security import Principal
from cap_shared.sync import SyncPage, UpdatedSince

router = APIRouter(prefix="/v1/diagnostics", tags=["diagnostics"], responses=ERRORS)


def _idempotency(
    request: Request, session: SessionDep, principal: Principal, key: str | None, payload: Any
) -> Idempotency:
    """The Idempotency-Key claim of this request (its answer replayed on a retry)."""
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
        body if body is not None else await diagnostics.to_public(session, diagnostic)
    )
    headers = {"ETag": access.etag(diagnostic)}
    if status_code == 201:
        headers["Location"] = f"/v1/diagnostics/{diagnostic.id}"
    if idem is not None:
        await idem.save(status_code, content, headers)
    return JSONResponse(content, status_code=status_code, headers=headers)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DiagnosticPublic)
async def create_diagnostic(
    data: DiagnosticCreate,
    request: Request,
    principal: PractitionerDep,
    session: SessionDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Open a diagnostic for an organisation: the one-day CAP session or a self-assessment."""
    idem = _idempotency(request, session, principal, idempotency_key, data)
    if (replay := await idem.replay()) is not None:
        return replay
    diagnostic = await diagnostics.create(session, principal, data=data)
    return await _answer(session, diagnostic, 201, idem)


@router.get("", response_model=SyncPage[DiagnosticPublic])
async def list_diagnostics(
    principal: PractitionerDep,
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
) -> SyncPage[DiagnosticPublic]:
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


@router.get("/summary", response_model=DiagnosticSummary, response_model_exclude_unset=True)
async def diagnostic_summary(principal: PractitionerDep, session: SessionDep) -> dict[str, Any]:
    """The caller's organisation's latest diagnostic (the mobile home screen)."""
    return await diagnostics.summary(session, principal)


@router.get("/{diagnostic_id}", response_model=DiagnosticPublic)
async def get_diagnostic(
    diagnostic_id: Id, principal: PractitionerDep, session: SessionDep
) -> Response:
    """A diagnostic with its progress; the ETag to send back in If-Match."""
    return await _answer(
        session, await diagnostics.get(session, principal, diagnostic_id=diagnostic_id)
    )


@router.patch("/{diagnostic_id}", response_model=DiagnosticPublic)
async def update_diagnostic(
    diagnostic_id: Id,
    data: DiagnosticUpdate,
    principal: PractitionerDep,
    session: SessionDep,
    precondition: OptionalIfMatchDep,
) -> Response:
    """Change the session details (date, facilitator, participants) before completion."""
    diagnostic = await diagnostics.update(
        session, principal, diagnostic_id=diagnostic_id, data=data, if_match=precondition.if_match
    )
    return await _answer(session, diagnostic)


@router.get("/{diagnostic_id}/answers", response_model=SyncPage[AnswerPublic])
async def list_answers(
    diagnostic_id: Id,
    principal: PractitionerDep,
    session: SessionDep,
    updated_since: UpdatedSince = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> SyncPage[AnswerPublic]:
    """The diagnostic's answers by criterion URN; with ``updated_since``, those changed or
    deleted since, oldest change first (delta sync for offline rating)."""
    return await answers.list_answers(
        session,
        principal,
        diagnostic_id=diagnostic_id,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )


@router.put("/{diagnostic_id}/answers", response_model=AnswersSaved)
async def upsert_answers(
    diagnostic_id: Id,
    data: AnswersUpdate,
    request: Request,
    principal: PractitionerDep,
    session: SessionDep,
    precondition: OptionalIfMatchDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Create or replace answers by criterion (all of the batch or none of it).

    Send the ETag you read in If-Match: a stale one gets 412 and nothing is written. Send an
    Idempotency-Key when you may retry (mobile, offline)."""
    idem = _idempotency(request, session, principal, idempotency_key, data)
    if (replay := await idem.replay()) is not None:
        return replay
    diagnostic, stored = await answers.upsert_answers(
        session,
        principal,
        diagnostic_id=diagnostic_id,
        batch=data.answers,
        if_match=precondition.if_match,
    )
    body = AnswersSaved(revision=diagnostic.revision, answers=stored)
    return await _answer(session, diagnostic, 200, idem, body=body)


@router.put("/{diagnostic_id}/key-figures", response_model=DiagnosticPublic)
async def set_key_figures(
    diagnostic_id: Id,
    data: KeyFigures,
    principal: PractitionerDep,
    session: SessionDep,
    precondition: OptionalIfMatchDep,
) -> Response:
    """Record the structure's key figures (employees in pathway, exits by category)."""
    diagnostic = await diagnostics.set_key_figures(
        session,
        principal,
        diagnostic_id=diagnostic_id,
        figures=data,
        if_match=precondition.if_match,
    )
    return await _answer(session, diagnostic)


@router.get("/{diagnostic_id}/scores", response_model=DiagnosticScores)
async def get_scores(
    diagnostic_id: Id, principal: PractitionerDep, session: SessionDep
) -> dict[str, Any]:
    """Scores per theme, per core subject or clause group, overall; strengths, weak points and
    the gap to each band (live while rating, final once completed)."""
    return await completion.live_scores(session, principal, diagnostic_id=diagnostic_id)


@router.get("/{diagnostic_id}/suggestions", response_model=Page[Suggestion])
async def get_suggestions(
    diagnostic_id: Id,
    principal: PractitionerDep,
    session: SessionDep,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[Suggestion]:
    """Answers from the organisation's earlier diagnostics on shared criteria, to reuse, in
    the referential's criterion order."""
    return await answers.suggestions(
        session, principal, diagnostic_id=diagnostic_id, cursor=cursor, limit=limit
    )


@router.post("/{diagnostic_id}/migrate", response_model=DiagnosticPublic)
async def migrate_diagnostic(
    diagnostic_id: Id,
    data: DiagnosticMigration,
    principal: PractitionerDep,
    session: SessionDep,
    precondition: OptionalIfMatchDep,
) -> Response:
    """Move a running diagnostic to another version of its referential."""
    diagnostic = await diagnostics.migrate(
        session, principal, diagnostic_id=diagnostic_id, data=data, if_match=precondition.if_match
    )
    return await _answer(session, diagnostic)


@router.post("/{diagnostic_id}/transitions", response_model=DiagnosticPublic)
async def transition_diagnostic(
    diagnostic_id: Id,
    data: DiagnosticTransition,
    request: Request,
    principal: PractitionerDep,
    session: SessionDep,
    precondition: OptionalIfMatchDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Schedule, start, complete (publishes diagnostic.completed.v1 with the scores), issue the
    progress plan (actions proposed from the gaps), follow up, or close."""
    idem = _idempotency(request, session, principal, idempotency_key, data)
    if (replay := await idem.replay()) is not None:
        return replay
    diagnostic = await diagnostics.transition(
        session,
        principal,
        diagnostic_id=diagnostic_id,
        action=Action(data.action.value),
        if_match=precondition.if_match,
    )
    return await _answer(session, diagnostic, 200, idem)


@router.get("/{diagnostic_id}/recommendations", response_model=Recommendations)
async def get_recommendations(
    diagnostic_id: Id, principal: PractitionerDep, session: SessionDep
) -> Recommendations:
    """Resources of the federation's catalogue for each gap, ranked by expected score gain."""
    return await resources.recommendations(session, principal, diagnostic_id=diagnostic_id)


@router.get(
    "/{diagnostic_id}/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The report (PDF)"}},
)
async def get_report(
    diagnostic_id: Id, principal: PractitionerDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The restitution report in French (PDF): cover, radar of the themes, scores, strengths and
    improvement areas, the progress plan and its resources. Provisional until completion."""
    from cap_diagnostic.diagnostics.report import pdf as report_pdf  # ReportLab, when asked

    data = await report_data.gather(
        session, principal, diagnostic_id=diagnostic_id, today=runtime.clock.today()
    )
    pdf = await asyncio.to_thread(report_pdf.render_pdf, data)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="restitution-cap-{diagnostic_id[:8]}.pdf"'
        },
    )
