"""The edge middleware: body-size limit, caller identification, the general rate limit and
the path check.

A pure ASGI middleware (no response buffering, streaming kept). A request whose declared
``Content-Length`` exceeds the limit is refused at once with 413; a chunked body is counted as it
streams and cut off with 413 when it goes over, whoever was reading it. A path that could name
another route once forwarded (a dot segment, an encoded ``/``) or that no route can hold (a
control character) is refused with 404 before anything routes it.
"""

from __future__ import annotations

import re

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cap_gateway.ratelimit import ClientAddress, RateLimiter
from cap_shared.problems import NotFound, ProblemError, problem_from
from cap_shared.security import InvalidToken, Principal, TokenVerifier

#: Paths never limited (probes of the platform itself; metrics are on the ops port).
UNLIMITED = frozenset({"/healthz", "/readyz"})
#: Anonymous writes, limited much more tightly (flagging a recognition in the registry).
PUBLIC_WRITES = "/v1/registry/"
#: Request-state key set when the body went over the limit while streaming.
BODY_TOO_LARGE = "body_too_large"
#: In the decoded path: a control character (C0, DEL, C1), a backslash, or a dot segment; an
#: HTTP client or server on the way could drop, reject or resolve any of them differently.
_UNSAFE_PATH = re.compile(r"[\x00-\x1f\x7f-\x9f\\]|(?:^|/)\.\.?(?:/|$)")


#: POSTs that take no ``Idempotency-Key`` (the header goes on untouched): anonymous by nature,
#: retried safely as they are. Signing in and tokens (OAuth: a retried token request with a
#: used code or refresh token is refused, a client retries a password grant as a new
#: sign-in), accepting an invitation (its token works once), the public registry's forms,
#: a certification body's signed webhook calls (deduplicated by their delivery id).
#: Any other POST without a verified caller is exempt too (:func:`caller`).
IDEMPOTENCY_EXEMPT = (
    "/v1/auth/",
    "/v1/invitations/accept",
    "/v1/registry/",
    "/v1/certifier/webhooks/",
)


#: Public forms anyone may post without signing in, served by the Idempotency-Key layer all the
#: same (a complaint sent twice from a bad connection is one complaint): their keys share one
#: anonymous space, and a replay needs the same key *and* the same body.
ANONYMOUS_IDEMPOTENT = re.compile(r"^/v1/registry/recognitions/[^/]+/complaints$")
ANONYMOUS = "anonymous"


def caller(scope: Scope) -> str | None:
    """Whose ``Idempotency-Key`` space a POST uses: the subject the edge verified, the shared
    anonymous space of the public forms (:data:`ANONYMOUS_IDEMPOTENT`), or None (exempt) for
    another anonymous request and the :data:`IDEMPOTENCY_EXEMPT` paths."""
    principal = scope.get("state", {}).get("principal")
    if principal is None and ANONYMOUS_IDEMPOTENT.match(scope["path"]):
        return ANONYMOUS
    if scope["path"].startswith(IDEMPOTENCY_EXEMPT):
        return None
    return principal.subject if isinstance(principal, Principal) else None


def unsafe_path(scope: Scope) -> bool:
    """Whether the request's path could reach another route than the one checked here.

    The rate limits and the proxy route on the decoded path, and the proxy forwards the path as
    the client encoded it: that is one route only if no encoded ``/`` splits a segment.
    """
    if _UNSAFE_PATH.search(scope["path"]):
        return True
    raw: bytes = scope.get("raw_path") or b""
    return b"%2f" in raw.lower()


class BodyTooLarge(ProblemError):
    """The request body is larger than the gateway accepts."""

    status, code, title = 413, "payload-too-large", "Request body too large"
    title_fr = "Corps de requête trop volumineux"


class EdgeMiddleware:
    """Body limit, then the per-principal or per-address rate limit."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        limiter: RateLimiter,
        addresses: ClientAddress,
        verifier: TokenVerifier,
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.limiter = limiter
        self.addresses = addresses
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a body too large, a client over its rate or a token that fails; pass on the rest."""
        if scope["type"] != "http" or scope["path"] in UNLIMITED:
            await self.app(scope, receive, send)
            return
        length, authorization = b"", b""
        for key, value in scope["headers"]:  # one pass over the raw headers
            if key == b"content-length":
                length = value
            elif key == b"authorization":
                authorization = value
        if length.isdigit() and int(length) > self.max_body:
            await self._refuse(scope, receive, send, self._too_large())
            return
        try:
            await self._rate_limit(scope, authorization.decode("latin-1"))
            if unsafe_path(scope):
                raise NotFound(
                    "no resource has this path", detail_fr="aucune ressource n'a ce chemin"
                )
        except ProblemError as exc:
            await self._refuse(scope, receive, send, exc)
            return
        if length.isdigit():  # the server delivers no more than the declared length
            await self.app(scope, receive, send)
            return
        await self.app(scope, self._counting(scope, receive), self._answering_413(scope, send))

    def _too_large(self) -> BodyTooLarge:
        return BodyTooLarge(
            f"the request body may not exceed {self.max_body} bytes",
            detail_fr=f"le corps de la requête ne peut pas dépasser {self.max_body} octets",
        )

    async def _rate_limit(self, scope: Scope, authorization: str) -> None:
        scheme, _, token = authorization.partition(" ")
        key: str | None = None
        if scheme.lower() == "bearer" and token:
            try:
                principal = await self.verifier.verify(token.strip())
            except InvalidToken:
                principal = None
            if principal is not None:
                # Verified once here; routes and the proxy reuse it from the request state.
                scope.setdefault("state", {})["principal"] = principal
                name = "client" if principal.kind == "client" else "user"
                key = principal.subject
                await self.limiter.check(name, key, detail="too many requests for this account")
        if key is None:
            key = self.addresses.of(HTTPConnection(scope))
            await self.limiter.check("anonymous", key, detail="too many requests from this address")
        # The route reached is the one checked: the edge refuses paths that could lead elsewhere.
        # A token does not lift this limit: the registry's writes are open to anyone.
        if scope["method"] == "POST" and scope["path"].startswith(PUBLIC_WRITES):
            await self.limiter.check("public-write", key, detail="too many reports; try later")

    def _counting(self, scope: Scope, receive: Receive) -> Receive:
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    # Recorded as well as raised: an HTTP client streaming the body upstream
                    # may wrap the exception in its own.
                    scope.setdefault("state", {})[BODY_TOO_LARGE] = True
                    raise self._too_large()
            return message

        return wrapped

    def _answering_413(self, scope: Scope, send: Send) -> Send:
        """``send`` answering 413 instead of whatever a reader cut off by the limit answers
        (FastAPI turns a failed body read into a 400, as does a service behind the proxy)."""
        replaced = False

        async def wrapped(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return
            if message["type"] == "http.response.start" and scope.get("state", {}).get(
                BODY_TOO_LARGE
            ):
                replaced = True
                response = problem_from(self._too_large(), instance=scope["path"])
                await send(
                    {
                        "type": "http.response.start",
                        "status": response.status_code,
                        "headers": response.raw_headers,
                    }
                )
                await send({"type": "http.response.body", "body": response.body})
                return
            await send(message)

        return wrapped

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, exc: ProblemError) -> None:
        await problem_from(exc, instance=scope["path"])(scope, receive, send)
