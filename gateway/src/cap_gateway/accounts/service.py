"""Use cases on accounts: invitations, users, memberships, API clients, the caller's profile.

Who may do what is decided here, in one place:
* an admin manages everything;
* a member_admin invites, lists and removes the people of their own organisation(s), as
  members or member_admins, and nothing else; of a person who also belongs elsewhere they see
  only the memberships in their own organisations, and not when that person last signed in;
* an invitation to an e-mail that already has an account is accepted only by that account's
  owner, signed in or giving its password;
* everyone reads and edits only their own profile.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cap_gateway.accounts.repository import AccountRepository
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
    MembershipPublic,
    PasswordChange,
    RoleScope,
    UserPublic,
    UserUpdate,
)
from cap_gateway.auth.passwords import Passwords, new_secret, secret_digest
from cap_gateway.identity.regions import REGIONS
from cap_gateway.models import ApiClient, Invitation, Membership, Organisation, User, tables
from cap_gateway.ratelimit import RateLimiter
from cap_shared import clock
from cap_shared.clock import wall_now
from cap_shared.conditional import Precondition
from cap_shared.contracts import new_event
from cap_shared.contracts.identity import MembershipV1, UserChangedV1
from cap_shared.db.rowsecurity import across_organisations
from cap_shared.outbox import add_event
from cap_shared.pagination import Page
from cap_shared.problems import Conflict, Forbidden, NotFound, ProblemError
from cap_shared.security import Principal, Role


class InvalidInvitation(ProblemError):
    """The invitation token is unknown, used, revoked or expired."""

    status, code, title = 400, "invalid-invitation", "Invalid invitation"
    title_fr = "Invitation invalide"


class PasswordRequired(ProblemError):
    """A new account needs a password."""

    status, code, title = 422, "password-required", "A password is required"
    title_fr = "Un mot de passe est requis"


class AccountOwnerRequired(ProblemError):
    """The invited e-mail has an account: only its owner may accept (signed in, or with its
    password); the same answer for a missing and a wrong password."""

    status, code, title = 401, "account-owner-required", "Sign in as the invited person"
    title_fr = "Connectez-vous en tant que personne invitée"

    def __init__(self, detail: str, *, detail_fr: str | None = None) -> None:
        super().__init__(detail, detail_fr=detail_fr, headers={"WWW-Authenticate": "Bearer"})


class InvitationForAnotherAccount(Forbidden):
    """The caller is signed in, but not as the person the invitation is for."""

    code, title = "invitation-for-another-account", "Invitation for another account"
    title_fr = "Invitation destinée à un autre compte"


class WrongPassword(ProblemError):
    """The current password given is wrong."""

    status, code, title = 400, "wrong-password", "Wrong password"
    title_fr = "Mot de passe incorrect"


class LastMemberAdmin(Conflict):
    """An organisation must keep at least one member_admin."""

    code, title = "last-member-admin", "Last member administrator"
    title_fr = "Dernier administrateur de la structure"


def _actor(principal: Principal) -> str:
    return principal.subject


async def _announce(repository: AccountRepository, user: User, actor: str) -> None:
    """Tell the services a person's current state (the notifications service writes to them)."""
    await repository.session.flush()
    # The whole state, memberships of other organisations included: it goes to the services,
    # never to the caller, so it is read past the database's row scope.
    async with across_organisations(repository.session):
        memberships = await repository.memberships(user_ids=[user.id])
    event = UserChangedV1(
        user_id=user.id,
        email=user.email,
        name=user.name,
        status="disabled" if user.status == "disabled" else "active",
        memberships=[
            MembershipV1(
                role=m.role,
                organisation_id=m.organisation_id,
                region=m.region,
                certification_body_id=m.certification_body_id,
            )
            for m in memberships
        ],
        changed_at=clock.now(),
    )
    await add_event(
        repository.session,
        tables.outbox,
        new_event(event, source="/cap/gateway", subject=user.id, actor=actor),
    )


