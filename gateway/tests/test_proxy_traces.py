"""The proxy and traces: off, a caller's ``traceparent`` passes on untouched and nothing is
recorded; on, the proxy's client span is the upstream's parent, over the network (the proxy's
own HTTP client) and in-process (the ASGI transport) alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cap_shared import telemetry
from cap_shared.opsport import EmbeddedServer
from cap_shared.testing.messaging import wait_until
from cap_shared.testing.net import free_port
from cap_shared.testing.tracing import spans

__all__ = ["spans"]

#: A browser's span (an instrumented front-end): trace 4bf9..., span 00f0...
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"


async def echo(request: Request) -> JSONResponse:
    """The trace headers the upstream received."""
    seen = {k: v for k, v in request.headers.items() if k in ("traceparent", "tracestate")}
    return JSONResponse(seen, status_code=404 if "missing" in request.url.path else 200)


upstream = Starlette(routes=[Route("/{path:path}", echo)])


@pytest.fixture
async def network_upstream() -> AsyncIterator[str]:
    """The upstream served over real TCP (the gateway's own HTTP client)."""
    port = free_port()
    server = EmbeddedServer(
        uvicorn.Config(upstream, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, message="the upstream server started")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_off_the_caller_s_trace_passes_on_untouched(gateway_factory) -> None:
    assert not telemetry.enabled()
    client, _ = await gateway_factory(transports={"diagnostic": httpx.ASGITransport(app=upstream)})
    answer = await client.get("/v1/diagnostics/x", headers={"traceparent": CALLER})
    assert answer.json() == {"traceparent": CALLER}
    bare = await client.get("/v1/diagnostics/x")
    assert bare.json() == {}  # the gateway adds none


@pytest.mark.parametrize("path", ["network", "in-process"])
async def test_on_the_proxy_s_client_span_is_the_upstream_s_parent(
    spans: InMemorySpanExporter, gateway_factory, network_upstream: str, path: str
) -> None:
    if path == "network":
        client, _ = await gateway_factory(diagnostic_url=network_upstream)
    else:
        client, _ = await gateway_factory(
            transports={"diagnostic": httpx.ASGITransport(app=upstream)}
        )
    answer = await client.get(
        "/v1/diagnostics/missing?code=s3cret",
        headers={"traceparent": CALLER, "tracestate": "vendor=1"},
    )
    assert answer.status_code == 404
    sent = answer.json()["traceparent"]

    finished = spans.get_finished_spans()
    (server,) = [s for s in finished if s.kind is SpanKind.SERVER]
    (proxy,) = [s for s in finished if s.kind is SpanKind.CLIENT and s.name == "GET"]
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == "00f067aa0ba902b7"
    assert server.context is not None
    assert proxy.context is not None
    assert format(server.context.trace_id, "032x") == CALLER_TRACE
    assert proxy.parent is not None
    assert proxy.parent.span_id == server.context.span_id
    assert sent == f"00-{CALLER_TRACE}-{format(proxy.context.span_id, '016x')}-01"
    attributes = dict(proxy.attributes or {})
    assert attributes["http.status_code"] == 404
    assert str(attributes["http.url"]).endswith("/v1/diagnostics/missing")  # no query string
    assert proxy.status.status_code is StatusCode.ERROR
    # The gateway's own span is named as its access line and metrics name a proxied path (one
    # name per service, no id in it), and holds no query string either.
    assert server.name == "GET proxy -> diagnostic"
    assert dict(server.attributes or {})["http.route"] == "proxy -> diagnostic"
    assert "s3cret" not in str(dict(server.attributes or {}))


async def test_a_request_the_sampler_left_out_makes_no_span_and_tells_the_service(
    spans: InMemorySpanExporter, gateway_factory
) -> None:
    client, _ = await gateway_factory(transports={"diagnostic": httpx.ASGITransport(app=upstream)})
    unsampled = f"00-{CALLER_TRACE}-00f067aa0ba902b7-00"
    answer = await client.get("/v1/diagnostics/x", headers={"traceparent": unsampled})
    assert answer.status_code == 200
    assert spans.get_finished_spans() == ()
    version, trace_id, _, flags = answer.json()["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", CALLER_TRACE, "00")


async def test_every_proxied_path_s_server_span_is_named_by_its_service_s_label(
    spans: InMemorySpanExporter, gateway_factory
) -> None:
    """The proxy routes outside FastAPI's router: its server span is named by the label the
    access line and the metrics use (one per service, any method, operator routes too), never
    by the path and its ids; the gateway's own routes keep their template."""
    client, _ = await gateway_factory(transports={"diagnostic": httpx.ASGITransport(app=upstream)})
    for path in ("/v1/diagnostics/d-1", "/v1/actions/a-2/steps", "/v1/ops/diagnostic/jobs"):
        assert (await client.get(path)).status_code == 200
    assert (await client.post("/v1/diagnostics/d-3", json={})).status_code == 405  # upstream's
    assert (await client.get("/healthz")).status_code == 200  # the gateway's own route

    servers = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert [(s.name, (s.attributes or {}).get("http.route")) for s in servers] == [
        ("GET proxy -> diagnostic", "proxy -> diagnostic"),
        ("GET proxy -> diagnostic", "proxy -> diagnostic"),
        ("GET proxy -> diagnostic", "proxy -> diagnostic"),
        ("POST proxy -> diagnostic", "proxy -> diagnostic"),
        ("GET /healthz", "/healthz"),
    ]
    assert [(s.attributes or {}).get("url.path") for s in servers][:2] == [
        "/v1/diagnostics/d-1",
        "/v1/actions/a-2/steps",
    ]


@pytest.mark.parametrize("path", ["/v1/diagnostics/x", "/healthz"])
async def test_no_span_holds_the_query_string(
    spans: InMemorySpanExporter, gateway_factory, path: str
) -> None:
    """``?code=...`` (an authorization code), ``?token=...``, a bare secret: in no attribute nor
    name of the gateway's server span or of the proxy's client span."""
    client, _ = await gateway_factory(transports={"diagnostic": httpx.ASGITransport(app=upstream)})
    answer = await client.get(f"{path}?code=secret-code&token=secret-token&secret-bare")
    assert answer.status_code == 200

    finished = spans.get_finished_spans()
    (server,) = [s for s in finished if s.kind is SpanKind.SERVER]
    assert (server.attributes or {})["url.path"] == path
    for span in finished:
        assert "secret" not in span.name
        for key, value in (span.attributes or {}).items():
            assert "secret" not in str(value), (span.name, key, value)
