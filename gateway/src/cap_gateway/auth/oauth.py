"""Sign-in for apps: OAuth 2.0 authorization code with PKCE (RFC 6749 §4.1, RFC 7636, RFC 9700)
and OpenID Connect (id_token, userinfo, discovery).

Authlib's server framework (``AuthorizationServer`` + grants) is written for synchronous
framework requests and its own storage mix-ins; the gateway is async (SQLAlchemy async
sessions, a keyring that signs inside the sign-in's transaction), so it uses Authlib's
primitives instead: :func:`authlib.oauth2.rfc7636.create_s256_code_challenge` checks the
verifier, and the id_token is signed by the gateway's keyring (the keys the JWKS publishes).
What remains here is the policy: registered clients and exact redirect URIs, single-use codes
stored hashed, the sign-in form's anti-forgery token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from sqlalchemy.ext.asyncio import AsyncSession

from cap_gateway.accounts.repository import AccountRepository
from cap_gateway.auth.passwords import new_secret, same_digest, secret_digest
from cap_gateway.auth.repository import AuthorizationCodeRepository, RefreshFamilyRepository
from cap_gateway.auth.schemas import TokenResponse, UserInfo
from cap_gateway.auth.service import Identity, OAuthError, _user_tokens, grants_claim
from cap_gateway.config import Settings
from cap_gateway.models import AuthorizationCode, User
from cap_shared.clock import wall_now
from cap_shared.security import Scope
from cap_shared.security.deps import PERSON_SCOPES
from cap_shared.settings import PLACEHOLDER_SECRETS

logger = logging.getLogger(__name__)

#: The built-in public client: the mobile app (AppAuth), PKCE only.
MOBILE_CLIENT = "cap-mobile"
#: The built-in confidential client: the web console (a server holding its secret).
CONSOLE_CLIENT = "cap-console"
#: RFC 7636 §4.1: 43 to 128 unreserved characters.
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
#: BASE64URL(SHA-256(verifier)) without padding: always 43 characters.
_S256_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "[::1]", "::1"})
ID_TOKEN_TYPE = "JWT"


@dataclass(frozen=True)
class Client:
    """An app registered to sign people in."""

    client_id: str
    name: str
    redirect_uris: tuple[str, ...]
    #: None: a public client (PKCE is its only proof); else the secret it authenticates with.
    secret: str | None = None

    @property
    def public(self) -> bool:
        """Whether the client holds no secret (a mobile or single-page app)."""
        return self.secret is None

    def allows_redirect(self, uri: str) -> bool:
        """Whether ``uri`` is one of the registered redirect URIs, compared exactly; a
        registered loopback ``http://127.0.0.1/path`` admits any port (RFC 8252 §7.3)."""
        if not uri or "#" in uri:
            return False
        if uri in self.redirect_uris:
            return True
        asked = urlsplit(uri)
        if asked.scheme != "http" or asked.hostname is None:
            return False
        for registered in self.redirect_uris:
            known = urlsplit(registered)
            if (
                known.scheme == "http"
                and known.netloc in _LOOPBACK_HOSTS
                and asked.netloc.rsplit(":", 1)[0] == known.netloc
                and asked.port is not None
                and (asked.path, asked.query) == (known.path, known.query)
            ):
                return True
        return False

    def authenticates(self, secret: str | None) -> bool:
        """Whether ``secret`` proves a confidential client (constant time)."""
        if self.secret is None or secret is None:
            return False
        return same_digest(secret_digest(self.secret), secret_digest(secret))


