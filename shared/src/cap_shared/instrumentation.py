"""Spans of the platform's outgoing calls: HTTP (httpx clients, the gateway's proxy), SQL (each
:class:`~cap_shared.db.session.Database` engine) and SMTP. Server spans: :mod:`cap_shared.serverspans`.

Everything goes through this process's provider (:func:`cap_shared.telemetry.provider`), never
OpenTelemetry's global one, and only when tracing is on: off, each function here returns after
one test and the clients, engines and senders are exactly what they were. What a span never
holds: a query string (it may carry a secret: client spans keep scheme, host and path), SQL
parameter values (a DB span has the statement with its placeholders), an e-mail address.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, MutableSequence, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TypeVar

import httpx
from opentelemetry.context import Context
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor, RequestInfo
from opentelemetry.instrumentation.utils import http_status_to_status_code
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.trace import (
    Link,
    Span,
    SpanKind,
    Status,
    StatusCode,
    Tracer,
    get_current_span,
)
from opentelemetry.util.types import AttributeValue
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from cap_shared import telemetry

#: The instrumentations' own metrics are not wanted (Prometheus, cap_shared.metrics, has ours):
#: they get a meter that does nothing rather than OpenTelemetry's global one.
_NO_METRICS = NoOpMeterProvider()
#: The instrumentation scope of the SQL statement spans.
_SQL_SCOPE = "cap.sql"
_TRACE_HEADERS = frozenset({"traceparent", "tracestate"})
C = TypeVar("C", bound=httpx.AsyncClient)


def _without_query(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


async def _no_query_in_span(span: Span, request: RequestInfo) -> None:
    """httpx's request hook (async: an AsyncClient's): the span's URL without its query
    string (tokens, codes...)."""
    del request
    attributes: Any = getattr(span, "attributes", None) or {}
    for key in ("http.url", "url.full"):
        value = attributes.get(key)
        if isinstance(value, str) and "?" in value:
            span.set_attribute(key, _without_query(value))


def instrument_client(client: C) -> C:
    """``client`` with a CLIENT span per request and ``traceparent`` sent (when tracing is
    on; else untouched). Call it on every client the platform creates."""
    provider = telemetry.provider()
    if provider is not None:
        HTTPXClientInstrumentor.instrument_client(
            client,
            tracer_provider=provider,
            meter_provider=_NO_METRICS,
            request_hook=_no_query_in_span,
        )
    return client


class _StatementSpans:
    """A CLIENT span per statement run on one engine, only inside a recorded span: outside any
    span (a relay's or a worker's polling queries, start-up) no trace is started, so idle loops
    leave nothing to export; inside a request the sampler left out, nothing at all is done but
    one check. Named ``<first word> <database>`` (``SELECT cap_diagnostic``), with the
    statement as written (placeholders, never values) in ``db.statement``.

    Our own listeners rather than opentelemetry-instrumentation-sqlalchemy's ``EngineTracer``:
    that one parses the engine URL, looks the database name up and starts a span for every
    statement before asking whether it records, and counts pool check-outs, on every query of
    every process, sampled or not.
    """

    def __init__(self, engine: AsyncEngine, tracer: Tracer) -> None:
        sync = engine.sync_engine
        url = sync.url
        self.tracer = tracer
        self.database = url.database or ""
        self.attributes: dict[str, Any] = {"db.system": sync.dialect.name}
        if url.database:
            self.attributes["db.name"] = url.database
        if url.host:
            self.attributes["server.address"] = url.host
        if url.port:
            self.attributes["server.port"] = url.port
        event.listen(sync, "before_cursor_execute", self.before)
        event.listen(sync, "after_cursor_execute", self.after)
        event.listen(sync, "handle_error", self.failed)

    def before(
        self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        """Start the statement's span (when the current span records)."""
        del conn, cursor, params, many
        if not get_current_span().is_recording():
            return
        words = statement.split(None, 1)
        name = f"{words[0].upper() if words else 'SQL'} {self.database}".rstrip()
        context._cap_span = self.tracer.start_span(
            name,
            kind=SpanKind.CLIENT,
            attributes={**self.attributes, "db.statement": statement},
        )

    def after(
        self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        """End the statement's span."""
        del conn, cursor, statement, params, many
        span = getattr(context, "_cap_span", None)
        if span is not None:
            context._cap_span = None
            span.end()

    def failed(self, exception_context: Any) -> None:
        """A failed statement: its span ends as an error, marked by the error's type only (a
        database's message may quote a value)."""
        context = exception_context.execution_context
        span = getattr(context, "_cap_span", None)
        if span is not None:
            context._cap_span = None
            span.set_attribute("error.type", type(exception_context.original_exception).__name__)
            span.set_status(Status(StatusCode.ERROR))
            span.end()


def instrument_engine(engine: AsyncEngine) -> None:
    """A CLIENT span per SQL statement run on ``engine`` inside a recorded span (when tracing
    is on): the statement with its placeholders, never the parameters' values, no SQL comment
    added (:class:`_StatementSpans`)."""
    provider = telemetry.provider()
    if provider is None:
        return
    _StatementSpans(engine, provider.get_tracer(_SQL_SCOPE))


@asynccontextmanager
async def client_span(
    method: str, url: str, headers: MutableSequence[tuple[str, str]]
) -> AsyncIterator[Span]:
    """A CLIENT span named like httpx's (``GET``) around one request sent by other means (the
    gateway's proxy): ``traceparent``/``tracestate`` in ``headers`` replaced by this span's.
    Set the answer with :func:`set_status`. Call it only when tracing is on.

    In a request the sampler left out, no span is made: the current context (its decision
    included) is passed on as it is."""
    headers[:] = [(k, v) for k, v in headers if k.lower() not in _TRACE_HEADERS]
    current = get_current_span()
    if not current.is_recording():
        carrier: dict[str, str] = {}
        telemetry.inject(carrier)
        headers.extend(carrier.items())
        yield current
        return
    attributes = {"http.method": method, "http.url": _without_query(url)}
    with telemetry.tracer().start_as_current_span(
        method, kind=SpanKind.CLIENT, attributes=attributes
    ) as span:
        carrier = {}
        telemetry.inject(carrier)
        headers.extend(carrier.items())
        yield span


def set_status(span: Span, status: int) -> None:
    """The answer's status on a client span (an error from 400 on, as httpx's spans)."""
    span.set_attribute("http.status_code", status)
    code = http_status_to_status_code(status)
    if code is StatusCode.ERROR:
        span.set_status(Status(code))


@contextmanager
def failure_by_type(
    name: str,
    *,
    kind: SpanKind,
    attributes: Mapping[str, AttributeValue],
    context: Context | None = None,
    links: Sequence[Link] = (),
) -> Iterator[Span]:
    """A span ``name``, current while the block runs, whose failure is marked by the error's
    type only (``error.type``, an error status), never its message: a mail server's reply or
    an exception's text may quote an address."""
    with telemetry.tracer().start_as_current_span(
        name,
        context=context,
        kind=kind,
        links=links,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as exc:
            span.set_attribute("error.type", type(exc).__name__)
            span.set_status(Status(StatusCode.ERROR))
            raise


@asynccontextmanager
async def smtp_span(host: str, port: int) -> AsyncIterator[Span]:
    """The "smtp send" CLIENT span around handing one message to the mail server (when tracing
    is off: OpenTelemetry's non-recording span, no work). A failure is marked by its type only:
    an SMTP server's reply may quote the recipient's address."""
    attributes: dict[str, AttributeValue] = {"server.address": host, "server.port": port}
    with failure_by_type("smtp send", kind=SpanKind.CLIENT, attributes=attributes) as span:
        yield span
