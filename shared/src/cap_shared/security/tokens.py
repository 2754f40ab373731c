"""Access-token verification, identical in the gateway and in every service (RFC 8725).

Tokens are JWTs the gateway signs with an asymmetric key (Ed25519, ``alg=EdDSA``) named by
``kid``; public keys come from the gateway's JWKS. What is checked, and why:

* the algorithm is pinned (never taken from the header): no ``none``, no HMAC with a public key;
* ``typ`` must be ``at+jwt`` (RFC 9068): a token of another kind never passes as an access token;
* ``kid`` must be a short plain identifier and a key we know: unknown kids trigger one rate-limited
  JWKS refresh (key rotation), never a fetch from a URL the token names;
* ``iss``, ``aud`` (this service's own audience), ``exp``, ``nbf``, ``iat``, ``sub``, ``jti`` are
  required and validated, with a small leeway for clock skew.

Verified tokens are cached, so a token used for many requests has its signature checked once
per process (at the gateway's edge, then once by the service it reaches): a bounded LRU keyed by
the exact token string, holding the principal, the ``exp`` (plus leeway) and the ``kid``. A hit
still honours ``exp`` (real time, as the signature check does: token times are protocol times,
see :mod:`cap_shared.clock`); ``nbf`` held when the token was first verified, and time only moves
on. The key set is refreshed on its usual schedule even when every request hits the cache, and
the tokens whose ``kid`` is no longer published are dropped at once: a withdrawn key's tokens
are refused from the first request after the refresh that no longer finds the key, cached or
not. (That refresh runs in the background of a cached request: requests never wait on the
issuer's JWKS unless they bring a token not verified yet.)
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cap_shared.clock import wall_timestamp
from cap_shared.instrumentation import instrument_client
from cap_shared.security.principal import Grant, Principal, Role
from cap_shared.tls import client_context

logger = logging.getLogger(__name__)

ALGORITHM = "EdDSA"
ACCESS_TOKEN_TYPE = "at+jwt"
_KID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_REQUIRED = ["exp", "iat", "nbf", "iss", "aud", "sub", "jti"]

JwksFetcher = Callable[[], Awaitable[dict[str, Any]]]


class InvalidToken(Exception):
    """The token is not acceptable here; the message says why (logged, not shown in detail)."""


class _GrantClaim(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Role
    organisation_id: str | None = None
    region: str | None = None
    certification_body_id: str | None = None


class AccessClaims(BaseModel):
    """The claims of an access token this platform issues."""

    model_config = ConfigDict(extra="ignore")

    sub: str = Field(min_length=1, max_length=200)
    kind: str = Field(pattern="^(user|client)$")
    client_id: str = Field(min_length=1, max_length=200)
    jti: str = Field(min_length=1, max_length=100)
    exp: int
    roles: list[_GrantClaim] = Field(default_factory=list, max_length=100)
    scope: str = ""


class JwksKeySource:
    """Public keys by ``kid``, from a JWKS document fetched by ``fetch`` and cached.

    The set is refreshed when older than ``ttl`` or when an unknown ``kid`` shows up, at most
    once per ``min_refresh_interval`` (so forged kids cannot make us hammer the gateway).
    """

    def __init__(
        self, fetch: JwksFetcher, *, ttl: float = 300.0, min_refresh_interval: float = 10.0
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._min_interval = min_refresh_interval
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self._refreshing: asyncio.Task[None] | None = None
        #: Incremented when the key set changes, so verified-token caches can be dropped.
        self.generation = 0

    async def get(self, kid: str) -> Any | None:
        """The public key named ``kid``, or None if the issuer does not publish it."""
        now = time.monotonic()
        stale = now - self._fetched_at > self._ttl
        if stale or (kid not in self._keys and now - self._fetched_at > self._min_interval):
            await self._refresh()
        return self._keys.get(kid)

    @property
    def stale(self) -> bool:
        """Whether the key set is due for its periodic refresh (cheap: a clock read)."""
        return time.monotonic() - self._fetched_at > self._ttl

    def refresh_in_background(self) -> None:
        """Start the periodic refresh without waiting for it, unless one is under way.

        For requests whose token is already verified: they go on with the keys known, rather
        than all waiting on the issuer (seconds, if it is slow or down) every refresh."""
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.get_running_loop().create_task(self._refresh_quietly())

    async def _refresh_quietly(self) -> None:
        try:
            await self._refresh()
        except Exception as exc:  # no key at all: the next verification that needs one says so
            logger.warning("could not refresh the signing keys: %s", type(exc).__name__)

    @property
    def kids(self) -> frozenset[str]:
        """The key ids published now."""
        return frozenset(self._keys)

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at <= self._min_interval and self._keys:
                return
            try:
                document = await self._fetch()
            except Exception:
                if self._keys:  # keep serving the keys we have; try again after the interval
                    self._fetched_at = time.monotonic() - self._ttl + self._min_interval
                    return
                raise
            keys: dict[str, Any] = {}
            for entry in document.get("keys", []):
                kid = entry.get("kid")
                if entry.get("alg", ALGORITHM) != ALGORITHM or not isinstance(kid, str):
                    continue
                try:
                    keys[kid] = jwt.PyJWK(entry, algorithm=ALGORITHM).key
                except jwt.PyJWKError:
                    continue
            if keys.keys() != self._keys.keys():
                self.generation += 1
            self._keys = keys
            self._fetched_at = time.monotonic()


def http_jwks_fetcher(url: str, *, timeout: float = 5.0) -> JwksFetcher:
    """Fetch a JWKS document over HTTP (the gateway's ``/.well-known/jwks.json``)."""

    async def fetch() -> dict[str, Any]:
        client = instrument_client(
            httpx.AsyncClient(timeout=timeout, follow_redirects=False, verify=client_context())
        )
        async with client:
            response = await client.get(url)
            response.raise_for_status()
            document: dict[str, Any] = response.json()
            return document

    return fetch


class TokenVerifier:
    """Verifies access tokens for one audience (the gateway or one service)."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        keys: JwksKeySource,
        leeway: float = 30.0,
        cache_size: int = 4096,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.keys = keys
        self.leeway = leeway
        #: Verified tokens, least recently used first: token -> (principal, valid until, kid).
        self._cache: OrderedDict[str, tuple[Principal, float, str]] = OrderedDict()
        self._cache_size = cache_size
        self._generation = keys.generation

    async def verify(self, token: str) -> Principal:
        """The principal of a valid access token; raises InvalidToken otherwise."""
        self._sync_generation()
        cached = self._cache.get(token)
        if cached is not None:
            principal, expires, _kid = cached
            if wall_timestamp() < expires:
                if self.keys.stale:  # the periodic refresh (a verification would run it)
                    self.keys.refresh_in_background()
                self._cache.move_to_end(token)
                return principal
            del self._cache[token]
        principal, expires, kid = await self._verify(token)
        self._sync_generation()  # the key set may have been refreshed while verifying
        if kid in self.keys.kids:
            self._cache[token] = (principal, expires, kid)
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return principal

    def _sync_generation(self) -> None:
        """When the published key set changed, forget the tokens whose key is withdrawn."""
        if self._generation != self.keys.generation:
            published = self.keys.kids
            for token in [t for t, (_, _, kid) in self._cache.items() if kid not in published]:
                del self._cache[token]
            self._generation = self.keys.generation

    async def _verify(self, token: str) -> tuple[Principal, float, str]:
        if len(token) > 8192:
            raise InvalidToken("token too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"malformed token: {exc}") from exc
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"algorithm {header.get('alg')!r} is not accepted")
        if header.get("typ") != ACCESS_TOKEN_TYPE:
            raise InvalidToken(f"token type {header.get('typ')!r} is not an access token")
        kid = header.get("kid")
        if not isinstance(kid, str) or not _KID.match(kid):
            raise InvalidToken("missing or malformed key id")
        try:
            key = await self.keys.get(kid)
        except Exception as exc:
            raise InvalidToken(f"signing keys unavailable: {type(exc).__name__}") from exc
        if key is None:
            raise InvalidToken(f"unknown key id {kid!r}")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": _REQUIRED},
            )
            parsed = AccessClaims.model_validate(claims)
        except (jwt.PyJWTError, ValidationError) as exc:
            raise InvalidToken(str(exc)) from exc
        principal = Principal(
            subject=parsed.sub,
            kind=parsed.kind,
            grants=tuple(
                Grant(
                    role=g.role,
                    organisation_id=g.organisation_id,
                    region=g.region,
                    certification_body_id=g.certification_body_id,
                )
                for g in parsed.roles
            ),
            client_id=parsed.client_id,
            token_id=parsed.jti,
            expires_at=datetime.fromtimestamp(parsed.exp, UTC),
            scopes=frozenset(parsed.scope.split()),
        )
        return principal, float(parsed.exp) + self.leeway, kid