def registered_clients(settings: Settings) -> dict[str, Client]:
    """The built-in clients and those of ``GATEWAY_OAUTH_CLIENTS``, by client id."""
    base = settings.public_base
    clients = [
        Client(
            MOBILE_CLIENT,
            "Application mobile CAP",
            (
                "fr.coorace.cap:/oauth/callback",
                "http://127.0.0.1/oauth/callback",
                "http://[::1]/oauth/callback",
            ),
        )
    ]
    console_secret = settings.console_client_secret
    if settings.is_development or console_secret not in PLACEHOLDER_SECRETS:
        clients.append(
            Client(CONSOLE_CLIENT, "Console web CAP", (f"{base}/console/callback",), console_secret)
        )
    else:
        logger.warning("cap-console is not registered: set GATEWAY_CONSOLE_CLIENT_SECRET")
    for entry in settings.oauth_clients:
        uris = tuple(u.replace("{public_base_url}", base) for u in entry.redirect_uris)
        clients.append(Client(entry.client_id, entry.name, uris, entry.secret or None))
    return {c.client_id: c for c in clients}


# the authorization request -------------------------------------------------------------------
@dataclass(frozen=True)
class AuthorizationRequest:
    """The parameters of ``/v1/auth/authorize`` (query of the GET, hidden fields of the POST)."""

    response_type: str
    client_id: str
    redirect_uri: str
    scope: str
    state: str
    code_challenge: str
    code_challenge_method: str
    nonce: str

    def fields(self) -> dict[str, str]:
        """The parameters as form fields (the sign-in form carries them through)."""
        return {
            "response_type": self.response_type,
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "code_challenge": self.code_challenge,
            "code_challenge_method": self.code_challenge_method,
            "nonce": self.nonce,
        }

    @property
    def scopes(self) -> list[str]:
        """The scopes asked for, in order, without repeats."""
        return list(dict.fromkeys(self.scope.split()))


@dataclass(frozen=True)
class PageError:
    """An error shown on the sign-in page: the redirect URI cannot be trusted (RFC 6749 §4.1.2.1:
    the person is told, and never sent to it)."""

    message: str


@dataclass(frozen=True)
class RedirectError:
    """An error sent back to the (validated) redirect URI (RFC 6749 §4.1.2.1)."""

    error: str
    description: str


def check_request(
    clients: Mapping[str, Client], request: AuthorizationRequest
) -> tuple[Client | None, PageError | RedirectError | None]:
    """The client, and the first problem of ``request`` (None if it may proceed)."""
    client = clients.get(request.client_id)
    if client is None:
        return None, PageError("Cette application n'est pas connue de la plateforme CAP.")
    if not client.allows_redirect(request.redirect_uri):
        return client, PageError(
            "L'adresse de retour demandée n'est pas enregistrée pour cette application : "
            "la connexion est refusée."
        )
    if request.response_type != "code":
        return client, RedirectError(
            "unsupported_response_type", "only response_type=code is supported"
        )
    if not request.code_challenge:
        return client, RedirectError("invalid_request", "code_challenge is required (PKCE)")
    if request.code_challenge_method != "S256":
        return client, RedirectError(
            "invalid_request", "transform algorithm not supported: use code_challenge_method=S256"
        )
    if not _S256_CHALLENGE.fullmatch(request.code_challenge):
        return client, RedirectError("invalid_request", "code_challenge is not an S256 challenge")
    unknown = [s for s in request.scopes if s not in PERSON_SCOPES]
    if unknown:
        return client, RedirectError("invalid_scope", f"unknown scope: {' '.join(unknown)}")
    return client, None


def redirect_location(redirect_uri: str, params: Mapping[str, str]) -> str:
    """``redirect_uri`` with ``params`` added to its query (empty values left out)."""
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend((k, v) for k, v in params.items() if v)
    return urlunsplit(parts._replace(query=urlencode(query)))


