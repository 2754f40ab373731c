"""Routing ``/v1/...`` to the owning service: streamed both ways, hop-by-hop headers dropped.

How a service is reached (over HTTP, or in process in the standalone topology and in tests)
is :mod:`cap_gateway.upstreams`: both give the proxy the same ``Reply``; everything else is one
code path.
"""

from __future__ import annotations

import asyncio
import logging
import re
from urllib.parse import quote, quote_from_bytes

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from cap_gateway.cache import PublicCache
from cap_gateway.edge import BODY_TOO_LARGE, BodyTooLarge
from cap_gateway.upstreams import Reply, Upstreams, UpstreamTimeout, UpstreamUnavailable
from cap_shared.correlation import REQUEST_ID_HEADER, current_request_id
from cap_shared.problems import PROBLEM_JSON, ProblemError, problem_from, problem_response
from cap_shared.security import Principal
from cap_shared.security.deps import InvalidCredentials
from cap_shared.streaming import relay_stream

logger = logging.getLogger(__name__)

#: Headers that describe one connection, not the message (RFC 9110 §7.6.1), never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)

#: First path segment after /v1 -> owning service. The gateway's own routes are matched first.
ROUTES: dict[str, str] = {
    "referentials": "diagnostic",
    "diagnostics": "diagnostic",
    "progress-plans": "diagnostic",
    "actions": "diagnostic",
    "resources": "diagnostic",
    "statistics": "diagnostic",
    "certification-bodies": "audit",
    "auditors": "audit",
    "audit-programmes": "audit",
    "audits": "audit",
    "findings": "audit",
    "certifier": "audit",
    "applications": "labelling",
    "group-invitations": "labelling",
    "decisions": "labelling",
    "recognitions": "labelling",
    "labels": "labelling",
    "registry": "labelling",
    "complaints": "labelling",
    "level-rules": "labelling",
    "scheme-parameters": "labelling",
    "committee-members": "labelling",
    "notifications": "notifications",
    "preferences": "notifications",
    "webhook-subscriptions": "notifications",
}


#: What a path may hold unencoded (RFC 3986 pchar and "/"); "%" keeps the client's own escapes.
_PATH_CHARS = "/!$&'()*+,;=:@-._~"


def raw_path(scope: Scope) -> str:
    """The path as the client encoded it (ASCII; bytes no URL may hold are percent-encoded).

    Forwarded instead of the decoded path, which a second decoding upstream could turn into
    another one (``%2541`` -> ``%41`` -> ``A``, ``%3F`` -> a query): the service decodes what the
    gateway decoded, once.
    """
    raw: bytes | None = scope.get("raw_path")
    if raw is None:
        return quote(scope["path"], safe=_PATH_CHARS)
    return quote_from_bytes(raw.partition(b"?")[0], safe=_PATH_CHARS + "%")


#: :data:`HOP_BY_HOP` as the ASGI scope gives header names: lower-case bytes.
_HOP_BY_HOP_RAW = frozenset(name.encode() for name in HOP_BY_HOP)
#: Also dropped when the cache fetches the whole answer, then answers the condition itself.
_CONDITIONAL_RAW = frozenset({b"if-none-match", b"if-modified-since"})
_REQUEST_ID = REQUEST_ID_HEADER.lower()
_REQUEST_ID_RAW = _REQUEST_ID.encode()


def _forward_headers(
    scope: Scope, *, conditional: bool = True
) -> tuple[list[tuple[str, str]], bool]:
    """The headers to send upstream, and whether the request has a body.

    One pass over the raw headers (lower-case names, as the server gives them): hop-by-hop ones
    dropped, with those the client names in ``Connection`` (RFC 9110 §7.6.1), and the
    ``X-Forwarded-*`` and request id the gateway sets itself."""
    raw: list[tuple[bytes, bytes]] = scope["headers"]
    hop = _HOP_BY_HOP_RAW if conditional else _HOP_BY_HOP_RAW | _CONDITIONAL_RAW
    for key, value in raw:
        if key == b"connection":
            hop = hop | {t.strip().lower() for t in value.split(b",")}
    headers: list[tuple[str, str]] = []
    host = ""
    client_request_id: str | None = None
    has_body = False
    for key, value in raw:
        if key == b"host":
            host = host or value.decode("latin-1")
        elif key == b"transfer-encoding" or (key == b"content-length" and value != b"0"):
            has_body = True
        elif key == _REQUEST_ID_RAW:
            client_request_id = client_request_id or value.decode("latin-1")
            continue
        if key not in hop and not key.startswith(b"x-forwarded-"):
            headers.append((key.decode("latin-1"), value.decode("latin-1")))
    client = scope.get("client")
    headers += [
        ("x-forwarded-for", client[0] if client else "unknown"),
        ("x-forwarded-proto", scope.get("scheme", "http")),
        ("x-forwarded-host", host),
    ]
    request_id = current_request_id() or client_request_id
    if request_id:
        headers.append((REQUEST_ID_HEADER, request_id))
    return headers, has_body


