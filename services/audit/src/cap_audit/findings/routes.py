"""Routes of findings: recorded by the audit team, answered by the organisation, reviewed by
the auditor."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from cap_audit import access
from cap_audit.deps import BodySideDep, InvolvedDep, OrganisationSideDep, SettingsDep
from cap_audit.findings import service
from cap_audit.findings.schemas import (
    FindingCreate,
    FindingPublic,
    ResponseCreate,
    ResponseReview,
)
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from cap_shared.routes import ERRORS, LIST_ERRORS, Id
from cap_shared.sync import SyncPage, UpdatedSince

#: An audit's findings.
audit_findings = APIRouter(prefix="/v1/audits", tags=["audits"], responses=ERRORS)
findings = APIRouter(prefix="/v1/findings", tags=["audits"], responses=ERRORS)


@audit_findings.get(
    "/{audit_id}/findings", response_model=SyncPage[FindingPublic], responses=LIST_ERRORS
)
async def list_findings(
    audit_id: Id,
    principal: InvolvedDep,
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
) -> SyncPage[FindingPublic]:
    """The audit's findings, and the minors of earlier audits its report escalated to major
    (they count as its majors; their ``audit_id`` is the audit that found them), oldest first;
    with ``updated_since``, those changed since, oldest change first (delta sync)."""
    rows, deleted, next_cursor = await service.findings_page(
        session,
        principal,
        audit_id=audit_id,
        type_=type_,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )
    return SyncPage[FindingPublic](
        data=await service.findings_public(
            session, rows, settings=settings, today=runtime.clock.today()
        ),
        next_cursor=next_cursor,
        deleted=deleted,
    )


@audit_findings.post(
    "/{audit_id}/findings", status_code=status.HTTP_201_CREATED, response_model=FindingPublic
)
async def add_finding(
    audit_id: Id,
    data: FindingCreate,
    principal: BodySideDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> FindingPublic:
    """Record a finding on a criterion or a clause, at a site of the programme, with evidence
    (the audit team)."""
    finding = await service.add_finding(session, principal, audit_id=audit_id, data=data)
    (out,) = await service.findings_public(
        session, [finding], settings=settings, today=runtime.clock.today()
    )
    return out


@findings.get("/{finding_id}", response_model=FindingPublic)
async def get_finding(
    finding_id: Id,
    principal: InvolvedDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> FindingPublic:
    """A finding and, for a nonconformity, its answer, review and appeal."""
    finding, _audit = await access.visible_finding(session, principal, finding_id)
    (out,) = await service.findings_public(
        session, [finding], settings=settings, today=runtime.clock.today()
    )
    return out


@findings.post("/{finding_id}/response", response_model=FindingPublic)
async def respond(
    finding_id: Id,
    data: ResponseCreate,
    principal: OrganisationSideDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> FindingPublic:
    """The organisation answers a nonconformity: root cause, correction, corrective action,
    due date and evidence."""
    finding = await service.respond(
        session,
        principal,
        finding_id=finding_id,
        data=data,
        settings=settings,
        clock=runtime.clock,
    )
    (out,) = await service.findings_public(
        session, [finding], settings=settings, today=runtime.clock.today()
    )
    return out


@findings.post("/{finding_id}/review", response_model=FindingPublic)
async def review(
    finding_id: Id,
    data: ResponseReview,
    principal: BodySideDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> FindingPublic:
    """The auditor accepts the plan, sends the answer back (with a comment) or verifies it."""
    finding = await service.review(
        session,
        principal,
        finding_id=finding_id,
        decision=data.decision,
        comment=data.comment,
        clock=runtime.clock,
    )
    (out,) = await service.findings_public(
        session, [finding], settings=settings, today=runtime.clock.today()
    )
    return out
