"""The app factory every service and the gateway use: middleware, errors, health, ops.

Metrics are counted here (per route template) and served on the ops port
(:mod:`cap_shared.opsport`), not by the public app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.middleware import Middleware

from cap_shared import telemetry
from cap_shared.httpstack import PlatformMiddleware
from cap_shared.openapi import install as declare_errors_in_openapi
from cap_shared.ops import ops_router
from cap_shared.problems import install_problem_handlers, problem_response
from cap_shared.runtime import ServiceRuntime
from cap_shared.security import Public, assert_access_declared
from cap_shared.serverspans import ServerSpanMiddleware


def operation_id(route: APIRoute) -> str:
    """Stable operation ids ``<tag>-<function>`` so generated clients get readable names."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}".replace("_", "-")


class Readiness(BaseModel):
    """A process ready to serve: what it checked (``database``, ``broker``: ``ok``)."""

    status: Literal["ready"]
    service: str
    checks: dict[str, str]


def health_router(runtime: ServiceRuntime, *, needs_broker: bool) -> APIRouter:
    """``/healthz`` (alive) and ``/readyz`` (what this process needs is reachable)."""
    router = APIRouter(tags=["health"], dependencies=[Public])

    @router.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok", "service": runtime.name}

    @router.get(
        "/readyz",
        summary="Readiness",
        response_model=Readiness,
        responses={503: {"description": "Not ready"}},
    )
    async def readyz() -> Any:
        """Ready when the database (and the broker, for workers and relays) answers."""
        return readiness_answer(runtime.name, await runtime.readiness(needs_broker=needs_broker))

    return router


def readiness_answer(service: str, checks: dict[str, str]) -> Any:
    """``/readyz``'s answer: ready when every check is ``ok``, else a 503 problem naming them."""
    if all(v == "ok" for v in checks.values()):
        return {"status": "ready", "service": service, "checks": checks}
    return problem_response(
        status=503,
        code="not-ready",
        title="Not ready",
        detail="A dependency of this process is unavailable.",
        title_fr="Pas prêt",
        detail_fr="Une dépendance de ce processus est indisponible.",
        extensions={"service": service, "checks": checks},
    )


def create_service_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter] = (),
    webhooks: Sequence[APIRouter] = (),
    manage_runtime: bool = True,
    needs_broker: bool = False,
    version: str = "0.1.0",
    middleware: Sequence[Middleware] = (),
    own_docs: bool = True,
    ops_prefix: str = "/ops",
) -> FastAPI:
    """A FastAPI app for ``runtime`` with the platform's middleware and common routes.

    ``manage_runtime``: close the runtime when the app shuts down (a process of its own);
    the standalone composition root manages runtimes itself and passes False.
    ``middleware``: extra middleware, outermost first, inside the request-id and metrics ones.
    ``own_docs``: serve this app's own /docs and /openapi.json (the gateway serves merged ones).
    ``ops_prefix``: where the operator routes are (the gateway's are under /v1/ops/gateway).
    ``webhooks``: the calls this service makes to its subscribers' systems, declared in the
    OpenAPI 3.1 ``webhooks`` section (never served: a route's path is the webhook's name).
    """

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if manage_runtime:
            await runtime.close()

    docs = runtime.settings.serve_docs and own_docs
    # Tracing: HTTP server spans come from cap_shared.serverspans (installed below, only when
    # tracing is on), not from FastAPI's native telemetry, which stays off: it did the span's
    # work even for the requests the sampler leaves out, a third of a trivial route's CPU.
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        telemetry={
            "tracing": False,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
            "auto_configure": False,
        },
    )
    app.state.runtime = runtime
    install_problem_handlers(app)
    app.include_router(health_router(runtime, needs_broker=needs_broker))
    app.include_router(
        ops_router(prefix=ops_prefix, clock_adjustable=runtime.settings.is_development)
    )
    for router in routers:
        app.include_router(router)
    for router in webhooks:
        app.webhooks.include_router(router)
    # add_middleware puts each new one outside the previous ones: innermost first.
    for item in reversed(middleware):
        app.add_middleware(item.cls, *item.args, **item.kwargs)
    # The platform's per-request work, in one middleware (cap_shared.httpstack), outermost
    # first: the request id (asgi_correlation_id's, in one header pass), the problem language
    # (Accept-Language: fr), the access line, the metrics per route template, the caller's row
    # scope (PostgreSQL row-level security), this service's clock, and ETag on every JSON GET
    # answer with If-None-Match -> 304 (cap_shared.conditional), outside the extra middleware
    # so the gateway's own routes and the answers it proxies get them too. Seven nested
    # middlewares did this, each with its own send wrapper and header pass.
    app.add_middleware(PlatformMiddleware, service=runtime.name, clock=runtime.clock)
    if telemetry.enabled():  # the request's SERVER span: outermost, so every line has its ids
        app.add_middleware(ServerSpanMiddleware)
    assert_access_declared(app)
    # Every error an operation can answer, declared as problem+json (cap_shared.openapi).
    declare_errors_in_openapi(app)
    return app