# views --------------------------------------------------------------------------------
def membership_public(m: Membership, organisations: dict[str, Organisation]) -> MembershipPublic:
    """API view of a membership with display names."""
    organisation = organisations.get(m.organisation_id or "")
    return MembershipPublic(
        id=m.id,
        role=m.role,
        organisation_id=m.organisation_id,
        organisation_name=organisation.name if organisation else None,
        region=m.region,
        region_name=REGIONS.get(m.region or ""),
        certification_body_id=m.certification_body_id,
    )


async def _users_public(
    repository: AccountRepository, users: Sequence[User], *, seen_from: frozenset[str] | None = None
) -> list[UserPublic]:
    """API views; ``seen_from``: the only organisations whose memberships the viewer may see
    (None: all of them, for an admin or the person themselves)."""
    # Every membership, past the database's row scope: which ones the viewer sees is decided
    # below, and the others still count (they hide the last sign-in).
    async with across_organisations(repository.session):
        memberships = await repository.memberships(user_ids=[u.id for u in users])
    organisations = await repository.organisations(
        organisation_ids=sorted({m.organisation_id for m in memberships if m.organisation_id})
    )
    by_user: dict[str, list[MembershipPublic]] = {}
    elsewhere: set[str] = set()
    for m in memberships:
        if seen_from is not None and m.organisation_id not in seen_from:
            elsewhere.add(m.user_id)  # another structure's business, or a role of its own
            continue
        by_user.setdefault(m.user_id, []).append(membership_public(m, organisations))
    return [
        UserPublic(
            id=u.id,
            email=u.email,
            name=u.name,
            status=u.status,
            memberships=by_user.get(u.id, []),
            created_at=u.created_at,
            # One date for the whole account: it tells of the person's other roles too.
            last_login_at=None if u.id in elsewhere else u.last_login_at,
        )
        for u in users
    ]


def _seen_from(principal: Principal, user_id: str | None = None) -> frozenset[str] | None:
    """The organisations whose memberships ``principal`` sees (None: all)."""
    if principal.user_id is not None and principal.user_id == user_id:
        return None
    return _administered_organisations(principal)


def _invitation_public(invitation: Invitation) -> InvitationPublic:
    return InvitationPublic.model_validate(invitation, from_attributes=True)


def _client_public(client: ApiClient) -> ApiClientPublic:
    return ApiClientPublic.model_validate(client, from_attributes=True)


# rules --------------------------------------------------------------------------------
def _administered_organisations(principal: Principal) -> frozenset[str] | None:
    """None for an admin (every organisation), else the organisations they administer."""
    if principal.has_role(Role.ADMIN):
        return None
    return principal.organisation_ids(Role.MEMBER_ADMIN)


def _may_grant(principal: Principal, scope: RoleScope) -> bool:
    if principal.has_role(Role.ADMIN):
        return True
    return scope.role in (
        Role.MEMBER,
        Role.MEMBER_ADMIN,
    ) and scope.organisation_id in principal.organisation_ids(Role.MEMBER_ADMIN)


async def _check_scope_exists(repository: AccountRepository, scope: RoleScope) -> None:
    if scope.organisation_id is not None:
        found = await repository.organisations(organisation_ids=[scope.organisation_id])
        if not found:
            raise NotFound(
                f"no organisation {scope.organisation_id}",
                detail_fr=f"aucune structure {scope.organisation_id}",
            )
    if scope.region is not None and scope.region not in REGIONS:
        raise NotFound(f"no region {scope.region}", detail_fr=f"aucune région {scope.region}")


def _membership_of(user_id: str, scope: RoleScope) -> Membership:
    return Membership(
        id=str(uuid.uuid4()),
        user_id=user_id,
        role=scope.role,
        organisation_id=scope.organisation_id,
        region=scope.region,
        certification_body_id=scope.certification_body_id,
    )


