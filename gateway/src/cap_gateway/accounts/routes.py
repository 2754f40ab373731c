"""Routes of users, their memberships and the caller's own profile (``/v1/me``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import AfterValidator

from cap_gateway.accounts import service as accounts_service
from cap_gateway.accounts.schemas import (
    Me,
    MembershipCreate,
    PasswordChange,
    UserPublic,
    UserUpdate,
)
from cap_gateway.deps import GatewayDep
from cap_gateway.overview import Overview, gather
from cap_shared.conditional import IfMatch, Precondition, etag_of
from cap_shared.deps import DatabaseDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import AdminDep, Id, SignedInDep, StructureAdminDep, errors
from cap_shared.text import printable

Printable = Annotated[str, AfterValidator(printable)]
#: The errors every operation of these routers may answer.
ROUTER_ERRORS = errors(401, 403, 404, 422)

users = APIRouter(prefix="/v1/users", tags=["users"], responses=ROUTER_ERRORS)
me = APIRouter(prefix="/v1/me", tags=["me"], responses=ROUTER_ERRORS)


@users.get("", response_model=Page[UserPublic])
async def list_users(
    principal: StructureAdminDep,
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
async def read_user(user_id: Id, principal: StructureAdminDep, session: SessionDep) -> UserPublic:
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
    user_id: Id, data: MembershipCreate, principal: StructureAdminDep, session: SessionDep
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
    user_id: Id, membership_id: Id, principal: StructureAdminDep, session: SessionDep
) -> None:
    """Take a role away (a member_admin: only in their own organisation)."""
    await accounts_service.remove_membership(
        session, principal=principal, user_id=user_id, membership_id=membership_id
    )


# me -----------------------------------------------------------------------------------
@me.get("/overview", response_model=Overview)
async def read_overview(
    principal: SignedInDep, db: DatabaseDep, gateway: GatewayDep, request: Request
) -> Overview:
    """My home screen: who I am, and each service's summary for me, gathered concurrently.

    A service that is down or slow leaves its part ``unavailable``; the rest still arrives.
    """
    profile = await accounts_service.me(db, principal=principal)
    parts = await gather(
        request.app.state.upstreams,
        request.app.state.overview_parts,
        authorization=request.headers.get("authorization", ""),
        timeout=gateway.settings.overview_timeout_s,
    )
    return Overview(me=profile, parts=parts)


@me.get("", response_model=Me)
async def read_me(principal: SignedInDep, db: DatabaseDep) -> Me:
    """Who I am: my account, roles and organisations (or, for a system, its scopes)."""
    return await accounts_service.me(db, principal=principal)


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
