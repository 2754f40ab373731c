"""The platform's per-request work in one middleware (cap_shared.httpstack): the same answers,
access lines, metrics and bound context as the seven nested middlewares it replaces."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import REGISTRY

from cap_shared import clock as clocks
from cap_shared.access import AccessLogMiddleware
from cap_shared.clock import Clock, ClockMiddleware
from cap_shared.conditional import ConditionalGetMiddleware
from cap_shared.correlation import REQUEST_ID_HEADER, RequestIdMiddleware, current_request_id
from cap_shared.db.rowsecurity import RowScopeMiddleware, in_request
from cap_shared.httpstack import PlatformMiddleware, new_request_id
from cap_shared.metrics import MetricsMiddleware
from cap_shared.problems import (
    NotFound,
    ProblemLanguageMiddleware,
    current_language,
    install_problem_handlers,
)

HEX = re.compile(r"^[0-9a-f]{32}$")
#: A service clock 400 days ahead of the wall clock.
FIXED = Clock(timedelta(days=400))


def days_ahead() -> int:
    """How far the running code's clock is from the wall clock, in days."""
    return round((clocks.now() - clocks.wall_now()).total_seconds() / 86400)


def application(service: str, install: Callable[[FastAPI, str], None]) -> FastAPI:
    """A toy app with every kind of answer the stack treats differently."""
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/json")
    async def plain_json() -> dict[str, Any]:
        return {"b": 1, "a": [1.5, "é"]}

    @app.get("/context")
    async def context(request: Request) -> dict[str, Any]:
        return {
            "language": current_language(),
            "ahead": days_ahead(),
            "in_request": in_request(),
            "id_header": request.headers.get(REQUEST_ID_HEADER),
            "id": current_request_id(),
        }

    @app.get("/tagged")
    async def tagged() -> Response:
        return Response(b"pdf", media_type="application/pdf", headers={"ETag": '"t1"'})

    @app.get("/missing/{thing}")
    async def missing(thing: str) -> None:
        raise NotFound("no such thing", detail_fr="rien de tel")

    @app.post("/json")
    async def posted() -> JSONResponse:
        return JSONResponse({"ok": True}, status_code=201)

    @app.get("/slow")
    async def slow() -> None:
        await asyncio.sleep(10)

    install(app, service)
    return app


def nested(app: FastAPI, service: str) -> None:
    """The middlewares create_service_app installed before, innermost first."""
    app.add_middleware(ConditionalGetMiddleware)
    app.add_middleware(ClockMiddleware, clock=FIXED)
    app.add_middleware(RowScopeMiddleware)
    app.add_middleware(MetricsMiddleware, service=service)
    app.add_middleware(AccessLogMiddleware, service=service)
    app.add_middleware(ProblemLanguageMiddleware)
    app.add_middleware(RequestIdMiddleware)


def merged(app: FastAPI, service: str) -> None:
    app.add_middleware(PlatformMiddleware, service=service, clock=FIXED)


REQUESTS: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/json", {}),
    ("GET", "/json", {"If-None-Match": '"nope", W/"x"'}),
    ("GET", "/context", {"Accept-Language": "fr-CA;q=0.9, en;q=0.8"}),
    ("GET", "/context", {"Accept-Language": "de", REQUEST_ID_HEADER: "not a uuid"}),
    ("GET", "/context", {REQUEST_ID_HEADER: "0" * 32}),
    ("GET", "/tagged", {}),
    ("GET", "/tagged", {"If-None-Match": '"t1"'}),
    ("GET", "/missing/x", {"Accept-Language": "fr"}),
    ("GET", "/nowhere", {}),
    ("POST", "/json", {}),
    ("HEAD", "/json", {}),
]


def comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], Any]:
    """The answer, its request id replaced by whether it is the one the body saw."""
    headers = [(k, "<id>" if k == "x-request-id" else v) for k, v in response.headers.multi_items()]
    try:
        body = response.json()
    except ValueError:
        body = response.content
    if isinstance(body, dict) and "request_id" in body:  # a problem names the request
        assert body.pop("request_id") == response.headers[REQUEST_ID_HEADER]
    if isinstance(body, dict) and "id" in body:
        assert body["id"] == body["id_header"] == response.headers[REQUEST_ID_HEADER]
        body = {k: v for k, v in body.items() if k not in ("id", "id_header")}
        headers = [(k, "<tag of a body with the id>" if k == "etag" else v) for k, v in headers]
    return response.status_code, headers, body