async def forward(
    upstreams: Upstreams, service: str, path: str, request: Request, *, conditional: bool = True
) -> Response | UpstreamResponse:
    """Send ``request`` to ``service`` at ``path`` and stream its answer back."""
    if service not in upstreams.bases:
        return problem_response(
            status=502,
            code="bad-gateway",
            title="Bad gateway",
            detail=f"no upstream for {service}",
            title_fr="Passerelle en erreur",
            detail_fr=f"aucun service amont pour {service}",
        )
    query = request.scope.get("query_string", b"")
    target = f"{path}?{query.decode('latin-1')}" if query else path
    headers, has_body = _forward_headers(request.scope, conditional=conditional)
    try:
        async with asyncio.timeout(upstreams.response_deadline):
            reply = await upstreams.send(
                service,
                request.method,
                target,
                headers,
                request.stream() if has_body else None,
            )
    except Exception as exc:
        if getattr(request.state, BODY_TOO_LARGE, False):
            raise BodyTooLarge(
                "the request body is too large",
                detail_fr="le corps de la requête est trop volumineux",
            ) from None
        if isinstance(exc, UpstreamTimeout | TimeoutError):
            logger.warning("upstream %s timed out on %s %s", service, request.method, path)
            return problem_response(
                status=504,
                code="upstream-timeout",
                title="Gateway timeout",
                detail=f"the {service} service did not answer in time",
                title_fr="Délai de réponse dépassé",
                detail_fr=f"le service {service} n'a pas répondu à temps",
            )
        if isinstance(exc, UpstreamUnavailable):
            return _unavailable(service, request, path, exc)
        raise
    if reply.status >= 500 and not reply.header(b"content-type").startswith(PROBLEM_JSON.encode()):
        # A service's own errors are problem+json; anything else (a crash page, a proxy's
        # HTML) is not passed on to clients.
        await reply.close()
        logger.warning(
            "upstream %s answered %s on %s %s", service, reply.status, request.method, path
        )
        return problem_response(
            status=502,
            code="bad-gateway",
            title="Bad gateway",
            detail=f"the {service} service failed to answer this request",
            title_fr="Passerelle en erreur",
            detail_fr=f"le service {service} n'a pas pu répondre à cette requête",
        )
    return UpstreamResponse(reply)


class UpstreamResponse:
    """The upstream's answer streamed back as it arrives, then its connection released.

    Each chunk is sent once the next one is known, so the last goes with ``more_body=False``
    and a small answer costs two ASGI messages, not three. An event stream
    (``text/event-stream``) is different: each chunk goes at once (an event must not wait for
    the next one), and the upstream is released as soon as the client disconnects.
    """

    def __init__(self, reply: Reply) -> None:
        self.reply = reply

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the upstream's status, headers and body to the client."""
        reply = self.reply
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": reply.status,
                    "headers": [
                        (name, v)
                        for k, v in reply.headers
                        if (name := k.lower()) not in _HOP_BY_HOP_RAW
                    ],
                }
            )
            if reply.header(b"content-type").startswith(b"text/event-stream"):
                await self._stream(receive, send)
                return
            pending: bytes | None = None
            async for chunk in reply.body:
                if not chunk:
                    continue
                if pending is not None:
                    await send({"type": "http.response.body", "body": pending, "more_body": True})
                pending = chunk
            await send({"type": "http.response.body", "body": pending or b"", "more_body": False})
        finally:
            await reply.close()

    async def _stream(self, receive: Receive, send: Send) -> None:
        await relay_stream(self.reply.body, receive, send)


def _unavailable(service: str, request: Request, path: str, exc: Exception) -> Response:
    logger.warning("upstream %s unreachable on %s %s: %s", service, request.method, path, exc)
    return problem_response(
        status=503,
        code="upstream-unavailable",
        title="Service unavailable",
        detail=f"the {service} service is unavailable",
        title_fr="Service indisponible",
        detail_fr=f"le service {service} est indisponible",
        headers={"Retry-After": "5"},
    )


