"""HTTP routes of group invitations: the invited structure reads and answers them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from cap_labelling.deps import InvitationReaders, SettingsDep
from cap_labelling.group_invitations import service as group_invitations
from cap_labelling.group_invitations.schemas import GroupInvitationPublic
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import ERRORS, LIST_ERRORS, Id, StructureAdminDep

router = APIRouter(prefix="/v1/group-invitations", tags=["applications"], responses=ERRORS)


@router.get("", response_model=Page[GroupInvitationPublic], responses=LIST_ERRORS)
async def list_group_invitations(
    principal: InvitationReaders,
    session: SessionDep,
    status_: Annotated[
        Literal["pending", "accepted", "declined", "cancelled"] | None,
        Query(alias="status", description="Only invitations in this state"),
    ] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[GroupInvitationPublic]:
    """Invitations of the caller's structures to join another structure's group application
    (the federation: all), newest first."""
    found, next_cursor = await group_invitations.page_visible(
        session, principal, status=status_, cursor=cursor, limit=limit
    )
    return Page[GroupInvitationPublic](
        data=[await group_invitations.to_public(session, i) for i in found],
        next_cursor=next_cursor,
    )


@router.get("/{invitation_id}", response_model=GroupInvitationPublic)
async def get_group_invitation(
    invitation_id: Id, principal: InvitationReaders, session: SessionDep
) -> GroupInvitationPublic:
    """One invitation of the caller's structure: who applies, for what, with which body."""
    return await group_invitations.to_public(
        session, await group_invitations.get(session, principal, invitation_id=invitation_id)
    )


@router.post("/{invitation_id}/acceptance", response_model=GroupInvitationPublic)
async def accept_group_invitation(
    invitation_id: Id,
    principal: StructureAdminDep,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> GroupInvitationPublic:
    """The invited structure's member_admin (or an admin) accepts: the structure joins the
    group — if it has a completed CAP diagnostic within the eligibility window (422
    ``not-eligible``) — and the applicant is told (labelling.group_invitation.answered.v1)."""
    invitation = await group_invitations.answer(
        session,
        principal,
        invitation_id=invitation_id,
        accept=True,
        window_months=settings.eligibility_window_months,
        clock=runtime.clock,
    )
    return await group_invitations.to_public(session, invitation)


@router.post("/{invitation_id}/refusal", response_model=GroupInvitationPublic)
async def decline_group_invitation(
    invitation_id: Id,
    principal: StructureAdminDep,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> GroupInvitationPublic:
    """The invited structure's member_admin (or an admin) declines: it stays out of the group
    and nothing of it is shown to the applicant."""
    invitation = await group_invitations.answer(
        session,
        principal,
        invitation_id=invitation_id,
        accept=False,
        window_months=settings.eligibility_window_months,
        clock=runtime.clock,
    )
    return await group_invitations.to_public(session, invitation)
