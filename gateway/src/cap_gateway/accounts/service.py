"""Use cases on accounts: users, memberships, the first administrator, the caller's profile.

Who may do what is decided here and in :mod:`cap_gateway.accounts.rules`:
* an admin manages everything;
* a member_admin lists and removes the people of their own organisation(s), as members or
  member_admins, and nothing else; of a person who also belongs elsewhere they see only the
  memberships in their own organisations, and not when that person last signed in;
* everyone reads and edits only their own profile.

Invitations (:mod:`cap_gateway.invitations.service`) and API clients
(:mod:`cap_gateway.api_clients.service`) are features of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cap_gateway.accounts.repository import AccountRepository, own_account
from cap_gateway.accounts.rules import (
    administered_organisations,
    may_grant,
    membership_of,
    memberships_seen_from,
)
from cap_gateway.accounts.schemas import (
    Me,
    MembershipCreate,
    MembershipPublic,
    PasswordChange,
    RoleScope,
    UserPublic,
    UserUpdate,
)
from cap_gateway.audit_trail import account_state, audit, role_owner, role_state
from cap_gateway.auth.passwords import Passwords
from cap_gateway.identity.regions import REGIONS
from cap_gateway.models import Membership, Organisation, User, tables
from cap_shared import clock
from cap_shared.clock import wall_now
from cap_shared.conditional import Precondition
from cap_shared.contracts import new_event
from cap_shared.contracts.identity import MembershipV1, UserChangedV1
from cap_shared.db.rowsecurity import across_organisations, system_scope
from cap_shared.db.session import Database
from cap_shared.outbox import add_event
from cap_shared.pagination import Page
from cap_shared.problems import Conflict, Forbidden, NotFound, ProblemError
from cap_shared.security import Principal, Role


class WrongPassword(ProblemError):
    """The current password given is wrong."""

    status, code, title = 400, "wrong-password", "Wrong password"
    title_fr = "Mot de passe incorrect"


class LastMemberAdmin(Conflict):
    """An organisation must keep at least one member_admin."""

    code, title = "last-member-admin", "Last member administrator"
    title_fr = "Dernier administrateur de la structure"


async def announce(repository: AccountRepository, user: User, *, actor: str) -> str:
    """Tell the services a person's current state (the notifications service writes to them);
    the event's id."""
    await repository.flush()
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
    envelope = await add_event(
        repository.session,
        tables.outbox,
        new_event(event, source="/cap/gateway", subject=user.id, actor=actor),
        versioned=True,
    )
    return envelope.id


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


async def users_public(
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


async def check_scope_exists(repository: AccountRepository, scope: RoleScope) -> None:
    """404 when the organisation or the region a role is scoped to does not exist."""
    if scope.organisation_id is not None:
        found = await repository.organisations(organisation_ids=[scope.organisation_id])
        if not found:
            raise NotFound(
                f"no organisation {scope.organisation_id}",
                detail_fr=f"aucune structure {scope.organisation_id}",
            )
    if scope.region is not None and scope.region not in REGIONS:
        raise NotFound(f"no region {scope.region}", detail_fr=f"aucune région {scope.region}")


async def add_membership(
    repository: AccountRepository, *, user_id: str, scope: RoleScope
) -> Membership | None:
    """Give ``user_id`` the role of ``scope`` unless they already hold it; the new membership
    (None when it was held already)."""
    existing = await repository.memberships(user_ids=[user_id])
    key = (scope.role, scope.organisation_id, scope.region, scope.certification_body_id)
    if any((m.role, m.organisation_id, m.region, m.certification_body_id) == key for m in existing):
        return None
    membership = membership_of(user_id, scope)
    try:
        async with repository.session.begin_nested():
            await repository.add(membership)
    except IntegrityError:  # granted concurrently: the same membership exists, which is the goal
        return None
    return membership


async def audit_role_granted(
    repository: AccountRepository, membership: Membership | None, *, event_id: str
) -> None:
    """Record a role granted in the audit trail (nothing when it was held already)."""
    if membership is not None:
        await audit(
            repository.session,
            action="role.granted",
            record_type="role",
            record_id=membership.id,
            after=role_state(membership),
            on_behalf_of=role_owner(membership),
            event_id=event_id,
        )


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
    membership = membership_of(user.id, RoleScope(role="admin"))
    await repository.add(membership)
    event_id = await announce(repository, user, actor="system")
    await audit(
        session,
        action="account.created",
        record_type="account",
        record_id=user.id,
        after=account_state(user),
        event_id=event_id,
    )
    await audit_role_granted(repository, membership, event_id=event_id)
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
    scope = administered_organisations(principal)
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
        data=await users_public(repository, rows, seen_from=scope), next_cursor=next_cursor
    )


