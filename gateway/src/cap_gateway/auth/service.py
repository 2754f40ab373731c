"""Token grants: password and refresh (people), client credentials (systems), revocation.

Grant failures are *returned* as :class:`OAuthError`, not raised: detecting the reuse of a
refresh token revokes its whole family, and that revocation must be committed even though the
request fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from cap_gateway.accounts.repository import AccountRepository
from cap_gateway.api_clients.repository import ApiClientRepository
from cap_gateway.auth.keyring import Keyring
from cap_gateway.auth.passwords import Passwords, new_secret, same_digest, secret_digest
from cap_gateway.auth.schemas import TokenResponse
from cap_gateway.config import Settings
from cap_gateway.models import Membership, RefreshToken, User
from cap_shared import clock
from cap_shared.clock import wall_now
from cap_shared.security import Role, Scope

SERVICES = ("diagnostic", "audit", "labelling", "notifications")
#: The audiences a certification body's token reaches, by scope.
CLIENT_AUDIENCES = {
    Scope.AUDITS_READ: ("audit",),
    Scope.AUDITS_WRITE: ("audit",),
    Scope.CERTIFICATIONS_WRITE: ("audit", "labelling"),
}
#: Client id given to people's tokens when the front-end names none.
DEFAULT_PUBLIC_CLIENT = "cap-web"


@dataclass(frozen=True)
class OAuthError:
    """An RFC 6749 §5.2 error (``invalid_grant``...), rendered as problem+json by the route."""

    error: str
    description: str
    status: int = 400
    #: The description in French, for the problem's ``detail`` (``error_description`` stays
    #: the English one RFC 6749 client libraries read).
    description_fr: str | None = None


@dataclass
class Identity:
    """What issuing tokens needs: settings, the keyring, the password hasher."""

    settings: Settings
    keyring: Keyring
    passwords: Passwords

    def audience(self, service: str) -> str:
        """The ``aud`` value of a service (or of the gateway)."""
        return f"urn:cap:{service}"

    async def access_token(
        self,
        *,
        subject: str,
        kind: str,
        client_id: str,
        grants: list[dict[str, str]],
        audiences: Sequence[str],
        ttl: int,
        scope: str = "",
        session_id: str | None = None,
    ) -> str:
        """A signed access token for ``subject`` (``sid``: its refresh-token family, by which
        the gateway's userinfo refuses it once that family is revoked)."""
        now = wall_now()
        claims: dict[str, object] = {
            "iss": self.settings.issuer,
            "sub": subject,
            "aud": [self.audience(a) for a in audiences],
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int(now.timestamp()) + ttl,
            "jti": uuid.uuid4().hex,
            "kind": kind,
            "client_id": client_id,
            "roles": grants,
        }
        if scope:
            claims["scope"] = scope
        if session_id:
            claims["sid"] = session_id
        return await self.keyring.sign(claims)


def grants_claim(memberships: Sequence[Membership]) -> list[dict[str, str]]:
    """Memberships as the ``roles`` claim (only the scope each role has)."""
    out = []
    for m in memberships:
        grant = {"role": m.role}
        for key in ("organisation_id", "region", "certification_body_id"):
            value = getattr(m, key)
            if value:
                grant[key] = value
        out.append(grant)
    return out


async def _user_tokens(
    identity: Identity,
    repository: AccountRepository,
    *,
    user: User,
    client_id: str,
    family_id: str | None = None,
) -> TokenResponse:
    memberships = await repository.memberships(user_ids=[user.id])
    settings = identity.settings
    family_id = family_id or str(uuid.uuid4())
    access = await identity.access_token(
        subject=f"user:{user.id}",
        kind="user",
        client_id=client_id,
        grants=grants_claim(memberships),
        audiences=("gateway", *SERVICES),
        ttl=settings.access_token_ttl_s,
        session_id=family_id,
    )
    refresh = new_secret()
    now = wall_now()
    await repository.add(
        RefreshToken(
            id=str(uuid.uuid4()),
            family_id=family_id,
            user_id=user.id,
            client_id=client_id,
            token_hash=secret_digest(refresh),
            issued_at=now,
            expires_at=now + timedelta(seconds=settings.refresh_token_ttl_s),
        )
    )
    return TokenResponse(
        access_token=access, expires_in=settings.access_token_ttl_s, refresh_token=refresh
    )


async def password_grant(
    session: AsyncSession, identity: Identity, *, username: str, password: str, client_id: str
) -> TokenResponse | OAuthError:
    """Sign a person in; upgrades the stored hash when the parameters have risen."""
    repository = AccountRepository(session)
    user = await authenticate_person(repository, identity, username=username, password=password)
    if user is None:
        return OAuthError(
            "invalid_grant",
            "the e-mail or the password is wrong",
            description_fr="l'adresse e-mail ou le mot de passe est incorrect",
        )
    return await _user_tokens(identity, repository, user=user, client_id=client_id)


async def authenticate_person(
    repository: AccountRepository, identity: Identity, *, username: str, password: str
) -> User | None:
    """The active person with this e-mail and password, or None (the password grant's and the
    sign-in page's check: one verification's time whether the account exists or not; the
    stored hash upgraded when the parameters have risen)."""
    user = await repository.user_by_email(email=username.strip().lower())
    stored = user.password_hash if user is not None else None
    valid = await identity.passwords.verify(stored, password)
    if user is None or not valid or user.status != "active":
        return None
    if stored is not None and identity.passwords.needs_rehash(stored):
        user.password_hash = await identity.passwords.hash(password)
    user.last_login_at = clock.now()
    return user


async def refresh_grant(
    session: AsyncSession, identity: Identity, *, refresh_token: str
) -> TokenResponse | OAuthError:
    """Rotate a refresh token; presenting a used one revokes its whole family."""
    repository = AccountRepository(session)
    row = await repository.refresh_token(token_hash=secret_digest(refresh_token))
    now = wall_now()
    invalid = OAuthError(
        "invalid_grant",
        "the refresh token is invalid, expired or revoked",
        description_fr="le jeton de rafraîchissement est invalide, expiré ou révoqué",
    )
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return invalid
    if row.used_at is not None or not await repository.mark_used(token_id=row.id, now=now):
        await repository.revoke_family(family_id=row.family_id, now=now)
        return OAuthError(
            "invalid_grant",
            "this refresh token was already used; sign in again",
            description_fr="ce jeton de rafraîchissement a déjà servi ; reconnectez-vous",
        )
    user = await repository.user(user_id=row.user_id)
    if user is None or user.status != "active":
        await repository.revoke_family(family_id=row.family_id, now=now)
        return invalid
    return await _user_tokens(
        identity, repository, user=user, client_id=row.client_id, family_id=row.family_id
    )


async def client_credentials_grant(
    session: AsyncSession,
    identity: Identity,
    *,
    client_id: str,
    client_secret: str,
    scope: str | None,
) -> TokenResponse | OAuthError:
    """A certification body's system gets a token limited to its scopes."""
    client = await ApiClientRepository(session).api_client_by_client_id(client_id=client_id)
    if (
        client is None
        or client.revoked_at is not None
        or not same_digest(client.secret_hash, secret_digest(client_secret))
    ):
        return OAuthError(
            "invalid_client",
            "unknown client or wrong secret",
            status=401,
            description_fr="client inconnu ou secret incorrect",
        )
    granted = set(client.scopes)
    requested = set(scope.split()) if scope else granted
    if not requested <= granted:
        return OAuthError(
            "invalid_scope",
            f"not granted: {' '.join(sorted(requested - granted))}",
            description_fr=f"non accordé : {' '.join(sorted(requested - granted))}",
        )
    client.last_used_at = clock.now()
    audiences = {"gateway"}
    for s in requested:
        audiences.update(CLIENT_AUDIENCES.get(Scope(s), ()))
    ttl = identity.settings.client_token_ttl_s
    scope_text = " ".join(sorted(requested))
    access = await identity.access_token(
        subject=f"client:{client.client_id}",
        kind="client",
        client_id=client.client_id,
        grants=[
            {
                "role": Role.CERTIFICATION_BODY.value,
                "certification_body_id": client.certification_body_id,
            }
        ],
        audiences=sorted(audiences),
        ttl=ttl,
        scope=scope_text,
    )
    return TokenResponse(access_token=access, expires_in=ttl, scope=scope_text)


async def revoke(session: AsyncSession, *, token: str) -> None:
    """RFC 7009: revoke a refresh token's family; unknown tokens are ignored."""
    repository = AccountRepository(session)
    row = await repository.refresh_token(token_hash=secret_digest(token))
    if row is not None:
        await repository.revoke_family(family_id=row.family_id, now=wall_now())
