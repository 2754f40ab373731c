"""Prometheus metrics of a process: HTTP (RED per route template), events, outbox, jobs,
webhooks, e-mails, the certification-body connector, rate limits, breakers and the database
pools. Served on the process's ops port (``<PREFIX>_PROBE_PORT``, :mod:`cap_shared.opsport`),
never by the public app; docs/operations.md#metrics lists them."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cap_shared.metrics.collectors import BreakerCollector, PoolCollector

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
    "Deliveries handled, by outcome (ack, retry, dead, held: parked during an outage)",
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
JOB_RUNS = Counter(
    "cap_job_runs_total",
    "Periodic job attempts, by outcome (ran, failed; skipped: another replica runs it or ran "
    "it within its interval)",
    ["service", "job", "outcome"],
)
OUTBOX_PENDING = Gauge("cap_outbox_pending", "Outbox rows not yet published", ["service"])
OUTBOX_LAG_SECONDS = Gauge(
    "cap_outbox_lag_seconds", "Age of the oldest unpublished outbox row", ["service"]
)

WEBHOOK_ATTEMPTS = Counter(
    "cap_webhook_attempts_total",
    "Webhook delivery attempts, by subscription and outcome (delivered, http_error, "
    "network_error, timeout)",
    ["service", "subscriber", "outcome"],
)
WEBHOOK_SECONDS = Histogram(
    "cap_webhook_attempt_seconds",
    "Webhook delivery attempt time",
    ["service", "subscriber"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
WEBHOOK_ABANDONED = Counter(
    "cap_webhook_abandoned_total",
    "Webhook deliveries given up after their last attempt",
    ["service", "subscriber"],
)
EMAILS = Counter(
    "cap_emails_total",
    "E-mails handled, by outcome (sent, deferred, failed)",
    ["service", "outcome"],
)
CONNECTOR_CALLS = Counter(
    "cap_connector_calls_total",
    "Calls to a certification body's system, by outcome (ok, error; rejected: breaker open)",
    ["body", "outcome"],
)
CONNECTOR_SECONDS = Histogram(
    "cap_connector_call_seconds",
    "Certification body call time",
    ["body"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
JOB_LAST_SUCCESS = Gauge(
    "cap_job_last_success_timestamp_seconds",
    "When the job last succeeded in this process (unix seconds, service clock)",
    ["service", "job"],
)
JOB_SECONDS = Histogram(
    "cap_job_duration_seconds",
    "Periodic job run time (runs that ran, succeeded or failed)",
    ["service", "job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)
RATE_LIMIT_REFUSALS = Counter(
    "cap_rate_limit_refusals_total", "Requests refused by a rate limit", ["service", "limit"]
)
EVENT_CONSUMERS = Gauge("cap_event_consumers", "Consumers this process has on the queue", ["queue"])
EVENT_CONSUMERS_RESTORED = Counter(
    "cap_event_consumers_restored_total",
    "Consumers found without their channel or subscription once the broker connection was up "
    "again, and subscribed again by the broker's watchdog",
    ["queue"],
)
BROKER_PUBLISHER_RESTORED = Counter(
    "cap_broker_publisher_restored_total",
    "Publishing channels found closed once the broker connection was up again, and reopened "
    "with their exchanges by the broker's watchdog",
)
DEAD_LETTERS_PENDING = Gauge(
    "cap_dead_letters_pending", "Stored dead letters not replayed", ["service"]
)

#: Read at scrape time: each service's database pool, each breaker's state.
POOLS = PoolCollector()
BREAKERS = BreakerCollector()
REGISTRY.register(POOLS)
REGISTRY.register(BREAKERS)


async def metrics_endpoint(_request: Request) -> Response:
    """Prometheus text exposition of every metric of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Pure ASGI middleware counting requests and timing them per route template.

    The labelled children are looked up once per (method, route, status) and kept: a lookup
    validates and joins the labels under the metric's lock, on every request otherwise. The
    keys are the metric's own label values, so the cache is as bounded as the metric is."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def _children_of(self, method: str, template: str, status: int) -> tuple[Any, Any]:
        key = (method, template, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                HTTP_REQUESTS.labels(self.service, method, template, str(status)),
                HTTP_SECONDS.labels(self.service, method, template),
            )
        return children

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
            requests, seconds = self._children_of(
                scope.get("method", "GET"), template, status["code"]
            )
            requests.inc()
            seconds.observe(time.perf_counter() - started)
