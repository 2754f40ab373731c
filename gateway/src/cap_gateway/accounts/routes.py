"""Routes of users, memberships, invitations, API clients and the caller's own profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import AfterValidator

from cap_gateway.accounts import service as accounts_service
from cap_gateway.accounts.schemas import (
    ApiClientCreate,
    ApiClientCreated,
    ApiClientPublic,
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationPublic,
    Me,
    MembershipCreate,
    PasswordChange,
    UserPublic,
    UserUpdate,
)
from cap_gateway.deps import AccountManagerDep, AdminDep, GatewayDep, SignedInDep
from cap_gateway.overview import Overview, gather
from cap_shared.conditional import IfMatch, Precondition, etag_of
from cap_shared.deps import SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.security import Public, authenticate
from cap_shared.text import printable

Id = Annotated[str, Path(max_length=36)]
Printable = Annotated[str, AfterValidator(printable)]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "No valid token"},
    403: {"description": "Role not allowed"},
    404: {"description": "Unknown, or not visible to the caller"},
    422: {"description": "Invalid field (named in errors[].field)"},
}

users = APIRouter(prefix="/v1/users", tags=["users"], responses=_ERRORS)
invitations = APIRouter(prefix="/v1/invitations", tags=["invitations"], responses=_ERRORS)
api_clients = APIRouter(prefix="/v1/api-clients", tags=["api-clients"], responses=_ERRORS)
me = APIRouter(prefix="/v1/me", tags=["me"], responses=_ERRORS)


# invitations ---------------------------------------------------------------------------
@invitations.post("", status_code=status.HTTP_201_CREATED, response_model=InvitationCreated)
async def create_invitation(
    data: InvitationCreate, principal: AccountManagerDep, session: SessionDep, gateway: GatewayDep
) -> InvitationCreated:
    """Invite a person to a role; the answer holds the one-time link to send them."""
    return await accounts_service.invite(
        session,
        principal=principal,
        data=data,
        ttl_s=gateway.settings.invitation_ttl_s,
        public_url=gateway.settings.public_base,
    )


@invitations.get("", response_model=Page[InvitationPublic])
async def list_invitations(
    principal: AccountManagerDep,
    session: SessionDep,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
) -> Page[InvitationPublic]:
    """Pending invitations (neither accepted, revoked nor expired) the caller manages, newest
    first."""
    return await accounts_service.list_invitations(
        session, principal=principal, cursor=cursor, limit=limit
    )


@invitations.delete("/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_invitation(
    invitation_id: Id, principal: AccountManagerDep, session: SessionDep
) -> None:
    """Withdraw a pending invitation."""
    await accounts_service.revoke_invitation(
        session, principal=principal, invitation_id=invitation_id
    )


@invitations.post(
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
    return await accounts_service.accept_invitation(
        session,
        passwords=gateway.passwords,
        limiter=gateway.limiter,
        principal=principal,
        data=data,
    )


# users ----------------------------------------------------------------------------------
@users.get("", response_model=Page[UserPublic])
async def list_users(
    principal: AccountManagerDep,
    session: SessionDep,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
    organisation_id: Annotated[Printable | None, Query(max_length=36)] = None,
    role: Annotated[Printable | None, Query(max_length=32)] = None,
) -> Page[UserPublic]:
    """Users the caller manages (an admin: everyone; a member_admin: their organisation's)."""
    return await accounts_service.list_users(
        session,
        principal=principal,
        limit=limit,
        cursor=cursor,
        organisation_id=organisation_id,
        role=role,
    )


@users.get("/{user_id}", response_model=UserPublic)
async def read_user(user_id: Id, principal: AccountManagerDep, session: SessionDep) -> UserPublic:
    """One user the caller manages."""
    return await accounts_service.get_user(session, principal=principal, user_id=user_id)


@users.patch(
    "/{user_id}",
    response_model=UserPublic,
    responses={409: {"description": "An admin cannot disable their own account"}},
)
async def update_user(
    user_id: Id,
    data: UserUpdate,
    principal: AdminDep,
    session: SessionDep,
    precondition: Annotated[Precondition, Depends(IfMatch(required=False))],
    response: Response,
) -> UserPublic:
    """Rename or disable an account (disabling signs it out everywhere). With If-Match (the
    ETag read), only if it did not change since (412); the answer's ETag is the new one."""
    out = await accounts_service.update_user(
        session, principal=principal, user_id=user_id, data=data, precondition=precondition
    )
    response.headers["ETag"] = etag_of(out)
    return out


@users.post(
    "/{user_id}/memberships", status_code=status.HTTP_201_CREATED, response_model=UserPublic
)
async def grant_membership(
    user_id: Id, data: MembershipCreate, principal: AccountManagerDep, session: SessionDep
) -> UserPublic:
    """Give an existing user one more role (a member_admin: member or member_admin of their own
    organisation, to someone of it)."""
    return await accounts_service.grant_membership(
        session, principal=principal, user_id=user_id, data=data
    )


@users.delete(
    "/{user_id}/memberships/{membership_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={409: {"description": "The organisation's last member_admin (`last-member-admin`)"}},
)
async def remove_membership(
    user_id: Id, membership_id: Id, principal: AccountManagerDep, session: SessionDep
) -> None:
    """Take a role away (a member_admin: only in their own organisation)."""
    await accounts_service.remove_membership(
        session, principal=principal, user_id=user_id, membership_id=membership_id
    )


# API clients ----------------------------------------------------------------------------
@api_clients.post("", status_code=status.HTTP_201_CREATED, response_model=ApiClientCreated)
async def create_api_client(
    data: ApiClientCreate, principal: AdminDep, session: SessionDep
) -> ApiClientCreated:
    """Register a certification body's system; the secret is shown in this answer only."""
    return await accounts_service.create_api_client(session, principal=principal, data=data)


@api_clients.get("", response_model=Page[ApiClientPublic])
async def list_api_clients(
    _admin: AdminDep,
    session: SessionDep,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
) -> Page[ApiClientPublic]:
    """Registered API clients (revoked ones included), newest first."""
    return await accounts_service.list_api_clients(session, cursor=cursor, limit=limit)


@api_clients.get("/{api_client_id}", response_model=ApiClientPublic)
async def read_api_client(
    api_client_id: Id, _admin: AdminDep, session: SessionDep
) -> ApiClientPublic:
    """One API client."""
    return await accounts_service.get_api_client(session, api_client_id=api_client_id)


@api_clients.post(
    "/{api_client_id}/secret",
    response_model=ApiClientCreated,
    responses={409: {"description": "The client is revoked"}},
)
async def rotate_api_client_secret(
    api_client_id: Id, _admin: AdminDep, session: SessionDep
) -> ApiClientCreated:
    """Issue a new secret; the old one stops working at once."""
    return await accounts_service.rotate_api_client_secret(session, api_client_id=api_client_id)


@api_clients.delete("/{api_client_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_client(api_client_id: Id, _admin: AdminDep, session: SessionDep) -> None:
    """Revoke a client."""
    await accounts_service.revoke_api_client(session, api_client_id=api_client_id)


# me -----------------------------------------------------------------------------------
@me.get("/overview", response_model=Overview)
async def read_overview(
    principal: SignedInDep, session: SessionDep, gateway: GatewayDep, request: Request
) -> Overview:
    """My home screen: who I am, and each service's summary for me, gathered concurrently.

    A service that is down or slow leaves its part ``unavailable``; the rest still arrives.
    """
    profile = await accounts_service.me(session, principal=principal)
    parts = await gather(
        request.app.state.upstreams,
        request.app.state.overview_parts,
        authorization=request.headers.get("authorization", ""),
        timeout=gateway.settings.overview_timeout_s,
    )
    return Overview(me=profile, parts=parts)


@me.get("", response_model=Me)
async def read_me(principal: SignedInDep, session: SessionDep) -> Me:
    """Who I am: my account, roles and organisations (or, for a system, its scopes)."""
    return await accounts_service.me(session, principal=principal)


@me.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        400: {"description": "The current password is wrong (`wrong-password`)"},
        403: {"description": "A system has no password"},
    },
)
async def change_password(
    data: PasswordChange, principal: SignedInDep, session: SessionDep, gateway: GatewayDep
) -> None:
    """Change my password; I am signed out on every other device."""
    await accounts_service.change_password(
        session, principal=principal, passwords=gateway.passwords, data=data
    )
