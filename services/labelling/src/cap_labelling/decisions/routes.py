"""HTTP routes of decision files: read them, and the committee's decision."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from cap_labelling.decisions import answers, checks
from cap_labelling.decisions import service as decisions
from cap_labelling.decisions.schemas import DecisionChecks, DecisionPublic, DecisionTake
from cap_labelling.deps import FileReaders, OrganisationFilter, Readers, SchemeFilter, SettingsDep
from cap_labelling.models import DecisionFile
from cap_shared.conditional import IfMatch, Precondition, etag_of
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import ERRORS, LIST_ERRORS, FederationDep, Id
from cap_shared.security import Principal

router = APIRouter(prefix="/v1/decisions", tags=["decisions"], responses=ERRORS)

#: Decision files have concurrent editors (the committee): a decision sends the file's ETag
#: it read in If-Match (428 without, 412 when the file changed since).
FileAsRead = Annotated[Precondition, Depends(IfMatch(required=True))]


async def file_answer(
    session: SessionDep,
    file: DecisionFile,
    settings: SettingsDep,
    principal: Principal,
    response: Response,
) -> DecisionPublic:
    """The file as ``GET /v1/decisions/{id}`` shows it to the caller, with its ETag."""
    public = await answers.out(session, file, settings=settings, principal=principal)
    response.headers["ETag"] = etag_of(public)
    return public


@router.get("", response_model=Page[DecisionPublic], responses=LIST_ERRORS)
async def list_decisions(
    principal: Readers,
    session: SessionDep,
    settings: SettingsDep,
    status_: Annotated[
        Literal["awaiting_report", "pending", "deferred", "held", "granted", "refused"] | None,
        Query(alias="status", description="Only files in this state"),
    ] = None,
    scheme: SchemeFilter = None,
    organisation_id: OrganisationFilter = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[DecisionPublic]:
    """Decision files the caller may see (the committee: all), newest first."""
    files, next_cursor = await decisions.page_visible(
        session,
        principal,
        status=status_,
        scheme=scheme,
        organisation_id=organisation_id,
        cursor=cursor,
        limit=limit,
    )
    return Page[DecisionPublic](
        data=await answers.out_all(session, files, settings=settings, principal=principal),
        next_cursor=next_cursor,
    )


@router.get("/{decision_id}", response_model=DecisionPublic)
async def get_decision(
    decision_id: Id, principal: FileReaders, session: SessionDep, settings: SettingsDep
) -> DecisionPublic:
    """One file, with the level rule's evaluation (live until decided, then as decided); its
    body's system (certifications:write) reads its own files. The ETag is what a decision
    sends in If-Match."""
    file = await decisions.get(session, principal, file_id=decision_id)
    return await answers.out(session, file, settings=settings, principal=principal)


@router.get("/{decision_id}/impartiality", response_model=DecisionChecks)
async def impartiality_checks(
    decision_id: Id,
    principal: FederationDep,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> DecisionChecks:
    """The caller's impartiality checks against the file, each with its result, as a decision
    would apply them today: not an auditor of the file, no engagement with its structures within
    the cooling-off (naming them and until when), no decision of theirs overturned on appeal."""
    return await checks.of_caller(
        session,
        principal,
        file_id=decision_id,
        settings=settings,
        today=runtime.clock.now().date(),
    )


@router.post("/{decision_id}/decide", response_model=DecisionPublic)
async def decide(
    decision_id: Id,
    data: DecisionTake,
    principal: FederationDep,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    precondition: FileAsRead,
    response: Response,
) -> DecisionPublic:
    """The committee confirms (at most the computed CAP RSE level; lower with a reason),
    refuses or defers (with a reason). Not by an auditor of the file (403 ``not-impartial``);
    not twice (409); not before the report (409); CAP ISO 9001 is the body's (409). Send the
    file's ETag in If-Match (428 without it, 412 when it changed since you read it)."""
    file = await decisions.decide(
        session,
        principal,
        file_id=decision_id,
        data=data,
        settings=settings,
        clock=runtime.clock,
        precondition=precondition,
    )
    return await file_answer(session, file, settings, principal, response)
