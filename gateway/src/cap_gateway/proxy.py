"""Routing ``/v1/...`` to the owning service: streamed both ways, hop-by-hop headers dropped.

Upstreams are reached over HTTP in the distributed topology and through httpx's ASGI transport
(the service app in the same process) in the standalone one: same code, different transport.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import httpx
from fastapi import APIRouter, Request
from httpx_aiohttp import AiohttpTransport
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from cap_gateway.edge import BODY_TOO_LARGE, BodyTooLarge
from cap_shared.correlation import REQUEST_ID_HEADER, current_request_id
from cap_shared.problems import PROBLEM_JSON, problem_response
from cap_shared.security import Principal, Public
from cap_shared.security.deps import InvalidCredentials

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
        "content-length",
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
    "decisions": "labelling",
    "recognitions": "labelling",
    "labels": "labelling",
    "registry": "labelling",
    "complaints": "labelling",
    "notifications": "notifications",
    "preferences": "notifications",
    "webhook-subscriptions": "notifications",
}


_POOL = httpx.Limits(max_connections=256, max_keepalive_connections=128, keepalive_expiry=30)


class Upstreams:
    """One pooled httpx client per service, created once and closed with the gateway.

    Network upstreams go through aiohttp's connection pool behind httpx's API (``httpx-aiohttp``):
    httpx's own transport costs several times more CPU per proxied request.
    """

    def __init__(
        self,
        urls: Mapping[str, str],
        *,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        connect_timeout: float = 2.0,
        read_timeout: float = 30.0,
    ) -> None:
        transports = transports or {}
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        #: Deadline for the upstream's response head, also applied to in-process (ASGI)
        #: upstreams, which httpx's network timeouts do not cover.
        self.response_deadline = connect_timeout + read_timeout
        self.clients = {
            name: httpx.AsyncClient(
                base_url=url if name not in transports else f"http://{name}",
                transport=transports.get(name) or AiohttpTransport(limits=_POOL),
                timeout=timeout,
                follow_redirects=False,
            )
            for name, url in urls.items()
        }

    async def aclose(self) -> None:
        """Close every pool."""
        for client in self.clients.values():
            await client.aclose()


def _forward_headers(request: Request) -> list[tuple[str, str]]:
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
    headers = [(k, v) for k, v in headers if not k.lower().startswith("x-forwarded-")]
    client = request.client.host if request.client else "unknown"
    headers += [
        ("x-forwarded-for", client),
        ("x-forwarded-proto", request.url.scheme),
        ("x-forwarded-host", request.headers.get("host", "")),
    ]
    request_id = current_request_id()
    if request_id:
        headers = [(k, v) for k, v in headers if k.lower() != REQUEST_ID_HEADER.lower()]
        headers.append((REQUEST_ID_HEADER, request_id))
    return headers


async def forward(upstreams: Upstreams, service: str, path: str, request: Request) -> Response:
    """Send ``request`` to ``service`` at ``path`` and stream its answer back."""
    client = upstreams.clients.get(service)
    if client is None:
        return problem_response(
            status=502, code="bad-gateway", title="Bad gateway", detail=f"no upstream for {service}"
        )
    upstream_request = client.build_request(
        request.method,
        path,
        params=str(request.query_params),
        headers=_forward_headers(request),
        content=request.stream(),
    )
    try:
        async with asyncio.timeout(upstreams.response_deadline):
            upstream = await client.send(upstream_request, stream=True)
    except Exception as exc:
        if getattr(request.state, BODY_TOO_LARGE, False):
            raise BodyTooLarge("the request body is too large") from None
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return _unavailable(service, request, path, exc)
        if isinstance(exc, httpx.TimeoutException | TimeoutError):
            logger.warning("upstream %s timed out on %s %s", service, request.method, path)
            return problem_response(
                status=504,
                code="upstream-timeout",
                title="Gateway timeout",
                detail=f"the {service} service did not answer in time",
            )
        if isinstance(exc, httpx.TransportError):
            return _unavailable(service, request, path, exc)
        raise
    if upstream.status_code >= 500 and not upstream.headers.get("content-type", "").startswith(
        PROBLEM_JSON
    ):
        # A service's own errors are problem+json; anything else (a crash page, a proxy's
        # HTML) is not passed on to clients.
        await upstream.aclose()
        logger.warning(
            "upstream %s answered %s on %s %s", service, upstream.status_code, request.method, path
        )
        return problem_response(
            status=502,
            code="bad-gateway",
            title="Bad gateway",
            detail=f"the {service} service failed to answer this request",
        )
    headers = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}
    return StreamingResponse(
        upstream.aiter_raw(),
        status_code=upstream.status_code,
        headers=headers,
        background=BackgroundTask(upstream.aclose),
    )


def _unavailable(service: str, request: Request, path: str, exc: Exception) -> Response:
    logger.warning("upstream %s unreachable on %s %s: %s", service, request.method, path, exc)
    return problem_response(
        status=503,
        code="upstream-unavailable",
        title="Service unavailable",
        detail=f"the {service} service is unavailable",
        headers={"Retry-After": "5"},
    )


def _fail_fast(request: Request) -> None:
    """Refuse at the edge a bearer token the edge could not verify (services check again)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    verified = isinstance(getattr(request.state, "principal", None), Principal)
    if scheme.lower() == "bearer" and token and not verified:
        raise InvalidCredentials("the access token is invalid or expired")


def proxy_router() -> APIRouter:
    """``/v1/{resource}/...`` to the owning service and ``/v1/ops/{service}/...`` to its ops routes.

    Open at the edge on purpose (:data:`Public`): each service decides who may call each of its
    routes, with the token forwarded unchanged; the edge only refuses tokens it cannot verify.
    """
    router = APIRouter(include_in_schema=False, dependencies=[Public])

    @router.api_route(
        "/v1/ops/{service}/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
    )
    async def ops(service: str, path: str, request: Request) -> Response:
        """Operator routes of one service (dead letters, outbox)."""
        _fail_fast(request)
        upstreams: Upstreams = request.app.state.upstreams
        if service not in upstreams.clients:
            return problem_response(
                status=404,
                code="not-found",
                title="Resource not found",
                detail=f"unknown service {service!r}",
            )
        return await forward(upstreams, service, f"/ops/{path}", request)

    @router.api_route(
        "/v1/{resource}/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
    )
    @router.api_route("/v1/{resource}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def resource(resource: str, request: Request, path: str = "") -> Response:  # noqa: ARG001
        """Any other ``/v1`` resource, by its first path segment (forwarded with its full path)."""
        _fail_fast(request)
        service = ROUTES.get(resource)
        if service is None:
            return problem_response(
                status=404,
                code="not-found",
                title="Resource not found",
                detail=f"no resource /v1/{resource}",
            )
        return await forward(request.app.state.upstreams, service, request.url.path, request)

    return router