# invitations ----------------------------------------------------------------------------
async def invite(
    session: AsyncSession,
    *,
    principal: Principal,
    data: InvitationCreate,
    ttl_s: int,
    public_url: str,
) -> InvitationCreated:
    """Invite a person; the link carries a one-time token stored only as a digest."""
    if not _may_grant(principal, data):
        raise Forbidden(
            "you may not grant this role here", detail_fr="vous ne pouvez pas attribuer ce rôle ici"
        )
    repository = AccountRepository(session)
    await _check_scope_exists(repository, data)
    token = new_secret()
    invitation = Invitation(
        id=str(uuid.uuid4()),
        email=data.email.lower(),
        name=data.name,
        role=data.role,
        organisation_id=data.organisation_id,
        region=data.region,
        certification_body_id=data.certification_body_id,
        token_hash=secret_digest(token),
        invited_by=_actor(principal),
        expires_at=clock.now() + timedelta(seconds=ttl_s),
    )
    await repository.add(invitation)
    return InvitationCreated(
        **_invitation_public(invitation).model_dump(),
        token=token,
        invitation_url=f"{public_url.rstrip('/')}/invitations/accept#token={token}",
    )


async def list_invitations(
    session: AsyncSession, *, principal: Principal, cursor: str | None, limit: int
) -> Page[InvitationPublic]:
    """Pending invitations the caller may manage, newest first."""
    scope = _administered_organisations(principal)
    rows, next_cursor = await AccountRepository(session).pending_invitations(
        now=clock.now(),
        organisation_ids=None if scope is None else sorted(scope),
        cursor=cursor,
        limit=limit,
    )
    return Page[InvitationPublic](
        data=[_invitation_public(i) for i in rows], next_cursor=next_cursor
    )


async def revoke_invitation(
    session: AsyncSession, *, principal: Principal, invitation_id: str
) -> None:
    """Withdraw a pending invitation."""
    invitation = await AccountRepository(session).invitation(invitation_id=invitation_id)
    scope = _administered_organisations(principal)
    if invitation is None or (scope is not None and invitation.organisation_id not in scope):
        raise NotFound(
            f"no invitation {invitation_id}", detail_fr=f"aucune invitation {invitation_id}"
        )
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = clock.now()


async def accept_invitation(
    session: AsyncSession,
    *,
    passwords: Passwords,
    limiter: RateLimiter,
    principal: Principal | None,
    data: InvitationAccept,
) -> UserPublic:
    """Join with the invited role: a new account is created, an existing one gains the role if
    its owner accepts (signed in as themselves, or giving its password)."""
    repository = AccountRepository(session)
    invitation = await repository.invitation_by_token(token_hash=secret_digest(data.token))
    now = clock.now()
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now
    ):
        raise InvalidInvitation(
            "this invitation link is invalid, used or expired",
            detail_fr="ce lien d'invitation est invalide, déjà utilisé ou expiré",
        )
    user = await repository.user_by_email(email=invitation.email)
    if user is None:
        if data.password is None:
            raise PasswordRequired(
                "choose a password (12 to 128 characters)",
                detail_fr="choisissez un mot de passe (12 à 128 caractères)",
            )
        user = User(
            id=str(uuid.uuid4()),
            email=invitation.email,
            name=invitation.name,
            password_hash=await passwords.hash(data.password),
        )
        await repository.add(user)
    else:
        await _check_owner(
            user, principal=principal, passwords=passwords, limiter=limiter, data=data
        )
    scope = RoleScope(
        role=invitation.role,
        organisation_id=invitation.organisation_id,
        region=invitation.region,
        certification_body_id=invitation.certification_body_id,
    )
    await _add_membership(repository, user.id, scope)
    invitation.accepted_at = now
    await _announce(repository, user, f"user:{user.id}")
    return (await _users_public(repository, [user]))[0]


