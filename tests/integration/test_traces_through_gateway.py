"""Traces of one request through the gateway (distributed topology: every service on its own
PostgreSQL database, the gateway reaching it as over the network): the gateway's server span,
its client span to the service, the service's server span and its SQL statements, one trace."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from cap_shared.testing.tracing import spans  # noqa: F401 (fixture)
from cap_standalone.testing import Topology, distributed_topology


@pytest.fixture
async def traced(
    spans: InMemorySpanExporter,  # noqa: F811 (first: the platform is built with tracing on)
    make_database: Callable[..., Any],
) -> AsyncIterator[Topology]:
    async with distributed_topology(make_database) as topology:
        yield topology


def _parent(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def _children(finished: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    assert parent.context is not None
    return [s for s in finished if _parent(s) == parent.context.span_id]


async def test_one_request_is_one_trace_from_the_gateway_to_the_services_sql(
    traced: Topology,
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    unknown = str(uuid.uuid4())
    spans.clear()
    answer = await traced.client.get(
        f"/v1/diagnostics/{unknown}?probe=secret-value", headers=traced.admin
    )
    assert answer.status_code == 404, answer.text

    finished = list(spans.get_finished_spans())
    gateway = [
        s
        for s in finished
        if s.kind is SpanKind.SERVER
        and s.parent is None
        and (s.attributes or {}).get("url.path") == f"/v1/diagnostics/{unknown}"
    ]
    assert len(gateway) == 1, [s.name for s in finished]
    root = gateway[0]
    assert root.context is not None
    trace_id = root.context.trace_id
    assert root.resource.attributes["service.name"] == "test"
    # Named by the proxy's label (the access line's and the metrics'), not by a bare "GET".
    assert root.name == "GET proxy -> diagnostic"

    clients = [s for s in _children(finished, root) if s.kind is SpanKind.CLIENT]
    assert [s.name for s in clients] == ["GET"], [s.name for s in _children(finished, root)]
    client = clients[0]
    assert (client.attributes or {})["http.status_code"] == 404
    assert "secret-value" not in str((client.attributes or {})["http.url"])

    served = [s for s in _children(finished, client) if s.kind is SpanKind.SERVER]
    assert [s.name for s in served] == ["GET /v1/diagnostics/{diagnostic_id}"]
    service = served[0]
    assert service.context is not None
    assert service.context.trace_id == trace_id

    in_trace = [s for s in finished if s.context is not None and s.context.trace_id == trace_id]
    ids = {s.context.span_id for s in in_trace if s.context is not None}

    def under_service(span: ReadableSpan) -> bool:
        parent = _parent(span)
        while parent is not None and parent in ids:
            if service.context is not None and parent == service.context.span_id:
                return True
            parent = _parent(next(s for s in in_trace if s.context and s.context.span_id == parent))
        return False

    statements = [s for s in in_trace if "db.statement" in (s.attributes or {})]
    of_service = [s for s in statements if under_service(s)]
    assert of_service, [s.name for s in in_trace]
    assert all(s.kind is SpanKind.CLIENT for s in of_service)
    text = " ".join(str((s.attributes or {})["db.statement"]) for s in of_service)
    assert "SELECT" in text
    assert "$1" in text
    for span in statements:  # the id looked up is a parameter: in no SQL span
        assert unknown not in str(dict(span.attributes or {})), span.name
    # The query string (it may carry a code or a token): in no span of the gateway nor of the
    # service, their server spans included.
    for span in in_trace:
        assert "secret-value" not in str(dict(span.attributes or {})), span.name
        assert "secret-value" not in span.name