def _fail_fast(request: Request) -> None:
    """Refuse at the edge a bearer token the edge could not verify (services check again)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    verified = isinstance(getattr(request.state, "principal", None), Principal)
    if scheme.lower() == "bearer" and token and not verified:
        raise InvalidCredentials(
            "the access token is invalid or expired",
            detail_fr="le jeton d'accès est invalide ou expiré",
        )


#: The target of the certificate's QR code: a browser opening it is sent to the console's page.
VERIFY_PATH = re.compile(r"^/v1/registry/verify/([^/]+)$")
#: The console's verification page (same origin: the ingress sends everything but /v1 to it).
VERIFY_PAGE = "/verifier/"


def _quality(accept: str, kinds: tuple[str, ...]) -> float:
    """The highest ``q`` the Accept header gives to any of ``kinds`` (0 when none is named)."""
    best = 0.0
    for item in accept.split(","):
        kind, *params = (p.strip() for p in item.split(";"))
        if kind.lower() not in kinds:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        best = max(best, q)
    return best


def prefers_html(accept: str) -> bool:
    """Whether a client prefers a page to JSON: it names ``text/html`` with a higher ``q`` than
    JSON gets (a browser: ``text/html,...,*/*;q=0.8``). ``*/*`` alone, no header, or JSON
    named as high: JSON (API clients)."""
    html = _quality(accept, ("text/html", "application/xhtml+xml"))
    json = _quality(accept, ("application/json", "application/*", "*/*"))
    return html > 0 and html > json


def verification_page(scope: Scope) -> Response | None:
    """A browser opening the QR code's URL (``GET /v1/registry/verify/{code}``) is sent to the
    console's verification page (303); an API client keeps the JSON (None)."""
    if scope["method"] not in ("GET", "HEAD"):
        return None
    found = VERIFY_PATH.match(scope["path"])
    if found is None:
        return None
    accept = next((v for k, v in scope["headers"] if k == b"accept"), b"").decode("latin-1")
    if not prefers_html(accept):
        return None
    code = quote(found.group(1), safe="")  # the decoded segment, encoded once again
    return RedirectResponse(
        VERIFY_PAGE + code, status_code=303, headers={"Vary": "Accept", "Cache-Control": "no-store"}
    )


class ProxyMiddleware:
    """Forwards ``/v1/<resource>/...`` to the owning service, and ``/v1/ops/<service>/...`` to
    that service's operator routes, before the gateway's own routing.

    A plain ASGI middleware, inside the edge one (body limit, rate limit, token verification):
    proxied requests skip the gateway's router and dependency machinery, which would otherwise
    cost more than the forwarding itself. Open at the edge on purpose: each service decides who
    may call each of its routes, with the token forwarded unchanged; the edge only refuses
    tokens it cannot verify. Anything else goes on to the gateway's own routes.
    """

    def __init__(
        self, app: ASGIApp, *, upstreams: Upstreams, cache: PublicCache | None = None
    ) -> None:
        self.app = app
        self.upstreams = upstreams
        self.cache = cache
        self._labels: dict[str, ProxiedRoute] = {}

    def target(self, path: str, raw: str | None = None) -> tuple[str, str] | None:
        """(service, upstream path) for a proxied path, None for the gateway's own.

        Routed on the decoded ``path``; the upstream path is taken from ``raw`` (the path as
        the client encoded it, with the same segments: the edge refuses an encoded "/").
        """
        parts = path.split("/", 4)  # "", "v1", resource, rest...
        if len(parts) < 3 or parts[1] != "v1":
            return None
        raw = raw if raw is not None else quote(path, safe=_PATH_CHARS)
        if parts[2] == "ops" and len(parts) >= 4 and parts[3] != "gateway":
            if parts[3] not in self.upstreams.clients:
                return None
            raw_parts = raw.split("/", 4)
            return parts[3], "/ops/" + (raw_parts[4] if len(raw_parts) > 4 else "")
        service = ROUTES.get(parts[2])
        return (service, raw) if service else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Forward a proxied path to its service (or answer from the cache); pass on the rest."""
        target = self.target(scope["path"], raw_path(scope)) if scope["type"] == "http" else None
        if target is None:
            await self.app(scope, receive, send)
            return
        service, path = target
        scope["route"] = self._labels.setdefault(
            service, ProxiedRoute(f"proxy -> {service}")
        )  # one label per service: the metrics' route dimension stays bounded, and no code or
        # id of the path reaches a metric, an access line or a span name
        page = verification_page(scope)
        if page is not None:
            await page(scope, receive, send)
            return
        key = self.cache.key(scope) if self.cache is not None else None
        if key is not None:
            assert self.cache is not None
            stored = self.cache.get(key)
            if stored is not None:
                await self.cache.answer(stored, scope, receive, send)
                return
        request = Request(scope, receive)
        try:
            _fail_fast(request)
            response = await forward(
                self.upstreams, service, path, request, conditional=key is None
            )
        except ProblemError as exc:
            response = problem_from(exc, instance=scope["path"])
        if key is not None and isinstance(response, UpstreamResponse):
            assert self.cache is not None
            reply = response.reply
            max_age = self.cache.storable(reply.status, reply.headers)
            if max_age > 0:
                try:
                    body = b"".join([chunk async for chunk in reply.body])
                finally:
                    await reply.close()
                stored = self.cache.put(key, reply.headers, body, max_age)
                await self.cache.answer(stored, scope, receive, send)
                return
        await response(scope, receive, send)


class ProxiedRoute:
    """What the metrics middleware labels a proxied request with."""

    def __init__(self, path: str) -> None:
        self.path = path
