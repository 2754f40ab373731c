"""Composition of the gateway: identity runtime, upstream clients and the edge app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import Middleware

from cap_gateway.accounts import routes as accounts_routes
from cap_gateway.api_clients import routes as api_client_routes
from cap_gateway.auth import authorize as authorize_routes
from cap_gateway.auth import routes as auth_routes
from cap_gateway.cache import PublicCache
from cap_gateway.config import Settings
from cap_gateway.edge import EdgeMiddleware, caller
from cap_gateway.identity.routes import router as organisations_router
from cap_gateway.invitations import routes as invitation_routes
from cap_gateway.openapi import (
    API_VERSION,
    MergedOpenApi,
    declare_errors,
    docs_router,
)
from cap_gateway.overview import PARTS, OverviewPart
from cap_gateway.problems.routes import problems_router
from cap_gateway.proxy import ProxyMiddleware
from cap_gateway.runtime import MIGRATIONS, GatewayRuntime
from cap_gateway.upstreams import Upstreams
from cap_shared.app import create_service_app
from cap_shared.cli import ServiceEntry
from cap_shared.correlation import REQUEST_ID_HEADER
from cap_shared.db.session import Database
from cap_shared.idempotency import KEY_HEADER, REPLAYED_HEADER, IdempotencyMiddleware
from cap_shared.messaging import Broker
from cap_shared.settings import BaseServiceSettings

__all__ = ["ENTRY", "MIGRATIONS", "build_runtime", "create_app"]


def build_runtime(
    settings: BaseServiceSettings | None = None,
    *,
    db: Database | None = None,
    broker: Broker | None = None,
) -> GatewayRuntime:
    """The gateway's runtime (identity database, keys, outbox relay; it consumes no event yet)."""
    settings = settings or Settings()
    assert isinstance(settings, Settings)
    return GatewayRuntime(settings, db=db, broker=broker)


def create_app(
    runtime: GatewayRuntime | None = None,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    manage_runtime: bool = True,
    overview_parts: tuple[OverviewPart, ...] = PARTS,
) -> FastAPI:
    """The edge app; ``transports`` routes services in-process (standalone topology)."""
    runtime = runtime or build_runtime()
    settings = runtime.settings
    routers = [
        auth_routes.router,
        auth_routes.well_known,
        auth_routes.keys_router,
        authorize_routes.router,
        authorize_routes.well_known,
        accounts_routes.me,
        accounts_routes.users,
        invitation_routes.router,
        api_client_routes.router,
        organisations_router,
    ]
    if settings.serve_docs:
        # The catalogue of problem types is built from the merged description, served where
        # the description is (not in production, where docs/api/problems.md publishes it).
        routers += [docs_router(), problems_router()]
    upstreams = Upstreams(
        settings.upstream_urls(),
        transports=transports,
        connect_timeout=settings.upstream_connect_timeout_s,
        read_timeout=settings.upstream_read_timeout_s,
    )
    app = create_service_app(
        runtime,
        title="CAP platform API",
        version=API_VERSION,
        description=(
            "Entry point of the Coorace CAP platform: identity, tokens, organisations and every "
            "service's API under /v1. Apps sign people in with the authorization code flow and "
            "PKCE (`GET /v1/auth/authorize`, discovery at `/.well-known/openid-configuration`), "
            "systems with client credentials (`POST /v1/auth/token`); then send "
            "`Authorization: Bearer <access_token>`."
        ),
        routers=routers,
        manage_runtime=manage_runtime,
        own_docs=False,
        # The gateway's own operator routes under the same /v1/ops/<service> scheme as the
        # services' (matched before the proxy's /v1/ops/{service}/...).
        ops_prefix="/v1/ops/gateway",
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    "Accept-Language",
                    "If-Match",
                    "If-None-Match",
                    KEY_HEADER,
                    "Last-Event-ID",
                    "traceparent",
                    "tracestate",
                    REQUEST_ID_HEADER,
                ],
                expose_headers=[
                    "ETag",
                    "Location",
                    "Retry-After",
                    "Content-Language",
                    REPLAYED_HEADER,
                    REQUEST_ID_HEADER,
                ],
                max_age=600,
            ),
            Middleware(
                EdgeMiddleware,
                max_body_bytes=settings.max_body_bytes,
                limiter=runtime.limiter,
                addresses=runtime.addresses,
                verifier=runtime.verifier,
            ),
            # After the edge (the caller is verified), before the proxy and the gateway's
            # own routes: one Idempotency-Key layer for every POST, whoever answers it.
            Middleware(IdempotencyMiddleware, store=runtime.idempotency, subject=caller),
            Middleware(
                ProxyMiddleware,
                upstreams=upstreams,
                cache=PublicCache(max_entries=settings.public_cache_entries)
                if settings.public_cache_entries
                else None,
            ),
        ],
    )
    app.state.upstreams = upstreams
    app.state.overview_parts = overview_parts
    declare_errors(app)
    authorize_routes.declare_openid_connect(app)
    app.state.openapi = MergedOpenApi(app, upstreams)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        await runtime.prepare()
        async with inner(app_):
            try:
                yield
            finally:
                await app_.state.upstreams.aclose()

    app.router.lifespan_context = lifespan
    return app


ENTRY = ServiceEntry(
    name="gateway",
    settings=Settings,
    build_runtime=build_runtime,
    create_app=create_app,  # type: ignore[arg-type]
)
