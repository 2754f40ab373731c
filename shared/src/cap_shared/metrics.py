"""Prometheus metrics: HTTP latency, events published / consumed / dead-lettered, outbox lag."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter(
    "cap_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "cap_http_request_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_PUBLISHED = Counter(
    "cap_events_published_total", "Events confirmed by the broker", ["service"]
)
EVENTS_PUBLISH_FAILED = Counter(
    "cap_events_publish_failed_total", "Publishes not confirmed", ["service"]
)
EVENTS_CONSUMED = Counter(
    "cap_events_consumed_total",
    "Deliveries handled, by outcome (ack, retry, dead)",
    ["queue", "outcome"],
)
EVENTS_DEAD_LETTERED = Counter(
    "cap_events_dead_lettered_total", "Dead letters recorded by a service", ["service"]
)
HANDLER_SECONDS = Histogram(
    "cap_event_handler_seconds",
    "Event handler run time",
    ["queue"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30),
)
OUTBOX_PENDING = Gauge("cap_outbox_pending", "Outbox rows not yet published", ["service"])
OUTBOX_LAG_SECONDS = Gauge(
    "cap_outbox_lag_seconds", "Age of the oldest unpublished outbox row", ["service"]
)


async def metrics_endpoint(_request: Request) -> Response:
    """Prometheus text exposition of every metric of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Pure ASGI middleware counting requests and timing them per route template."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count and time the request by route template, method and status."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            HTTP_REQUESTS.labels(self.service, method, template, str(status["code"])).inc()
            HTTP_SECONDS.labels(self.service, method, template).observe(
                time.perf_counter() - started
            )
