"""The SERVER span of each HTTP request an app serves (gateway, services, web console).

Installed outermost, and only when tracing is on (:func:`cap_shared.telemetry.enabled`): off, the
app's stack does not have it and a request costs nothing more. On, a request carrying W3C
``traceparent``/``tracestate`` continues that trace; the sampler decides (parent-based by default),
and a request the sampler leaves out goes through with the parent's context made current (so
the calls it makes pass the decision on) and no other work.

A recorded span is named ``<METHOD> <route>`` and holds the method, the scheme, the path, the
route (``http.route``), the status and, for an answer from 500 on, ``error.type``. The route is
the one the access line and the metrics use (:func:`cap_shared.access.route_of`): the route
template, or the gateway's ``proxy -> <service>`` for what it forwards, so names never hold ids.
Never the query string (an authorization code, a token), a header or a cookie.

It replaces FastAPI's native telemetry middleware for the server span: that one builds the
span's attributes, parses the ``Host`` header and wraps ``send`` and ``receive`` even for a
request the sampler leaves out (about 45 µs a request, a third of a trivial route's CPU; see
``docs/benchmarks.md#tracing``).
"""

from __future__ import annotations

from typing import Any

from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind, StatusCode, get_current_span, set_span_in_context
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cap_shared import telemetry
from cap_shared.access import route_of

_TRACEPARENT = b"traceparent"
_TRACESTATE = b"tracestate"


class ServerSpanMiddleware:
    """Pure ASGI middleware: one SERVER span per HTTP request (add it last: outermost)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request inside its span (or its parent's context, when not sampled)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        traceparent = tracestate = None
        for key, value in scope["headers"]:
            if key == _TRACEPARENT:
                traceparent = value.decode("latin-1").strip()
            elif key == _TRACESTATE:
                tracestate = value.decode("latin-1")
        parent = telemetry.remote_parent(traceparent, tracestate) if traceparent else None
        if (
            parent is not None
            and not get_current_span(parent).get_span_context().trace_flags.sampled
            and telemetry.drops_unsampled_callers()
        ):  # nothing would be recorded: pass the caller's context (and decision) on, no more
            caller = otel_context.attach(parent)
            try:
                await self.app(scope, receive, send)
            finally:
                otel_context.detach(caller)
            return
        method = str(scope.get("method", "HTTP"))
        span = telemetry.tracer().start_span(method, context=parent, kind=SpanKind.SERVER)
        token = otel_context.attach(set_span_in_context(span, parent))
        try:
            if not span.is_recording():
                await self.app(scope, receive, send)
                return
            status = 0

            async def sending(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            error: str | None = None
            try:
                await self.app(scope, receive, sending)
            except BaseException as exc:
                error = type(exc).__qualname__
                raise
            finally:
                attributes: dict[str, Any] = {
                    "http.request.method": method,
                    "url.scheme": scope.get("scheme", "http"),
                    "url.path": scope.get("path", ""),
                }
                matched = scope.get("route") is not None
                if matched:
                    attributes["http.route"] = route_of(scope)
                if status:
                    attributes["http.response.status_code"] = status
                if error is None and (not status or status >= 500):
                    error = str(status) if status else "incomplete_response"
                if error is not None:
                    attributes["error.type"] = error
                    span.set_status(StatusCode.ERROR)
                span.set_attributes(attributes)
                if matched:  # named by its template, never by a path with ids
                    span.update_name(f"{method} {attributes['http.route']}")
                span.end()
        finally:
            otel_context.detach(token)
