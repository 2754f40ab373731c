"""The edge: upstream faults over the network, body limits (413), rate limits (429), CORS,
fail-fast token checks, the composite overview, the merged OpenAPI document and the route
inventory (S4, S9)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from cap_gateway import main as gateway_main
from cap_gateway.config import Settings
from cap_gateway.openapi import duplicate_operation_ids
from cap_gateway.overview import OverviewPart
from cap_shared.opsport import EmbeddedServer
from cap_shared.security import api_routes
from cap_shared.testing.auth import sign_in
from cap_shared.testing.messaging import wait_until
from cap_shared.testing.metrics import ops_port
from cap_shared.testing.net import free_port
from cap_shared.testing.ratelimit import clear_of_window_edge


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse({"size": len(body), "auth": request.headers.get("authorization")})


async def slow(_request: Request) -> JSONResponse:
    await asyncio.sleep(3)
    return JSONResponse({})


async def crash(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("Traceback (most recent call last): ... secret", status_code=500)


async def busy(_request: Request) -> JSONResponse:
    return JSONResponse(
        {"type": "https://cap.coorace.org/problems/service-unavailable", "status": 503},
        status_code=503,
        media_type="application/problem+json",
    )


async def summary(_request: Request) -> JSONResponse:
    return JSONResponse({"open_actions": 3})


upstream = Starlette(
    routes=[
        Route("/v1/diagnostics/slow", slow),
        Route("/v1/diagnostics/crash", crash),
        Route("/v1/diagnostics/busy", busy),
        Route("/v1/diagnostics/summary", summary),
        Route("/v1/audits/forbidden", lambda _r: JSONResponse({}, status_code=403)),
        Route("/{path:path}", echo, methods=["GET", "POST"]),
    ]
)


@pytest.fixture
async def network_upstream() -> AsyncIterator[str]:
    """The upstream app served over real TCP (the gateway's own HTTP client is exercised)."""
    port = free_port()
    server = EmbeddedServer(
        uvicorn.Config(upstream, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, message="the upstream server started")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


class TestUpstreamFaults:
    async def test_faults_over_the_network_are_problems_never_hangs(
        self, gateway_factory, network_upstream
    ) -> None:
        client, _ = await gateway_factory(
            diagnostic_url=network_upstream, upstream_read_timeout_s=0.5
        )
        ok = await client.post("/v1/diagnostics/x", content=b"a" * 1000)
        assert ok.status_code == 200
        assert ok.json()["size"] == 1000

        slow_answer = await client.get("/v1/diagnostics/slow")
        assert slow_answer.status_code == 504
        crashed = await client.get("/v1/diagnostics/crash")
        assert crashed.status_code == 502
        assert "Traceback" not in crashed.text
        assert crashed.headers["content-type"] == "application/problem+json"
        passed = await client.get("/v1/diagnostics/busy")  # a service's own problem passes on
        assert passed.status_code == 503
        assert passed.json()["type"].endswith("/service-unavailable")

    async def test_a_token_the_edge_cannot_verify_is_refused_before_any_upstream(
        self, gateway_factory, network_upstream
    ) -> None:
        client, _ = await gateway_factory(diagnostic_url=network_upstream)
        refused = await client.get("/v1/diagnostics/x", headers={"Authorization": "Bearer nope"})
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")
        admin = await sign_in(client)
        forwarded = await client.get("/v1/diagnostics/x", headers=admin)
        assert forwarded.json()["auth"] == admin["Authorization"]  # forwarded unchanged


class TestLimits:
    async def test_bodies_over_the_limit_are_413_declared_or_streamed(
        self, gateway_factory, network_upstream
    ) -> None:
        client, _ = await gateway_factory(diagnostic_url=network_upstream, max_body_bytes=2048)
        declared = await client.post("/v1/diagnostics/x", content=b"a" * 4096)
        assert declared.status_code == 413
        assert declared.headers["content-type"] == "application/problem+json"

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(8):
                yield b"b" * 1024

        streamed = await client.post("/v1/diagnostics/x", content=chunks())
        assert streamed.status_code == 413
        own_route = await client.post(
            "/v1/invitations/accept",
            content=b'{"token": "' + b"t" * 4096 + b'"}',
            headers={"content-type": "application/json"},
        )
        assert own_route.status_code == 413

    async def test_page_size_over_the_maximum_is_422(self, admin, client) -> None:
        assert (
            await client.get("/v1/users", params={"limit": 1000}, headers=admin)
        ).status_code == 422

    async def test_sign_in_is_throttled_apart_from_other_requests(self, gateway_factory) -> None:
        client, _ = await gateway_factory(rate_limit_login="3/minute")  # per account
        form = {"grant_type": "password", "username": "who@coorace.example", "password": "x"}
        statuses = [(await client.post("/v1/auth/token", data=form)).status_code for _ in range(3)]
        assert statuses == [400, 400, 400]
        limited = await client.post("/v1/auth/token", data=form)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.json()["type"].endswith("/too-many-requests")
        # Another endpoint keeps its own counter.
        assert (await client.get("/.well-known/jwks.json")).status_code == 200
        assert (await client.post("/v1/auth/revoke", data={"token": "y" * 43})).status_code == 200

    async def test_sign_in_is_also_throttled_per_address(self, gateway_factory) -> None:
        client, _ = await gateway_factory(rate_limit_login_address="2/minute")
        for n in range(2):
            form = {"grant_type": "password", "username": f"u{n}@coorace.example", "password": "x"}
            assert (await client.post("/v1/auth/token", data=form)).status_code == 400
        form = {"grant_type": "password", "username": "u9@coorace.example", "password": "x"}
        assert (await client.post("/v1/auth/token", data=form)).status_code == 429

    async def test_anonymous_and_signed_in_callers_have_their_own_limits(
        self, gateway_factory
    ) -> None:
        client, _ = await gateway_factory(rate_limit_anonymous="2/minute")
        admin = await sign_in(client)  # counts as one anonymous request
        assert (await client.get("/.well-known/jwks.json")).status_code == 200
        limited = await client.get("/.well-known/jwks.json")
        assert limited.status_code == 429
        assert "retry-after" in limited.headers
        assert (await client.get("/v1/me", headers=admin)).status_code == 200
        assert (await client.get("/healthz")).status_code == 200  # probes are never limited

    async def test_forwarded_addresses_are_believed_only_from_trusted_proxies(
        self, gateway_factory
    ) -> None:
        client, _ = await gateway_factory(rate_limit_anonymous="1/minute")
        spoofed = {"X-Forwarded-For": "203.0.113.9"}
        assert (await client.get("/.well-known/jwks.json", headers=spoofed)).status_code == 200
        again = await client.get(
            "/.well-known/jwks.json", headers={"X-Forwarded-For": "198.51.100.1"}
        )
        assert again.status_code == 429  # same peer, whatever the header says

        trusting, _ = await gateway_factory(
            rate_limit_anonymous="1/minute", trusted_proxies=["127.0.0.0/8"]
        )
        one = await trusting.get(
            "/.well-known/jwks.json", headers={"X-Forwarded-For": "203.0.113.9"}
        )
        other = await trusting.get(
            "/.well-known/jwks.json", headers={"X-Forwarded-For": "198.51.100.1"}
        )
        assert (one.status_code, other.status_code) == (200, 200)


class TestCors:
    async def test_the_web_front_end_origin_is_allowed_and_others_are_not(self, client) -> None:
        preflight = await client.options(
            "/v1/me",
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
        stranger = await client.options(
            "/v1/me",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert "access-control-allow-origin" not in stranger.headers

    async def test_an_instrumented_front_end_may_send_its_trace_headers(self, client) -> None:
        preflight = await client.options(
            "/v1/me",
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,traceparent,tracestate",
            },
        )
        assert preflight.status_code == 200, preflight.text
        allowed = {
            h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")
        }
        assert {"traceparent", "tracestate"} <= allowed


class TestOverview:
    async def test_parts_arrive_together_and_a_failing_service_only_marks_its_part(
        self, gateway_factory, admin
    ) -> None:
        parts = (
            OverviewPart("diagnostic", "diagnostic", "/v1/diagnostics/summary"),
            OverviewPart("audits", "audit", "/v1/audits/forbidden"),
            OverviewPart("slow", "diagnostic", "/v1/diagnostics/slow"),
            OverviewPart("labels", "labelling", "/v1/labels/summary"),
        )
        client, _ = await gateway_factory(
            transports={
                "diagnostic": httpx.ASGITransport(app=upstream),
                "audit": httpx.ASGITransport(app=upstream),
            },
            app_options={"overview_parts": parts},
            labelling_url="http://127.0.0.1:9",
            overview_timeout_s=0.5,
        )
        loop = asyncio.get_running_loop()
        started = loop.time()
        response = await client.get("/v1/me/overview", headers=admin)
        elapsed = loop.time() - started
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["me"]["roles"] == ["admin"]
        assert body["parts"]["diagnostic"] == {
            "status": "ok",
            "data": {"open_actions": 3},
            "reason": None,
        }
        assert body["parts"]["audits"]["status"] == "not_applicable"
        assert body["parts"]["slow"]["status"] == "unavailable"
        assert body["parts"]["labels"]["status"] == "unavailable"
        assert elapsed < 2.0  # concurrent: bounded by one timeout, not the sum

    async def test_overview_needs_a_token(self, client) -> None:
        assert (await client.get("/v1/me/overview")).status_code == 401


class TestApiDescription:
    async def test_one_document_covers_every_service_with_unique_operation_ids(self, admin) -> None:
        from cap_standalone.platform import Platform, StandaloneSettings  # the whole platform

        platform = Platform(StandaloneSettings(data_dir=__import__("pathlib").Path("/nonexistent")))
        platform.build()
        assert platform.gateway is not None
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=platform.gateway), base_url="http://cap.test"
        ) as client:
            document = (await client.get("/v1/openapi.json")).json()
            docs = await client.get("/docs")
        assert docs.status_code == 200
        assert "/v1/openapi.json" in docs.text
        assert "x-cap-unavailable" not in document
        paths = document["paths"]
        assert "/v1/auth/token" in paths
        assert "/v1/organisations" in paths
        for service in ("diagnostic", "audit", "labelling", "notifications"):
            assert f"/v1/ops/{service}/dead-letters" in paths
        assert "/healthz" not in paths
        assert duplicate_operation_ids(document) == []
        schemes = document["components"]["securitySchemes"]
        assert set(schemes["oauth2"]["flows"]) == {
            "authorizationCode",
            "clientCredentials",
            "password",
        }
        assert schemes["openIdConnect"]["openIdConnectUrl"].endswith(
            "/.well-known/openid-configuration"
        )

    async def test_production_serves_no_docs_and_only_inventoried_routes(
        self, gateway_factory
    ) -> None:
        client, runtime = await gateway_factory(
            environment="production",
            key_encryption_secret="k" * 32,
            bootstrap_admin_password="p" * 20,
        )
        for path in ("/docs", "/v1/openapi.json", "/openapi.json", "/redoc"):
            assert (await client.get(path)).status_code == 404, path
        app = gateway_main.create_app(runtime, manage_runtime=False)
        served = {(m, r.path) for r in api_routes(app) for m in r.methods}
        assert served == INVENTORY


#: Every route the gateway serves itself in production (S9). A new route must be added here
#: on purpose. Proxied prefixes (cap_gateway.proxy.ROUTES) are forwarded before routing to the
#: services, which declare their own routes (and have their own inventory in the matrix).
INVENTORY = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/v1/ops/gateway/dead-letters"),
    ("GET", "/v1/ops/gateway/dead-letters/{dead_letter_id}"),
    ("POST", "/v1/ops/gateway/dead-letters/{dead_letter_id}/replay"),
    ("GET", "/v1/ops/gateway/outbox"),
    ("GET", "/v1/ops/gateway/jobs"),
    ("POST", "/v1/ops/gateway/jobs/{name}/runs"),
    ("GET", "/v1/ops/gateway/clock"),
    ("PUT", "/v1/ops/gateway/clock"),
    ("GET", "/v1/ops/gateway/audit-log"),
    ("GET", "/v1/ops/gateway/audit-log/verification"),
    ("GET", "/v1/ops/gateway/signing-keys"),
    ("POST", "/v1/ops/gateway/signing-keys"),
    ("POST", "/v1/auth/token"),
    ("POST", "/v1/auth/revoke"),
    ("GET", "/.well-known/jwks.json"),
    ("GET", "/.well-known/oauth-authorization-server"),
    ("GET", "/.well-known/openid-configuration"),
    ("GET", "/v1/auth/authorize"),
    ("POST", "/v1/auth/authorize"),
    ("GET", "/v1/auth/userinfo"),
    ("POST", "/v1/auth/userinfo"),
    ("GET", "/v1/me"),
    ("GET", "/v1/me/overview"),
    ("POST", "/v1/me/password"),
    ("GET", "/v1/users"),
    ("GET", "/v1/users/{user_id}"),
    ("PATCH", "/v1/users/{user_id}"),
    ("POST", "/v1/users/{user_id}/memberships"),
    ("DELETE", "/v1/users/{user_id}/memberships/{membership_id}"),
    ("POST", "/v1/invitations"),
    ("GET", "/v1/invitations"),
    ("DELETE", "/v1/invitations/{invitation_id}"),
    ("POST", "/v1/invitations/accept"),
    ("POST", "/v1/api-clients"),
    ("GET", "/v1/api-clients"),
    ("GET", "/v1/api-clients/{api_client_id}"),
    ("POST", "/v1/api-clients/{api_client_id}/secret"),
    ("DELETE", "/v1/api-clients/{api_client_id}"),
    ("POST", "/v1/organisations"),
    ("GET", "/v1/organisations"),
    ("GET", "/v1/organisations/{organisation_id}"),
}


