"""Routes of invitations: sent by administrators, accepted with the link's token."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from cap_gateway.accounts.routes import ROUTER_ERRORS
from cap_gateway.accounts.schemas import UserPublic
from cap_gateway.deps import GatewayDep
from cap_gateway.invitations import service as invitation_service
from cap_gateway.invitations.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationPublic,
)
from cap_shared.deps import SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import Id, StructureAdminDep
from cap_shared.security import Public, authenticate

router = APIRouter(prefix="/v1/invitations", tags=["invitations"], responses=ROUTER_ERRORS)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=InvitationCreated)
async def create_invitation(
    data: InvitationCreate, principal: StructureAdminDep, session: SessionDep, gateway: GatewayDep
) -> InvitationCreated:
    """Invite a person to a role; the answer holds the one-time link to send them."""
    return await invitation_service.invite(
        session,
        principal=principal,
        data=data,
        ttl_s=gateway.settings.invitation_ttl_s,
        public_url=gateway.settings.public_base,
    )


@router.get("", response_model=Page[InvitationPublic])
async def list_invitations(
    principal: StructureAdminDep,
    session: SessionDep,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
) -> Page[InvitationPublic]:
    """Pending invitations (neither accepted, revoked nor expired) the caller manages, newest
    first."""
    return await invitation_service.list_invitations(
        session, principal=principal, cursor=cursor, limit=limit
    )


@router.delete("/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_invitation(
    invitation_id: Id, principal: StructureAdminDep, session: SessionDep
) -> None:
    """Withdraw a pending invitation."""
    await invitation_service.revoke_invitation(
        session, principal=principal, invitation_id=invitation_id
    )


@router.post(
    "/accept",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    dependencies=[Public],
    responses={
        400: {"description": "Invalid, used or expired invitation (`invalid-invitation`)"},
        401: {
            "description": "The e-mail has an account: sign in as its owner or give its "
            "password (`account-owner-required`); or the bearer token is invalid"
        },
        403: {"description": "Signed in as someone else (`invitation-for-another-account`)"},
        422: {"description": "Invalid field, or a new account without a password"},
        429: {"description": "Too many attempts (see Retry-After)"},
    },
)
async def accept_invitation(
    data: InvitationAccept, request: Request, session: SessionDep, gateway: GatewayDep
) -> UserPublic:
    """Accept an invitation with its token. A new account chooses its password; an existing
    one joins only if its owner accepts: signed in as themselves, or giving its password."""
    await gateway.limiter.check(
        "login", gateway.addresses.of(request), detail="too many attempts from this address"
    )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    principal = (
        await authenticate(request, token.strip())
        if scheme.lower() == "bearer" and token.strip()
        else None
    )
    return await invitation_service.accept_invitation(
        session,
        passwords=gateway.passwords,
        limiter=gateway.limiter,
        principal=principal,
        data=data,
    )