def samples(service: str) -> dict[tuple[str, str, str], float]:
    counted = {}
    for metric in REGISTRY.collect():
        if metric.name == "cap_http_requests":
            for s in metric.samples:
                if s.labels.get("service") == service and s.name.endswith("_total"):
                    key = (s.labels["method"], s.labels["route"], s.labels["status"])
                    counted[key] = s.value
    return counted


async def test_the_same_answers_lines_and_metrics_as_the_nested_middlewares(
    caplog: pytest.LogCaptureFixture,
) -> None:
    results = {}
    for name, install in (("nested", nested), ("merged", merged)):
        service = f"stack-{name}-{uuid.uuid4().hex[:6]}"
        app = application(service, install)
        caplog.clear()
        answers = []
        with caplog.at_level(logging.DEBUG, logger="cap.access"):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
                for method, path, headers in REQUESTS:
                    answers.append(comparable(await client.request(method, path, headers=headers)))
        lines = [
            (r.levelname, r.getMessage().rsplit(" ", 1)[0], r.route, r.status, r.caller)  # type: ignore[attr-defined]
            for r in caplog.records
            if r.name == "cap.access"
        ]
        results[name] = (answers, lines, sorted(samples(service).items()))
    assert results["merged"] == results["nested"]
    answers, lines, counted = results["merged"]
    assert answers[1][0] == 200
    assert ("etag", answers[0][1][-2][1]) in answers[0][1]
    assert answers[6][0] == 304  # the route's own tag matched
    assert answers[2][2] == {"language": "fr", "ahead": 400, "in_request": True}
    assert answers[7][2]["detail"] == "rien de tel"
    assert len(lines) == len(REQUESTS)
    assert (("GET", "/tagged", "304"), 1.0) in counted


async def test_a_request_id_sent_back_and_bound_inside() -> None:
    app = application("stack-ids", merged)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        fresh = await client.get("/context")
        given = str(uuid.uuid4())
        kept = await client.get("/context", headers={REQUEST_ID_HEADER: given})
        replaced = await client.get("/context", headers={REQUEST_ID_HEADER: "x" * 40})
    assert HEX.match(fresh.headers[REQUEST_ID_HEADER])
    assert fresh.json()["id"] == fresh.headers[REQUEST_ID_HEADER]
    assert kept.headers.get_list(REQUEST_ID_HEADER) == [given] == [kept.json()["id"]]
    assert HEX.match(replaced.json()["id"])
    assert replaced.json()["id_header"] == replaced.json()["id"]


def test_new_request_ids_are_distinct_version_4_uuids() -> None:
    ids = [new_request_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids[:300]:
        assert HEX.match(value)
        assert uuid.UUID(value).version == 4
        assert uuid.UUID(value).variant == uuid.RFC_4122


async def test_a_client_gone_is_logged_499_and_counted_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = f"stack-gone-{uuid.uuid4().hex[:6]}"
    app = application(service, merged)
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(30)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/slow",
        "raw_path": b"/slow",
        "query_string": b"",
        "root_path": "",
        "headers": [],
        "client": ("127.0.0.1", 1),
        "server": ("x", 80),
    }
    with caplog.at_level(logging.INFO, logger="cap.access"):
        task = asyncio.create_task(app(scope, receive, send))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    (line,) = [r for r in caplog.records if r.name == "cap.access"]
    assert line.status == 499  # type: ignore[attr-defined]
    assert samples(service) == {("GET", "/slow", "500"): 1.0}
    assert not messages


async def test_lifespan_runs_on_the_service_clock() -> None:
    seen: list[int] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(days_ahead())

    await PlatformMiddleware(inner, service="stack-life", clock=FIXED)(
        {"type": "lifespan"}, None, None
    )
    assert seen == [400]
    assert days_ahead() == 0  # reset after


def test_json_tag_without_the_encoder_walk_is_the_same() -> None:
    from cap_shared.conditional import _etag_of_json, etag_of

    for value in ({"b": [1, 2.5, None, True], "a": "é\u2028"}, [], "x", 3, {"z": {"y": {}}}):
        assert _etag_of_json(json.dumps(value).encode()) == etag_of(value)
    with pytest.raises(ValueError):
        _etag_of_json(b"NaN")


def test_request_ids_drawn_from_threads_at_once_are_distinct() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda _: new_request_id(), range(20_000)))
    assert len(set(ids)) == len(ids)