# the sign-in form's anti-forgery token ------------------------------------------------------
class FormSigner:
    """A per-form token: an HMAC of its expiry, the browser's cookie and the authorization
    request it was shown for. A form posted from elsewhere (another site, another browser, other
    parameters, too late) carries no valid one."""

    def __init__(self, secret: str, *, ttl: int) -> None:
        self._key = hmac.new(secret.encode(), b"cap-sign-in-form", hashlib.sha256).digest()
        self._ttl = ttl

    def _mac(self, expires: int, browser: str, fields: Mapping[str, str]) -> str:
        message = json.dumps([expires, browser, sorted(fields.items())], separators=(",", ":"))
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()

    def token(self, browser: str, fields: Mapping[str, str]) -> str:
        """A token for the form shown now to the browser holding ``browser``."""
        expires = int(wall_now().timestamp()) + self._ttl
        return f"{expires}.{self._mac(expires, browser, fields)}"

    def valid(self, token: str, browser: str, fields: Mapping[str, str]) -> bool:
        """Whether ``token`` was made for this browser and these fields, and is still valid."""
        expires_text, _, mac = token.partition(".")
        if not expires_text.isdigit() or not browser:
            return False
        expires = int(expires_text)
        if expires < wall_now().timestamp():
            return False
        return hmac.compare_digest(mac, self._mac(expires, browser, fields))


# codes --------------------------------------------------------------------------------------
async def issue_code(
    session: AsyncSession, settings: Settings, *, user: User, request: AuthorizationRequest
) -> str:
    """A new authorization code for ``user`` (only its digest is stored)."""
    code = new_secret()
    now = wall_now()
    await AuthorizationCodeRepository(session).add(
        AuthorizationCode(
            id=str(uuid.uuid4()),
            code_hash=secret_digest(code),
            client_id=request.client_id,
            user_id=user.id,
            redirect_uri=request.redirect_uri,
            code_challenge=request.code_challenge,
            scope=" ".join(request.scopes),
            nonce=request.nonce or None,
            auth_time=now,
            expires_at=now + timedelta(seconds=settings.authorization_code_ttl_s),
        )
    )
    return code


def _client_of(
    clients: Mapping[str, Client],
    *,
    client_id: str | None,
    basic: tuple[str, str] | None,
    client_secret: str | None,
) -> Client | OAuthError:
    """The client making a token request: a confidential one authenticated by its secret
    (HTTP Basic or the form), a public one named by ``client_id``."""
    unknown = OAuthError(
        "invalid_client",
        "unknown client or wrong secret",
        status=401,
        description_fr="application inconnue ou secret incorrect",
    )
    if basic is not None:
        client = clients.get(basic[0])
        if client is None or not client.authenticates(basic[1]):
            return unknown
        return client
    client = clients.get(client_id or "")
    if client is None:
        return unknown
    if client.public:
        if client_secret:
            return unknown  # a public client has no secret to send
        return client
    if not client.authenticates(client_secret):
        return unknown
    return client


async def code_grant(
    session: AsyncSession,
    identity: Identity,
    clients: Mapping[str, Client],
    *,
    code: str,
    redirect_uri: str | None,
    code_verifier: str | None,
    client_id: str | None,
    basic: tuple[str, str] | None,
    client_secret: str | None,
) -> TokenResponse | OAuthError:
    """Exchange an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6). A code presented a
    second time revokes the tokens its first exchange issued."""
    client = _client_of(clients, client_id=client_id, basic=basic, client_secret=client_secret)
    if isinstance(client, OAuthError):
        return client
    invalid = OAuthError(
        "invalid_grant",
        "the code is invalid, expired or already used",
        description_fr="le code est invalide, expiré ou déjà utilisé",
    )
    codes = AuthorizationCodeRepository(session)
    row = await codes.by_hash(code_hash=secret_digest(code))
    if row is None:
        return invalid
    now = wall_now()
    repository = AccountRepository(session)
    if not await codes.claim(code_id=row.id, now=now):
        await codes.reread(row)
        if row.family_id:  # RFC 6749 §4.1.2: revoke what the first exchange issued
            await repository.revoke_family(family_id=row.family_id, now=now)
        return OAuthError(
            "invalid_grant",
            "this code was already used; its tokens are revoked",
            description_fr="ce code a déjà servi ; les jetons obtenus avec lui sont révoqués",
        )
    if row.expires_at <= now or row.client_id != client.client_id:
        return invalid
    if redirect_uri != row.redirect_uri:
        return OAuthError(
            "invalid_grant",
            "redirect_uri differs from the authorization request",
            description_fr="redirect_uri diffère de celle de la demande d'autorisation",
        )
    if not code_verifier or not _VERIFIER.fullmatch(code_verifier):
        return OAuthError(
            "invalid_grant",
            "code_verifier is missing or malformed",
            description_fr="code_verifier est absent ou mal formé",
        )
    if not hmac.compare_digest(create_s256_code_challenge(code_verifier), row.code_challenge):
        return OAuthError(
            "invalid_grant",
            "code_verifier does not match the code_challenge",
            description_fr="code_verifier ne correspond pas au code_challenge",
        )
    user = await repository.user(user_id=row.user_id)
    if user is None or user.status != "active":
        return invalid
    family_id = str(uuid.uuid4())
    tokens = await _user_tokens(
        identity, repository, user=user, client_id=client.client_id, family_id=family_id
    )
    row.family_id = family_id
    scopes = row.scope.split()
    tokens.scope = row.scope or None
    if "openid" in scopes:
        tokens.id_token = await id_token(
            identity, user=user, client_id=client.client_id, code=row, scopes=scopes
        )
    return tokens