async def get_user(session: AsyncSession, *, principal: Principal, user_id: str) -> UserPublic:
    """One user the caller may see."""
    repository = AccountRepository(session)
    user = await _visible_user(repository, principal, user_id)
    return (
        await users_public(repository, [user], seen_from=memberships_seen_from(principal, user.id))
    )[0]


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
        await repository.lock(user)  # one conditional write at a time
        seen = memberships_seen_from(principal, user.id)
        precondition.check_representation(
            (await users_public(repository, [user], seen_from=seen))[0]
        )
    before = account_state(user)
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
    event_id = await announce(repository, user, actor=principal.subject)
    after = account_state(user)
    if after != before:
        if after["status"] != before["status"]:
            action = "account.suspended" if user.status == "disabled" else "account.reactivated"
        else:
            action = "account.renamed"
        await audit(
            session,
            action=action,
            record_type="account",
            record_id=user.id,
            before=before,
            after=after,
            event_id=event_id,
        )
    return (
        await users_public(repository, [user], seen_from=memberships_seen_from(principal, user.id))
    )[0]


async def grant_membership(
    session: AsyncSession, *, principal: Principal, user_id: str, data: MembershipCreate
) -> UserPublic:
    """Give an existing user one more role (effective at their next token); a member_admin
    gives member or member_admin in the organisations they administer."""
    if not may_grant(principal, data):
        raise Forbidden(
            "you may not grant this role here", detail_fr="vous ne pouvez pas attribuer ce rôle ici"
        )
    repository = AccountRepository(session)
    user = await _visible_user(repository, principal, user_id)
    await check_scope_exists(repository, data)
    membership = await add_membership(repository, user_id=user.id, scope=data)
    event_id = await announce(repository, user, actor=principal.subject)
    await audit_role_granted(repository, membership, event_id=event_id)
    return (
        await users_public(repository, [user], seen_from=memberships_seen_from(principal, user.id))
    )[0]


async def remove_membership(
    session: AsyncSession, *, principal: Principal, user_id: str, membership_id: str
) -> None:
    """Take a role away; an organisation keeps at least one member_admin."""
    repository = AccountRepository(session)
    membership = await repository.membership(membership_id=membership_id)
    scope = administered_organisations(principal)
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
    revoked = role_state(membership)
    await repository.delete_membership(membership)
    user = await repository.user(user_id=user_id)
    event_id = None
    if user is not None:
        event_id = await announce(repository, user, actor=principal.subject)
    await audit(
        session,
        action="role.revoked",
        record_type="role",
        record_id=membership_id,
        before=revoked,
        on_behalf_of=role_owner(membership),
        event_id=event_id,
    )


# the caller -----------------------------------------------------------------------------
async def me(db: Database, *, principal: Principal) -> Me:
    """The caller's identity, roles and organisations.

    One statement on a read-only connection (no ORM session), in a transaction begun with the
    system's row scope: the person's own rows, every membership whatever its organisation (as
    a session read them, past the row scope), the organisations they name. Three round trips
    on PostgreSQL (``BEGIN`` with its scope, the statement, ``ROLLBACK``) where the session
    took six to eight."""
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
    with system_scope():
        async with db.reader() as connection:
            rows = await own_account(connection, user_id=principal.user_id or "")
    if not rows or rows[0].status != "active":
        raise NotFound("this account no longer exists", detail_fr="ce compte n'existe plus")
    user = rows[0]
    memberships = [
        MembershipPublic(
            id=row.membership_id,
            role=row.role,
            organisation_id=row.organisation_id,
            organisation_name=row.organisation_name,
            region=row.region,
            region_name=REGIONS.get(row.region or ""),
            certification_body_id=row.certification_body_id,
        )
        for row in rows
        if row.membership_id is not None
    ]
    organisations = {
        row.organisation_id: {
            "id": row.organisation_id,
            "name": row.organisation_name,
            "region": row.organisation_region,
        }
        for row in rows
        if row.organisation_id is not None and row.organisation_name is not None
    }
    return Me(
        kind="user",
        id=user.id,
        email=user.email,
        name=user.name,
        roles=sorted({m.role for m in memberships}),
        memberships=memberships,
        organisations=[organisations[k] for k in sorted(organisations)],
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
