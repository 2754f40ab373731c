"""Use cases on invitations: who may invite whom, and joining with the link.

* an admin invites to any role; a member_admin invites to member or member_admin of their own
  organisation(s), and manages only those invitations;
* an invitation to an e-mail that already has an account is accepted only by that account's
  owner, signed in or giving its password.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from cap_gateway.accounts.repository import AccountRepository
from cap_gateway.accounts.rules import administered_organisations, may_grant
from cap_gateway.accounts.schemas import RoleScope, UserPublic
from cap_gateway.accounts.service import (
    add_membership,
    announce,
    audit_role_granted,
    check_scope_exists,
    users_public,
)
from cap_gateway.audit_trail import account_state, audit, invitation_state
from cap_gateway.auth.passwords import Passwords, new_secret, secret_digest
from cap_gateway.invitations.repository import InvitationRepository
from cap_gateway.invitations.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationPublic,
)
from cap_gateway.models import Invitation, User
from cap_gateway.ratelimit import RateLimiter
from cap_shared import clock
from cap_shared.actor import Actor, acting_as
from cap_shared.pagination import Page
from cap_shared.problems import Forbidden, NotFound, ProblemError
from cap_shared.security import Principal


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


def _invitation_public(invitation: Invitation) -> InvitationPublic:
    return InvitationPublic.model_validate(invitation, from_attributes=True)


async def invite(
    session: AsyncSession,
    *,
    principal: Principal,
    data: InvitationCreate,
    ttl_s: int,
    public_url: str,
) -> InvitationCreated:
    """Invite a person; the link carries a one-time token stored only as a digest."""
    if not may_grant(principal, data):
        raise Forbidden(
            "you may not grant this role here", detail_fr="vous ne pouvez pas attribuer ce rôle ici"
        )
    repository = AccountRepository(session)
    await check_scope_exists(repository, data)
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
        invited_by=principal.subject,
        expires_at=clock.now() + timedelta(seconds=ttl_s),
    )
    await InvitationRepository(session).add(invitation)
    return InvitationCreated(
        **_invitation_public(invitation).model_dump(),
        token=token,
        invitation_url=f"{public_url.rstrip('/')}/invitations/accept#token={token}",
    )


async def list_invitations(
    session: AsyncSession, *, principal: Principal, cursor: str | None, limit: int
) -> Page[InvitationPublic]:
    """Pending invitations the caller may manage, newest first."""
    scope = administered_organisations(principal)
    rows, next_cursor = await InvitationRepository(session).pending_invitations(
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
    invitation = await InvitationRepository(session).invitation(invitation_id=invitation_id)
    scope = administered_organisations(principal)
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
    invitation = await InvitationRepository(session).invitation_by_token(
        token_hash=secret_digest(data.token)
    )
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
    created = user is None
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
    membership = await add_membership(repository, user_id=user.id, scope=scope)
    invitation.accepted_at = now
    event_id = await announce(repository, user, actor=f"user:{user.id}")
    # The invited person acts, proven by the link's token (signed in or not).
    with acting_as(Actor(id=f"user:{user.id}", kind="user")):
        if created:
            await audit(
                session,
                action="account.created",
                record_type="account",
                record_id=user.id,
                after=account_state(user),
                event_id=event_id,
            )
        await audit(
            session,
            action="invitation.accepted",
            record_type="invitation",
            record_id=invitation.id,
            after=invitation_state(invitation, user),
            on_behalf_of=invitation.organisation_id or invitation.certification_body_id,
            event_id=event_id,
        )
        await audit_role_granted(repository, membership, event_id=event_id)
    return (await users_public(repository, [user]))[0]


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