async def id_token(
    identity: Identity,
    *,
    user: User,
    client_id: str,
    code: AuthorizationCode,
    scopes: list[str],
) -> str:
    """The OpenID Connect id_token (Core §2): for the app (``aud``), signed like access tokens."""
    now = int(wall_now().timestamp())
    claims: dict[str, Any] = {
        "iss": identity.settings.issuer,
        "sub": f"user:{user.id}",
        "aud": client_id,
        "azp": client_id,
        "iat": now,
        "exp": now + identity.settings.id_token_ttl_s,
        "auth_time": int(code.auth_time.timestamp()),
    }
    if code.nonce:
        claims["nonce"] = code.nonce
    if "profile" in scopes:
        claims["name"] = user.name
    if "email" in scopes:
        claims.update(email=user.email, email_verified=True)
    return await identity.keyring.sign(claims, typ=ID_TOKEN_TYPE)


async def userinfo(session: AsyncSession, *, user_id: str) -> UserInfo | None:
    """What the userinfo endpoint says of a person (None if the account is gone or disabled)."""
    repository = AccountRepository(session)
    user = await repository.user(user_id=user_id)
    if user is None or user.status != "active":
        return None
    memberships = await repository.memberships(user_ids=[user.id])
    ids = sorted({m.organisation_id for m in memberships if m.organisation_id})
    organisations = await repository.organisations(organisation_ids=ids)
    return UserInfo(
        sub=f"user:{user.id}",
        name=user.name,
        email=user.email,
        # Accounts exist only by accepting an invitation sent to that address (or as the
        # configured first administrator).
        email_verified=True,
        roles=grants_claim(memberships),
        organisations=[{"id": i, "name": organisations[i].name} for i in ids if i in organisations],
    )


async def session_revoked(session: AsyncSession, *, family_id: str) -> bool:
    """Whether the refresh-token family an access token was issued with has been revoked."""
    return await RefreshFamilyRepository(session).revoked(family_id=family_id)


# metadata -----------------------------------------------------------------------------------
def metadata(settings: Settings) -> dict[str, Any]:
    """The authorization server's metadata: OpenID Connect discovery and RFC 8414 alike."""
    base = settings.public_base
    grants = ["authorization_code", "refresh_token", "client_credentials"]
    if settings.password_grant:
        grants.append("password")
    return {
        "issuer": settings.issuer,
        "authorization_endpoint": f"{base}/v1/auth/authorize",
        "token_endpoint": f"{base}/v1/auth/token",
        "userinfo_endpoint": f"{base}/v1/auth/userinfo",
        "revocation_endpoint": f"{base}/v1/auth/revoke",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": grants,
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["EdDSA"],
        "scopes_supported": [*PERSON_SCOPES, *(s.value for s in Scope)],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "claims_supported": [
            "iss",
            "sub",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "azp",
            "name",
            "email",
            "email_verified",
            "roles",
            "organisations",
        ],
        "authorization_response_iss_parameter_supported": True,
        "ui_locales_supported": ["fr"],
    }