async def _check_owner(
    user: User,
    *,
    principal: Principal | None,
    passwords: Passwords,
    limiter: RateLimiter,
    data: InvitationAccept,
) -> None:
    """Whoever holds an invitation link for an existing account must be that account's owner:
    the link alone would let its sender join someone else's account and read it."""
    if principal is not None:
        if principal.user_id == user.id:
            return
        raise InvitationForAnotherAccount(
            "this invitation is for another account: sign in as the invited person to accept it",
            detail_fr=(
                "cette invitation est destinée à un autre compte : connectez-vous "
                "en tant que personne invitée pour l'accepter"
            ),
        )
    if data.password is not None:
        # A password check is a sign-in: throttled per account like the token endpoint.
        await limiter.check("login-account", user.email, detail="too many sign-in attempts")
        if await passwords.verify(user.password_hash, data.password):
            return
    raise AccountOwnerRequired(
        "this e-mail already has an account: sign in as its owner, or give its password, "
        "to accept the invitation",
        detail_fr=(
            "cette adresse e-mail a déjà un compte : connectez-vous avec ce "
            "compte, ou donnez son mot de passe, pour accepter l'invitation"
        ),
    )


async def _add_membership(repository: AccountRepository, user_id: str, scope: RoleScope) -> None:
    existing = await repository.memberships(user_ids=[user_id])
    key = (scope.role, scope.organisation_id, scope.region, scope.certification_body_id)
    if any((m.role, m.organisation_id, m.region, m.certification_body_id) == key for m in existing):
        return
    try:
        async with repository.session.begin_nested():
            await repository.add(_membership_of(user_id, scope))
    except IntegrityError:  # granted concurrently: the same membership exists, which is the goal
        return


async def ensure_admin(
    session: AsyncSession, *, passwords: Passwords, email: str, password: str
) -> bool:
    """Create the first administrator if the e-mail has no account; True if created."""
    repository = AccountRepository(session)
    if await repository.user_by_email(email=email.lower()) is not None:
        return False
    user = User(
        id=str(uuid.uuid4()),
        email=email.lower(),
        name="Administrateur",
        password_hash=await passwords.hash(password),
    )
    await repository.add(user)
    await repository.add(_membership_of(user.id, RoleScope(role="admin")))
    await _announce(repository, user, "system")
    return True


# users ------------------------------------------------------------------------------
async def _visible_user(repository: AccountRepository, principal: Principal, user_id: str) -> User:
    user = await repository.user(user_id=user_id)
    if user is not None:
        if principal.user_id == user_id or principal.has_role(Role.ADMIN):
            return user
        administered = principal.organisation_ids(Role.MEMBER_ADMIN)
        memberships = await repository.memberships(user_ids=[user_id])
        if any(m.organisation_id in administered for m in memberships):
            return user
    raise NotFound(f"no user {user_id}", detail_fr=f"aucun utilisateur {user_id}")


async def list_users(
    session: AsyncSession,
    *,
    principal: Principal,
    limit: int,
    cursor: str | None,
    organisation_id: str | None,
    role: str | None,
) -> Page[UserPublic]:
    """Users the caller manages: everyone for an admin, their organisations' for a member_admin."""
    scope = _administered_organisations(principal)
    organisation_ids: list[str] | None
    if scope is None:
        organisation_ids = None if organisation_id is None else [organisation_id]
    elif organisation_id is not None:
        if organisation_id not in scope:
            raise NotFound(
                f"no organisation {organisation_id}",
                detail_fr=f"aucune structure {organisation_id}",
            )
        organisation_ids = [organisation_id]
    else:
        organisation_ids = sorted(scope)
    repository = AccountRepository(session)
    rows, next_cursor = await repository.list_users(
        limit=limit, cursor=cursor, organisation_ids=organisation_ids, role=role
    )
    return Page[UserPublic](
        data=await _users_public(repository, rows, seen_from=scope), next_cursor=next_cursor
    )


