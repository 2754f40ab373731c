"""The SERVER span of each request (cap_shared.serverspans): named by the route template, never
a query string, the caller's trace continued, and no work at all for a request the sampler
left out beyond passing its decision on."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from cap_shared import telemetry
from cap_shared.instrumentation import instrument_client
from cap_shared.serverspans import ServerSpanMiddleware
from cap_shared.testing.tracing import spans, tracing_on

__all__ = ["spans"]

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"


class _Echo:
    """The next hop: an ASGI app keeping the trace headers it received."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.seen.append({k: v for k, v in headers.items() if k in ("traceparent", "tracestate")})
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _app(echo: _Echo) -> Starlette:
    async def thing(request: Request) -> Response:
        async with instrument_client(
            httpx.AsyncClient(transport=httpx.ASGITransport(echo))
        ) as client:
            await client.get("http://next.example/hop")
        return JSONResponse({"id": request.path_params["thing_id"]})

    async def broken(request: Request) -> Response:
        raise RuntimeError("boom")

    app = Starlette(routes=[Route("/v1/things/{thing_id}", thing), Route("/v1/broken", broken)])
    app.add_middleware(ServerSpanMiddleware)
    return app


def _client(app: Starlette) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://cap.test")


async def test_a_request_is_a_server_span_named_by_its_route_without_the_query(
    spans: InMemorySpanExporter,
) -> None:
    echo = _Echo()
    async with _client(_app(echo)) as client:
        answer = await client.get(
            "/v1/things/42?code=secret-code",
            headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"},
        )
    assert answer.status_code == 200
    (server,) = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert server.name == "GET /v1/things/{thing_id}"
    attributes = dict(server.attributes or {})
    assert attributes == {
        "http.request.method": "GET",
        "url.scheme": "http",
        "url.path": "/v1/things/42",
        "http.route": "/v1/things/{thing_id}",
        "http.response.status_code": 200,
    }
    assert "secret-code" not in str(attributes)
    # The caller's trace goes on: its span is the parent, and the next hop's parent is ours.
    assert server.context is not None
    assert server.parent is not None
    assert format(server.context.trace_id, "032x") == TRACE_ID
    assert format(server.parent.span_id, "016x") == CALLER_SPAN
    (client_span,) = [s for s in spans.get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert client_span.parent is not None
    assert client_span.parent.span_id == server.context.span_id


async def test_a_server_error_marks_the_span_and_an_unmatched_path_is_not_a_route(
    spans: InMemorySpanExporter,
) -> None:
    async with _client(_app(_Echo())) as client:
        assert (await client.get("/v1/broken")).status_code == 500
        assert (await client.get("/v1/nowhere/123")).status_code == 404
    broken, nowhere = sorted(
        (s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER),
        key=lambda s: str((s.attributes or {})["url.path"]),
    )
    assert broken.name == "GET /v1/broken"
    assert broken.status.status_code is StatusCode.ERROR
    assert (broken.attributes or {})["error.type"] == "RuntimeError"
    # No template matched: the span is named by its method only, and has no http.route.
    assert nowhere.name == "GET"
    assert "http.route" not in (nowhere.attributes or {})
    assert nowhere.status.status_code is StatusCode.UNSET


async def test_a_request_the_sampler_left_out_records_nothing_and_passes_the_decision_on(
    spans: InMemorySpanExporter,
) -> None:
    echo = _Echo()
    async with _client(_app(echo)) as client:
        answer = await client.get(
            "/v1/things/7", headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-00"}
        )
    assert answer.status_code == 200
    assert spans.get_finished_spans() == ()
    # The next hop is told: same trace, not sampled.
    version, trace_id, _, flags = echo.seen[0]["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", TRACE_ID, "00")


@pytest.mark.parametrize(
    "traceparent",
    [
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",  # invalid trace id
        "zz-not-a-trace-parent",
        "00-" + "a" * 32 + "-" + "b" * 16 + "-01-extra",  # version 00 has four fields
        "ff-" + "a" * 32 + "-" + "b" * 16 + "-01",  # version ff is invalid
        "00-" + "a" * 32 + "-0000000000000000-01",  # invalid parent id
        "00-" + "A" * 32 + "-" + "b" * 16 + "-01",  # upper case is not hex here
    ],
)
async def test_a_malformed_traceparent_starts_a_new_trace(
    spans: InMemorySpanExporter, traceparent: str
) -> None:
    async with _client(_app(_Echo())) as client:
        answer = await client.get("/v1/things/1", headers={"traceparent": traceparent})
    assert answer.status_code == 200
    (server,) = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert server.parent is None


async def test_the_caller_s_tracestate_goes_on_to_the_next_hop(
    spans: InMemorySpanExporter,
) -> None:
    echo = _Echo()
    async with _client(_app(echo)) as client:
        await client.get(
            "/v1/things/3",
            headers={
                "traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01",
                "tracestate": "vendor=abc,other=1",
            },
        )
    assert echo.seen[0]["tracestate"] == "vendor=abc,other=1"
    assert echo.seen[0]["traceparent"].split("-")[1] == TRACE_ID


async def test_the_middleware_is_in_an_app_only_when_tracing_is_on(tmp_path: Path) -> None:
    from cap_diagnostic.main import SERVICE

    def has_it() -> bool:
        settings = SERVICE.settings()
        settings.database_url = f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}"
        runtime = SERVICE.build_runtime(settings)
        app = SERVICE.create_app(runtime, manage_runtime=False)
        return any(m.cls is ServerSpanMiddleware for m in app.user_middleware)

    assert not telemetry.enabled()
    assert not has_it()  # off: not even one check per request
    with tracing_on():
        assert has_it()
