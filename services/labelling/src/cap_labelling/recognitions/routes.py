"""HTTP routes of recognitions: read them with their history, and the committee's steps."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from cap_labelling.deps import (
    AppealDeciders,
    OrganisationFilter,
    Readers,
    SchemeFilter,
    SettingsDep,
)
from cap_labelling.recognitions import service as recognitions
from cap_labelling.recognitions.schemas import (
    RecognitionPublic,
    RecognitionTransition,
    ScopeReduction,
)
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from cap_shared.routes import ERRORS, LIST_ERRORS, FederationDep, Id
from cap_shared.sync import SyncPage, UpdatedSince

router = APIRouter(prefix="/v1/recognitions", tags=["recognitions"], responses=ERRORS)


@router.get("", response_model=SyncPage[RecognitionPublic], responses=LIST_ERRORS)
async def list_recognitions(
    principal: Readers,
    session: SessionDep,
    settings: SettingsDep,
    organisation_id: OrganisationFilter = None,
    status_: Annotated[
        Literal["active", "suspended", "withdrawn", "expired", "renewed"] | None,
        Query(alias="status", description="Only recognitions in this state"),
    ] = None,
    scheme: SchemeFilter = None,
    updated_since: UpdatedSince = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> SyncPage[RecognitionPublic]:
    """Recognitions the caller may see in full (with private history notes), newest first;
    with ``updated_since``, those changed since, oldest change first (delta sync)."""
    found, deleted, next_cursor = await recognitions.page_visible(
        session,
        principal,
        organisation_id=organisation_id,
        status=status_,
        scheme=scheme,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )
    changes = await recognitions.history(session, [r.id for r in found])
    return SyncPage[RecognitionPublic](
        data=[
            recognitions.to_public(r, changes[r.id], lifecycle=settings.lifecycle) for r in found
        ],
        next_cursor=next_cursor,
        deleted=deleted,
    )


@router.get("/{recognition_id}", response_model=RecognitionPublic)
async def get_recognition(
    recognition_id: Id, principal: Readers, session: SessionDep, settings: SettingsDep
) -> RecognitionPublic:
    """One recognition with its full history (including the committee's notes)."""
    recognition = await recognitions.get(session, principal, recognition_id=recognition_id)
    changes = await recognitions.history(session, [recognition.id])
    return recognitions.to_public(
        recognition, changes[recognition.id], lifecycle=settings.lifecycle
    )


@router.post("/{recognition_id}/transitions", response_model=RecognitionPublic)
async def step_recognition(
    recognition_id: Id,
    data: RecognitionTransition,
    principal: FederationDep,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> RecognitionPublic:
    """Suspend, restore or withdraw by decision of the committee, with a reason."""
    recognition = await recognitions.step(
        session, principal, recognition_id=recognition_id, data=data, clock=runtime.clock
    )
    changes = await recognitions.history(session, [recognition.id])
    return recognitions.to_public(
        recognition, changes[recognition.id], lifecycle=settings.lifecycle
    )


@router.post("/{recognition_id}/scope-reductions", response_model=RecognitionPublic)
async def reduce_scope(
    recognition_id: Id,
    data: ScopeReduction,
    principal: AppealDeciders,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> RecognitionPublic:
    """Reduce a CAP ISO 9001 certificate's scope instead of suspending or withdrawing it (the
    committee, an admin, or the body's system for its certificates): reissued with the new
    scope and a new issue date, active; the public history shows ``scope_reduced``."""
    recognition = await recognitions.reduce_scope(
        session, principal, recognition_id=recognition_id, data=data, clock=runtime.clock
    )
    changes = await recognitions.history(session, [recognition.id])
    return recognitions.to_public(
        recognition, changes[recognition.id], lifecycle=settings.lifecycle
    )
