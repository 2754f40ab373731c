"""Idempotency-Key at the gateway: one layer for every signed-in POST, whoever answers it.

A retry with the same key and body gets the first answer again (status, body, Location, ETag)
marked ``Idempotent-Replayed: true`` without reaching the service; another body with the same
key is a 422, a duplicate while the first runs a 409, an invalid key a 400. Answers that are not
final (5xx, 429) are not kept; keys are per caller and forgotten after 24 h (the purge job).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cap_gateway import main as gateway_main
from cap_gateway.config import Settings
from cap_gateway.edge import ANONYMOUS_IDEMPOTENT, IDEMPOTENCY_EXEMPT
from cap_gateway.models import idempotent_requests
from cap_gateway.openapi import IDEMPOTENCY_PARAMETER, idempotent_operation, merge
from cap_shared import openapi as shared_openapi
from cap_shared.clock import wall_now
from cap_shared.idempotency import MAX_STORED_BODY, request_fingerprint
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.testing.auth import create_user
from cap_shared.testing.siret import make_siret

PROBLEM = "https://cap.coorace.org/problems/"


@dataclass
class Upstream:
    """A service that creates things, slowly on demand, failing on demand; counts its calls."""

    things: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    keys_seen: list[str | None] = field(default_factory=list)
    fail_next: int = 0
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    #: Slow calls after the first wait on their own gate (by call number), when there is one.
    gates: dict[int, asyncio.Event] = field(default_factory=dict)

    def app(self) -> Starlette:
        async def create(request: Request) -> Response:
            self.calls += 1
            number = self.calls
            self.keys_seen.append(request.headers.get("idempotency-key"))
            data = await request.json()
            if data.get("slow"):
                self.entered.set()
                await self.gates.get(number, self.release).wait()
            if self.fail_next:
                self.fail_next -= 1
                return JSONResponse(
                    {"type": PROBLEM + "service-unavailable", "title": "x", "status": 503},
                    status_code=503,
                    media_type="application/problem+json",
                )
            if data.get("big"):
                return Response(b"x" * (MAX_STORED_BODY + 1), media_type="text/plain")
            if data.get("invalid"):
                return JSONResponse(
                    {"type": PROBLEM + "validation-error", "title": "x", "status": 422},
                    status_code=422,
                    media_type="application/problem+json",
                )
            thing = {"id": str(uuid.uuid4()), **data}
            self.things.append(thing)
            return JSONResponse(
                thing,
                status_code=201,
                headers={"Location": f"/v1/diagnostics/{thing['id']}", "ETag": '"1"'},
            )

        async def listing(_request: Request) -> JSONResponse:
            return JSONResponse({"data": self.things, "next_cursor": None})

        return Starlette(
            routes=[
                Route("/v1/diagnostics", create, methods=["POST"]),
                Route("/v1/diagnostics", listing, methods=["GET"]),
                Route("/v1/registry/things", create, methods=["POST"]),
                Route("/v1/registry/recognitions/{number}/complaints", create, methods=["POST"]),
            ]
        )


@pytest.fixture
async def service() -> Upstream:
    return Upstream()


@pytest.fixture
async def gateway(gateway_factory, service: Upstream) -> tuple[httpx.AsyncClient, Any]:
    return await gateway_factory(  # type: ignore[no-any-return]
        transports={
            name: httpx.ASGITransport(app=service.app()) for name in ("diagnostic", "labelling")
        }
    )


def key() -> str:
    return f"mobile-{uuid.uuid4()}"


async def test_a_retry_gets_the_first_answer_and_creates_nothing_more(
    gateway, service: Upstream, admin
) -> None:
    client, _ = gateway
    headers = {**admin, "Idempotency-Key": key()}
    first = await client.post("/v1/diagnostics", json={"name": "a"}, headers=headers)
    again = await client.post("/v1/diagnostics", json={"name": "a"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == '"1"'
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["x-request-id"] != first.headers["x-request-id"]  # a new exchange
    listed = await client.get("/v1/diagnostics", headers=admin)
    assert [t["id"] for t in listed.json()["data"]] == [first.json()["id"]]
    assert service.calls == 1
    assert service.keys_seen == [headers["Idempotency-Key"]]  # the service sees it too


async def test_without_a_key_every_request_runs(gateway, service: Upstream, admin) -> None:
    client, _ = gateway
    for _ in range(2):
        answer = await client.post("/v1/diagnostics", json={"name": "a"}, headers=admin)
        assert answer.status_code == 201
        assert "idempotent-replayed" not in answer.headers
    assert len(service.things) == 2


async def test_the_same_key_with_another_body_is_a_422(gateway, service: Upstream, admin) -> None:
    client, _ = gateway
    headers = {**admin, "Idempotency-Key": key()}
    assert (
        await client.post("/v1/diagnostics", json={"name": "a"}, headers=headers)
    ).status_code == 201
    for other in (
        {"json": {"name": "b"}},
        {"json": {"name": "a"}, "params": {"dry": "1"}},  # the query is part of the request
        {"content": b'{"name": "a"}'},  # the same JSON, other bytes
    ):
        reused = await client.post(
            "/v1/diagnostics", headers={**headers, "Content-Type": "application/json"}, **other
        )
        assert reused.status_code == 422, reused.text
        assert reused.headers["content-type"] == "application/problem+json"
        assert reused.json()["type"] == PROBLEM + "idempotency-key-reused"
    french = await client.post(
        "/v1/diagnostics", json={"name": "b"}, headers={**headers, "Accept-Language": "fr"}
    )
    assert french.json()["title"] == "Clé d'idempotence déjà utilisée"
    assert service.calls == 1


async def test_a_duplicate_while_the_first_runs_is_a_409_then_gets_the_answer(
    gateway, service: Upstream, admin
) -> None:
    client, _ = gateway
    headers = {**admin, "Idempotency-Key": key()}
    body = {"name": "slow", "slow": True}
    first = asyncio.create_task(client.post("/v1/diagnostics", json=body, headers=headers))
    await asyncio.wait_for(service.entered.wait(), 5)
    duplicate = await client.post("/v1/diagnostics", json=body, headers=headers)
    assert duplicate.status_code == 409, duplicate.text
    assert duplicate.json()["type"] == PROBLEM + "idempotency-key-in-flight"
    assert int(duplicate.headers["retry-after"]) >= 1
    service.release.set()
    answer = await asyncio.wait_for(first, 5)
    assert answer.status_code == 201
    retry = await client.post("/v1/diagnostics", json=body, headers=headers)
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == answer.json()
    assert service.calls == 1


async def test_a_5xx_is_not_kept_and_the_retry_runs(gateway, service: Upstream, admin) -> None:
    client, _ = gateway
    headers = {**admin, "Idempotency-Key": key()}
    service.fail_next = 1
    failed = await client.post("/v1/diagnostics", json={"name": "a"}, headers=headers)
    assert failed.status_code == 503
    retry = await client.post("/v1/diagnostics", json={"name": "a"}, headers=headers)
    assert retry.status_code == 201
    assert "idempotent-replayed" not in retry.headers
    assert (service.calls, len(service.things)) == (2, 1)


async def test_a_4xx_is_final_and_kept(gateway, service: Upstream, admin) -> None:
    client, _ = gateway
    headers = {**admin, "Idempotency-Key": key()}
    body = {"name": "a", "invalid": True}
    first = await client.post("/v1/diagnostics", json=body, headers=headers)
    again = await client.post("/v1/diagnostics", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (422, 422)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == "application/problem+json"
    assert service.calls == 1


async def test_an_answer_too_large_to_keep_is_not_kept(gateway, service: Upstream, admin) -> None:
    client, _ = gateway
    headers = {**admin, "Idempotency-Key": key()}
    for _ in range(2):
        answer = await client.post("/v1/diagnostics", json={"big": True}, headers=headers)
        assert answer.status_code == 200
        assert len(answer.content) == MAX_STORED_BODY + 1
        assert "idempotent-replayed" not in answer.headers
    assert service.calls == 2


async def test_keys_are_per_caller(gateway_factory, gateway, service: Upstream, admin) -> None:
    client, _ = gateway
    someone = await create_user(client, admin, role="committee")
    shared = key()
    mine = await client.post(
        "/v1/diagnostics", json={"name": "a"}, headers={**admin, "Idempotency-Key": shared}
    )
    theirs = await client.post(
        "/v1/diagnostics", json={"name": "a"}, headers={**someone, "Idempotency-Key": shared}
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["id"] != mine.json()["id"]
    assert len(service.things) == 2


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("k" * 256, 400),
        ("k" * 255, 201),
        ("a", 201),
        ("with spaces and :/;= signs", 201),
        ("clé", 400),  # not ASCII
        ("tab\there", 400),
    ],
)
async def test_keys_are_1_to_255_printable_ascii_characters(
    gateway, service: Upstream, admin, value: str, status: int
) -> None:
    client, _ = gateway
    answer = await client.post(
        "/v1/diagnostics",
        json={"name": "a"},
        headers=httpx.Headers({**admin, "Idempotency-Key": value}, encoding="utf-8"),
    )
    assert answer.status_code == status, answer.text
    if status == 400:
        assert answer.json()["type"] == PROBLEM + "invalid-idempotency-key"
        assert service.calls == 0


async def test_a_quoted_key_is_the_same_key(gateway, service: Upstream, admin) -> None:
    client, _ = gateway
    plain = key()
    await client.post("/v1/diagnostics", json={}, headers={**admin, "Idempotency-Key": plain})
    quoted = await client.post(
        "/v1/diagnostics", json={}, headers={**admin, "Idempotency-Key": f'"{plain}"'}
    )
    assert quoted.headers["idempotent-replayed"] == "true"


async def test_anonymous_and_exempt_posts_pass_untouched(gateway, service: Upstream) -> None:
    client, _ = gateway
    headers = {"Idempotency-Key": "k" * 300}  # not even checked
    for _ in range(2):
        answer = await client.post("/v1/registry/things", json={"name": "a"}, headers=headers)
        assert answer.status_code == 201
        assert "idempotent-replayed" not in answer.headers
    assert service.calls == 2
    token = await client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "nobody@x.example", "password": "nope"},
        headers=headers,
    )
    assert token.status_code in (400, 401)  # the sign-in's own answer, not a key problem
    assert "idempotency" not in token.json()["type"]


async def test_the_public_complaint_form_takes_a_key_without_a_caller(
    gateway, service: Upstream
) -> None:
    """A complaint sent again from a bad connection is one complaint: anonymous keys share one
    space, and a replay needs the same key and the same body (another body: 422)."""
    client, _ = gateway
    url = "/v1/registry/recognitions/CAP-RSE-2026-0001/complaints"
    headers = {"Idempotency-Key": key()}
    body = {"name": "Camille", "message": "Le label affiché n'est plus valide."}
    first = await client.post(url, json=body, headers=headers)
    again = await client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert service.calls == 1
    other = await client.post(url, json={**body, "message": "Autre chose"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")
    without = await client.post(url, json=body)
    assert without.status_code == 201
    assert service.calls == 2


async def test_the_gateways_own_routes_are_covered(gateway, admin) -> None:
    client, _ = gateway
    headers = {**admin, "Idempotency-Key": key()}
    body = {"siret": make_siret(4242), "name": "Retried", "siae_types": ["ACI"], "region": "28"}
    first = await client.post("/v1/organisations", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post("/v1/organisations", json=body, headers=headers)
    assert again.status_code == 201, again.text  # not a 409 duplicate SIRET
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


async def _age(runtime: Any, delta: timedelta) -> None:
    t = idempotent_requests
    async with runtime.db.session() as session:
        for row in (await session.execute(sa.select(t.c.subject, t.c.key, t.c.created_at))).all():
            await session.execute(
                sa.update(t)
                .where(t.c.subject == row.subject, t.c.key == row.key)
                .values(created_at=row.created_at - delta)
            )


async def test_keys_are_forgotten_after_24_hours(gateway, service: Upstream, admin) -> None:
    client, runtime = gateway
    headers = {**admin, "Idempotency-Key": key()}
    await client.post("/v1/diagnostics", json={"name": "a"}, headers=headers)
    await _age(runtime, timedelta(hours=23))
    kept = await client.post("/v1/diagnostics", json={"name": "a"}, headers=headers)
    assert kept.headers["idempotent-replayed"] == "true"
    await _age(runtime, timedelta(hours=2))
    # Past the retention, not yet purged: as if never seen (another body is no longer a 422).
    fresh = await client.post("/v1/diagnostics", json={"name": "b"}, headers=headers)
    assert fresh.status_code == 201
    assert "idempotent-replayed" not in fresh.headers
    await _age(runtime, timedelta(hours=25))
    jobs = await client.get("/v1/ops/gateway/jobs", headers=admin)
    assert "idempotency-keys" in [j["name"] for j in jobs.json()["data"]]
    run = await client.post("/v1/ops/gateway/jobs/idempotency-keys/runs", headers=admin)
    assert run.status_code == 200, run.text
    assert run.json()["items"] >= 1
    async with runtime.db.session() as session:
        left = await session.execute(
            sa.select(sa.func.count()).where(
                idempotent_requests.c.key == headers["Idempotency-Key"]
            )
        )
    assert left.scalar() == 0


async def test_a_claim_left_by_a_dead_gateway_is_taken_over_after_its_lease(
    gateway, service: Upstream, admin
) -> None:
    client, runtime = gateway
    k, body = key(), b'{"name":"a"}'
    request = {
        "method": "POST",
        "path": "/v1/diagnostics",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
    }
    me = await client.get("/v1/me", headers=admin)
    async with runtime.db.session() as session:
        await session.execute(
            sa.insert(idempotent_requests).values(
                subject=f"user:{me.json()['id']}",
                key=k,
                fingerprint=request_fingerprint(request, body),
                created_at=wall_now(),
            )
        )
    headers = {**admin, "Idempotency-Key": k, "Content-Type": "application/json"}
    busy = await client.post("/v1/diagnostics", content=body, headers=headers)
    assert busy.status_code == 409, busy.text  # in flight: not run
    assert service.calls == 0
    await _age(runtime, runtime.idempotency.lease + timedelta(seconds=1))
    taken = await client.post("/v1/diagnostics", content=body, headers=headers)
    assert taken.status_code == 201
    again = await client.post("/v1/diagnostics", content=body, headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert service.calls == 1


async def test_a_request_overtaken_after_its_lease_does_not_overwrite_the_new_claim(
    gateway, service: Upstream, admin
) -> None:
    client, runtime = gateway
    headers = {**admin, "Idempotency-Key": key()}
    body = {"name": "slow", "slow": True}
    service.gates[2] = asyncio.Event()
    first = asyncio.create_task(client.post("/v1/diagnostics", json=body, headers=headers))
    await asyncio.wait_for(service.entered.wait(), 5)
    await _age(runtime, runtime.idempotency.lease + timedelta(seconds=1))  # as if stuck
    service.entered.clear()
    second = asyncio.create_task(client.post("/v1/diagnostics", json=body, headers=headers))
    await asyncio.wait_for(service.entered.wait(), 5)  # taken over: it runs
    service.release.set()
    late = await asyncio.wait_for(first, 5)
    service.gates[2].set()
    current = await asyncio.wait_for(second, 5)
    assert (late.status_code, current.status_code) == (201, 201)
    retry = await client.post("/v1/diagnostics", json=body, headers=headers)
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["id"] == current.json()["id"]  # the late one kept nothing


async def test_cors_lets_a_browser_send_and_read_the_retry_headers(client) -> None:
    preflight = await client.options(
        "/v1/diagnostics",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key, "
            "if-match, if-none-match, traceparent",
        },
    )
    assert preflight.status_code == 200, preflight.text
    allowed = {
        h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")
    }
    assert {"idempotency-key", "if-match", "if-none-match", "traceparent"} <= allowed
    answer = await client.get("/healthz", headers={"Origin": "http://localhost:5173"})
    exposed = {
        h.strip().lower() for h in answer.headers["access-control-expose-headers"].split(",")
    }
    assert {"etag", "location", "retry-after", "idempotent-replayed", "x-request-id"} <= exposed


def test_the_merged_document_declares_the_key_where_the_layer_serves_it() -> None:
    secured = {"security": [{"OAuth2PasswordBearer": []}], "responses": {"201": {}}}
    service = {
        "paths": {
            "/v1/diagnostics": {
                "post": {
                    **secured,
                    "parameters": [{"name": "Idempotency-Key", "in": "header"}],
                    "responses": {"201": {"description": "Created"}, "409": {"description": "x"}},
                },
                "get": {**secured, "responses": {"200": {"description": "ok"}}},
            },
            "/v1/diagnostics/{id}/answers": {
                "put": {
                    **secured,
                    "parameters": [{"name": "Idempotency-Key", "in": "header"}],
                    "responses": {"200": {"description": "ok"}},
                }
            },
            "/v1/registry/things": {"post": {"responses": {"201": {"description": "c"}}}},
            "/v1/public": {"post": {"responses": {"200": {"description": "ok"}}}},
        }
    }
    merged = merge({"paths": {}}, {"diagnostic": service})
    post = merged["paths"]["/v1/diagnostics"]["post"]
    assert post["parameters"] == [IDEMPOTENCY_PARAMETER]  # the service's own one replaced
    parameter = post["parameters"][0]
    assert (parameter["name"], parameter["schema"]["maxLength"]) == ("Idempotency-Key", 255)
    responses = post["responses"]
    assert {"400", "409", "422"} <= set(responses)
    assert "idempotency-key-in-flight" in responses["409"]["description"]
    assert responses["409"]["description"].startswith("x; or")
    for status in ("400", "409", "422"):
        assert "application/problem+json" in responses[status]["content"]
    assert responses["201"]["headers"]["Idempotent-Replayed"] == {
        "$ref": "#/components/headers/Idempotent-Replayed"
    }
    assert responses["201"]["headers"]["Location"] == {"$ref": "#/components/headers/Location"}
    assert "Retry-After" in responses["409"]["headers"]
    assert "Retry-After" in responses["429"]["headers"]
    for path, method, operation in shared_openapi.operations(merged):
        for response in operation["responses"].values():
            assert response["headers"]["X-Request-ID"] == {
                "$ref": "#/components/headers/X-Request-ID"
            }, (path, method)
        if path not in ("/v1/diagnostics", "/v1/diagnostics/{id}/answers") or method == "get":
            assert "parameters" not in operation or not any(
                p["name"] == "Idempotency-Key" for p in operation["parameters"]
            ), (path, method)
    # A service's own layer on a PUT: the shared parameter, 400 and 422, no 409 (it waits).
    put = merged["paths"]["/v1/diagnostics/{id}/answers"]["put"]
    assert put["parameters"] == [IDEMPOTENCY_PARAMETER]
    assert {"400", "422"} <= set(put["responses"])
    assert "409" not in put["responses"]
    assert set(merged["components"]["headers"]) >= {
        "X-Request-ID",
        "Location",
        "Retry-After",
        "Idempotent-Replayed",
    }


async def test_every_signed_in_post_of_the_platform_declares_the_key(gateway) -> None:
    """On the real merged document: every POST needing a caller has the key, no exempt one."""
    client, _ = gateway
    document = (await client.get("/v1/openapi.json")).json()
    posts = [
        (path, operation)
        for path, method, operation in shared_openapi.operations(document)
        if method == "post"
    ]
    assert posts
    for path, operation in posts:
        declared = IDEMPOTENCY_PARAMETER in operation.get("parameters", [])
        assert declared == idempotent_operation(path, "post", operation), path
        if ANONYMOUS_IDEMPOTENT.match(path):
            assert declared, path  # the public complaint form
        elif path.startswith(IDEMPOTENCY_EXEMPT) or not operation.get("security"):
            assert not declared, path
    assert "/v1/auth/token" in document["paths"]
    assert not idempotent_operation(
        "/v1/auth/token", "post", document["paths"]["/v1/auth/token"]["post"]
    )


async def test_the_gateways_relay_process_runs_the_purge(tmp_path) -> None:
    """The gateway has no worker: its relay process runs its periodic jobs (SQLite here, as the
    standalone topology keeps the gateway's database)."""
    broker = MemoryBroker()
    runtime = gateway_main.build_runtime(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}", broker_url="memory://"
        ),
        broker=broker,
    )
    await runtime.migrate()
    t = idempotent_requests
    async with runtime.db.session() as session:
        for name, age in (("old", timedelta(hours=25)), ("recent", timedelta(hours=1))):
            await session.execute(
                sa.insert(t).values(
                    subject="user:x", key=name, fingerprint="0" * 64, created_at=wall_now() - age
                )
            )

    async def keys() -> list[str]:
        async with runtime.db.session() as session:
            return list((await session.execute(sa.select(t.c.key))).scalars())

    stop = asyncio.Event()
    relay = asyncio.create_task(runtime.run_relay(stop))
    try:
        for _ in range(500):
            if await keys() == ["recent"]:
                break
            await asyncio.sleep(0.02)
        assert await keys() == ["recent"]
    finally:
        stop.set()
        await asyncio.wait_for(relay, 10)
        await runtime.close()