async def get_user(session: AsyncSession, *, principal: Principal, user_id: str) -> UserPublic:
    """One user the caller may see."""
    repository = AccountRepository(session)
    user = await _visible_user(repository, principal, user_id)
    return (await _users_public(repository, [user], seen_from=_seen_from(principal, user.id)))[0]


async def update_user(
    session: AsyncSession,
    *,
    principal: Principal,
    user_id: str,
    data: UserUpdate,
    precondition: Precondition | None = None,
) -> UserPublic:
    """Rename or disable an account (disabling revokes its refresh tokens), as the caller read
    it when ``precondition`` (If-Match) says so."""
    repository = AccountRepository(session)
    user = await _visible_user(repository, principal, user_id)
    if precondition is not None:
        await session.refresh(user, with_for_update=True)  # one conditional write at a time
        seen = _seen_from(principal, user.id)
        precondition.check_representation(
            (await _users_public(repository, [user], seen_from=seen))[0]
        )
    if data.name is not None:
        user.name = data.name
    if data.status is not None and data.status != user.status:
        if user.id == principal.user_id:
            raise Conflict(
                "you cannot disable your own account",
                detail_fr="vous ne pouvez pas désactiver votre propre compte",
            )
        user.status = data.status
        if data.status == "disabled":
            await repository.revoke_user_tokens(user_id=user.id, now=wall_now())
    await _announce(repository, user, _actor(principal))
    return (await _users_public(repository, [user], seen_from=_seen_from(principal, user.id)))[0]


async def grant_membership(
    session: AsyncSession, *, principal: Principal, user_id: str, data: MembershipCreate
) -> UserPublic:
    """Give an existing user one more role (effective at their next token); a member_admin
    gives member or member_admin in the organisations they administer."""
    if not _may_grant(principal, data):
        raise Forbidden(
            "you may not grant this role here", detail_fr="vous ne pouvez pas attribuer ce rôle ici"
        )
    repository = AccountRepository(session)
    user = await _visible_user(repository, principal, user_id)
    await _check_scope_exists(repository, data)
    await _add_membership(repository, user.id, data)
    await _announce(repository, user, _actor(principal))
    return (await _users_public(repository, [user], seen_from=_seen_from(principal, user.id)))[0]


async def remove_membership(
    session: AsyncSession, *, principal: Principal, user_id: str, membership_id: str
) -> None:
    """Take a role away; an organisation keeps at least one member_admin."""
    repository = AccountRepository(session)
    membership = await repository.membership(membership_id=membership_id)
    scope = _administered_organisations(principal)
    if (
        membership is None
        or membership.user_id != user_id
        or (scope is not None and membership.organisation_id not in scope)
    ):
        raise NotFound(
            f"no membership {membership_id} for user {user_id}",
            detail_fr=f"aucune appartenance {membership_id} pour l'utilisateur {user_id}",
        )
    if (
        membership.role == Role.MEMBER_ADMIN
        and membership.organisation_id
        and await repository.count_role_in_organisation(
            role=Role.MEMBER_ADMIN, organisation_id=membership.organisation_id
        )
        <= 1
    ):
        raise LastMemberAdmin(
            "the organisation must keep at least one member_admin",
            detail_fr="la structure doit garder au moins un member_admin",
        )
    await repository.delete_membership(membership)
    user = await repository.user(user_id=user_id)
    if user is not None:
        await _announce(repository, user, _actor(principal))


# the caller -----------------------------------------------------------------------------
async def me(session: AsyncSession, *, principal: Principal) -> Me:
    """The caller's identity, roles and organisations."""
    roles = sorted(principal.roles)
    if principal.kind == "client":
        bodies = sorted(principal.certification_body_ids())
        return Me(
            kind="client",
            id=principal.client_id,
            roles=roles,
            certification_body_id=bodies[0] if bodies else None,
            scopes=sorted(principal.scopes),
        )
    repository = AccountRepository(session)
    user = await repository.user(user_id=principal.user_id or "")
    if user is None or user.status != "active":
        raise NotFound("this account no longer exists", detail_fr="ce compte n'existe plus")
    public = (await _users_public(repository, [user]))[0]
    organisations = await repository.organisations(
        organisation_ids=sorted(
            {m.organisation_id for m in public.memberships if m.organisation_id}
        )
    )
    return Me(
        kind="user",
        id=user.id,
        email=user.email,
        name=user.name,
        roles=sorted({m.role for m in public.memberships}),
        memberships=public.memberships,
        organisations=[
            {"id": o.id, "name": o.name, "region": o.region} for o in organisations.values()
        ],
    )


