"""Composition of the gateway: identity runtime, upstream clients and the edge app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from cap_gateway.config import Settings
from cap_gateway.identity.routes import router as organisations_router
from cap_gateway.models import tables
from cap_gateway.proxy import Upstreams, proxy_router
from cap_shared.app import create_service_app, ops_router
from cap_shared.cli import ServiceEntry
from cap_shared.db.session import Database
from cap_shared.messaging import Broker
from cap_shared.runtime import ServiceRuntime
from cap_shared.settings import BaseServiceSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def build_runtime(
    settings: BaseServiceSettings | None = None,
    *,
    db: Database | None = None,
    broker: Broker | None = None,
) -> ServiceRuntime:
    """The gateway's runtime (identity database, outbox relay; it consumes no event yet)."""
    return ServiceRuntime(
        settings=settings or Settings(), tables=tables, migrations=MIGRATIONS, db=db, broker=broker
    )


def create_app(
    runtime: ServiceRuntime | None = None,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    manage_runtime: bool = True,
) -> FastAPI:
    """The edge app; ``transports`` routes services in-process (standalone topology)."""
    runtime = runtime or build_runtime()
    settings = runtime.settings
    assert isinstance(settings, Settings)
    app = create_service_app(
        runtime,
        title="CAP platform API",
        description=(
            "Entry point of the Coorace CAP platform: identity, organisations and every "
            "service's API under /v1."
        ),
        # The gateway's own operator routes under the same /v1/ops/<service> scheme as the
        # services' (matched before the proxy's /v1/ops/{service}/...).
        routers=[
            organisations_router,
            ops_router(runtime, prefix="/v1/ops/gateway"),
            proxy_router(),
        ],
        manage_runtime=manage_runtime,
    )
    app.state.upstreams = Upstreams(
        settings.upstream_urls(),
        transports=transports,
        connect_timeout=settings.upstream_connect_timeout_s,
        read_timeout=settings.upstream_read_timeout_s,
    )
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        async with inner(app_):
            try:
                yield
            finally:
                await app_.state.upstreams.aclose()

    app.router.lifespan_context = lifespan
    return app


ENTRY = ServiceEntry(
    name="gateway", settings=Settings, build_runtime=build_runtime, create_app=create_app
)
