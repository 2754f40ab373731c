"""Client spans of httpx clients and SQL statements: recorded and propagated when tracing is
on, the clients and engines untouched when it is off."""

from __future__ import annotations

from pathlib import Path

import httpx
import sqlalchemy as sa
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from starlette.types import Receive, Scope, Send

from cap_shared import telemetry
from cap_shared.db.session import Database
from cap_shared.instrumentation import instrument_client
from cap_shared.testing.tracing import spans

__all__ = ["spans"]


class _Echo:
    """An ASGI app answering with the trace headers it received."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.seen.append({k: v for k, v in headers.items() if k in ("traceparent", "tracestate")})
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def test_off_a_client_sends_no_trace_header_and_records_nothing() -> None:
    assert not telemetry.enabled()
    echo = _Echo()
    client = instrument_client(httpx.AsyncClient(transport=httpx.ASGITransport(echo)))
    async with client:
        await client.get("http://body.example/x")
    assert echo.seen == [{}]
    assert not getattr(client, "_is_instrumented_by_opentelemetry", False)


async def test_on_a_client_span_is_the_callee_s_parent(spans: InMemorySpanExporter) -> None:
    echo = _Echo()
    client = instrument_client(httpx.AsyncClient(transport=httpx.ASGITransport(echo)))
    async with client:
        with telemetry.tracer().start_as_current_span("job deliver") as job:
            await client.get("http://body.example/callback?token=s3cret")
    (span,) = [s for s in spans.get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert span.parent is not None
    assert span.parent.span_id == job.get_span_context().span_id
    assert span.context is not None
    _, trace_id, span_id, _ = echo.seen[0]["traceparent"].split("-")
    assert (int(trace_id, 16), int(span_id, 16)) == (span.context.trace_id, span.context.span_id)
    assert dict(span.attributes or {})["http.url"] == "http://body.example/callback"


async def test_sql_statements_are_spans_without_their_values(
    tmp_path: Path, spans: InMemorySpanExporter
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'traced.db'}")
    try:
        async with db.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))  # outside any trace (a polling loop): none
            assert spans.get_finished_spans() == ()
            with telemetry.tracer().start_as_current_span("GET /things") as request:
                await conn.execute(sa.text("SELECT :secret AS value"), {"secret": "hunter2-value"})
    finally:
        await db.dispose()
    statements = [s for s in spans.get_finished_spans() if "db.statement" in (s.attributes or {})]
    assert statements
    assert all(s.kind is SpanKind.CLIENT for s in statements)
    assert all(
        s.parent is not None and s.parent.span_id == request.get_span_context().span_id
        for s in statements
    )
    assert any("SELECT" in str(dict(s.attributes or {})["db.statement"]) for s in statements)
    assert "hunter2-value" not in str([dict(s.attributes or {}) for s in statements])


async def test_an_engine_made_while_off_stays_untraced(
    tmp_path: Path, spans: InMemorySpanExporter
) -> None:
    previous = telemetry.provider()
    telemetry.install(None)
    try:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'plain.db'}")
    finally:
        telemetry.install(previous)
    try:
        async with db.engine.connect() as conn:
            with telemetry.tracer().start_as_current_span("GET /things"):
                await conn.execute(sa.text("SELECT 1"))
    finally:
        await db.dispose()
    assert [s.name for s in spans.get_finished_spans()] == ["GET /things"]