async def change_password(
    session: AsyncSession, *, principal: Principal, passwords: Passwords, data: PasswordChange
) -> None:
    """Change one's password; every refresh token of the account is revoked."""
    if principal.kind != "user":
        raise Forbidden(
            "systems have no password; rotate the client secret instead",
            detail_fr=(
                "les systèmes n'ont pas de mot de passe ; renouvelez plutôt le secret du client"
            ),
        )
    repository = AccountRepository(session)
    user = await repository.user(user_id=principal.user_id or "")
    if user is None:
        raise NotFound("this account no longer exists", detail_fr="ce compte n'existe plus")
    if not await passwords.verify(user.password_hash, data.current_password):
        raise WrongPassword(
            "the current password is wrong", detail_fr="le mot de passe actuel est incorrect"
        )
    user.password_hash = await passwords.hash(data.new_password)
    await repository.revoke_user_tokens(user_id=user.id, now=wall_now())


# API clients ----------------------------------------------------------------------------
async def create_api_client(
    session: AsyncSession, *, principal: Principal, data: ApiClientCreate
) -> ApiClientCreated:
    """Register a certification body's system; its secret is shown once."""
    secret = new_secret()
    client = ApiClient(
        id=str(uuid.uuid4()),
        client_id=f"cb_{uuid.uuid4().hex[:20]}",
        name=data.name,
        secret_hash=secret_digest(secret),
        scopes=sorted({s.value for s in data.scopes}),
        certification_body_id=data.certification_body_id,
        created_by=_actor(principal),
    )
    await AccountRepository(session).add(client)
    return ApiClientCreated(**_client_public(client).model_dump(), client_secret=secret)


async def list_api_clients(
    session: AsyncSession, *, cursor: str | None, limit: int
) -> Page[ApiClientPublic]:
    """Registered API clients, newest first."""
    rows, next_cursor = await AccountRepository(session).api_clients(cursor=cursor, limit=limit)
    return Page[ApiClientPublic](data=[_client_public(c) for c in rows], next_cursor=next_cursor)


async def _client(repository: AccountRepository, api_client_id: str) -> ApiClient:
    client = await repository.api_client(api_client_id=api_client_id)
    if client is None:
        raise NotFound(
            f"no API client {api_client_id}", detail_fr=f"aucun client d'API {api_client_id}"
        )
    return client


async def get_api_client(session: AsyncSession, *, api_client_id: str) -> ApiClientPublic:
    """One API client."""
    return _client_public(await _client(AccountRepository(session), api_client_id))


async def rotate_api_client_secret(
    session: AsyncSession, *, api_client_id: str
) -> ApiClientCreated:
    """Replace the secret (the old one stops working at once); shown once."""
    client = await _client(AccountRepository(session), api_client_id)
    if client.revoked_at is not None:
        raise Conflict("this API client is revoked", detail_fr="ce client d'API est révoqué")
    secret = new_secret()
    client.secret_hash = secret_digest(secret)
    return ApiClientCreated(**_client_public(client).model_dump(), client_secret=secret)


async def revoke_api_client(session: AsyncSession, *, api_client_id: str) -> None:
    """Revoke a client: it gets no new token (tokens already issued expire within minutes)."""
    client = await _client(AccountRepository(session), api_client_id)
    if client.revoked_at is None:
        client.revoked_at = clock.now()