def test_settings_refuse_placeholder_secrets_in_production() -> None:
    with pytest.raises(ValueError, match="key_encryption_secret"):
        Settings(environment="production", bootstrap_admin_password="p" * 20)
    with pytest.raises(ValueError, match="bootstrap_admin_password"):
        Settings(environment="production", key_encryption_secret="k" * 32)
    Settings(environment="production", key_encryption_secret="k" * 32, bootstrap_admin=False)


async def test_replicas_sharing_redis_share_their_counters() -> None:
    """Several gateway replicas count against one limit when the counters live in Redis."""
    from uuid import uuid4

    from cap_gateway.ratelimit import RateLimiter
    from cap_shared.testing.services import REDIS_URL

    await clear_of_window_edge()
    replicas = [RateLimiter(REDIS_URL, {"user": "3/minute"}) for _ in range(2)]
    subject = f"user:{uuid4()}"
    decisions = [await replicas[n % 2].hit("user", subject) for n in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 1 <= decisions[-1].retry_after <= 60
    other = await replicas[1].hit("user", f"user:{uuid4()}")
    assert other.allowed
    # Another platform (broker namespace) on the same Redis has counters of its own.
    elsewhere = RateLimiter(REDIS_URL, {"user": "3/minute"}, namespace=f"ns-{uuid4()}")
    assert (await elsewhere.hit("user", subject)).allowed
    same = RateLimiter(REDIS_URL, {"user": "3/minute"}, namespace="n1")
    twin = RateLimiter(REDIS_URL, {"user": "3/minute"}, namespace="n1")
    subject = f"user:{uuid4()}"
    hits = [await (same, twin)[n % 2].hit("user", subject) for n in range(4)]
    assert [d.allowed for d in hits] == [True, True, True, False]


async def test_refusals_are_counted_per_limit_and_metrics_are_not_public(gateway_factory) -> None:
    client, _ = await gateway_factory(rate_limit_login="2/minute", rate_limit_anonymous="5/minute")
    form = {"grant_type": "password", "username": "who@coorace.example", "password": "x"}
    assert (await client.get("/metrics")).status_code == 404  # on the ops port only
    async with ops_port() as scrape:

        async def refused(limit: str) -> float:
            return await scrape.value(
                "cap_rate_limit_refusals_total", service="gateway", limit=limit
            )

        before = await refused("login-account"), await refused("anonymous")
        statuses = [(await client.post("/v1/auth/token", data=form)).status_code for _ in range(3)]
        assert statuses == [400, 400, 429]
        assert await refused("login-account") == before[0] + 1
        assert await refused("anonymous") == before[1]
        for _ in range(2):
            await client.get("/.well-known/jwks.json")
        assert (await client.get("/.well-known/jwks.json")).status_code == 429
        assert await refused("anonymous") >= before[1] + 1
        served = await scrape.samples(
            "cap_http_requests_total", service="gateway", route="/v1/auth/token", status="429"
        )
        assert [s.value >= 1 for s in served] == [True]
    assert (await client.get("/healthz")).status_code == 200  # probes are never limited
