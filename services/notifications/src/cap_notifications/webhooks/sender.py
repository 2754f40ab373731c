"""Sending the due webhook deliveries: signed POSTs, bounded, never following redirects, one
subscription's deliveries in order, subscriptions concurrently; every attempt logged."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from cryptography.fernet import InvalidToken
from opentelemetry.trace import Status, StatusCode
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks.webhooks import Webhook

from cap_notifications import tracing
from cap_notifications.config import Settings
from cap_notifications.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from cap_notifications.webhooks import service
from cap_notifications.webhooks.breakers import breaker, open_ones
from cap_notifications.webhooks.repository import DeliveryRepository, SubscriptionRepository
from cap_notifications.webhooks.rules import RETRY_AFTER_MAX_S, THROTTLED, Outcome, schedule
from cap_shared import metrics, telemetry
from cap_shared.clock import wall_now
from cap_shared.egress import ForbiddenDestination, check_destination
from cap_shared.instrumentation import instrument_client
from cap_shared.secrets import secret_box
from cap_shared.tls import client_context

logger = logging.getLogger(__name__)

#: The ``service`` label of this sender's metrics.
SERVICE = "notifications"
#: Subscriptions called at the same time by one run of the job.
MAX_CONCURRENCY = 10
#: How much of a failed answer's body is kept in the log.
ERROR_BODY_CHARS = 300


@dataclass(frozen=True)
class _Call:
    """What one attempt sends, read from the database before any connection is made."""

    delivery_id: str
    subscription_id: str
    url: str
    payload: str
    #: The decrypted ``whsec_`` secret, or None when it cannot be decrypted.
    secret: str | None
    event_type: str = ""
    #: This attempt's number (1 the first time).
    attempt: int = 1
    #: The W3C context of the span that queued the delivery (tracing on).
    traceparent: str | None = None
    tracestate: str | None = None


def make_client(settings: Settings) -> httpx.AsyncClient:
    """The HTTP client of one run: bounded by the timeout, never following redirects."""
    return instrument_client(
        httpx.AsyncClient(
            timeout=httpx.Timeout(settings.webhook_timeout_s),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=MAX_CONCURRENCY * 2),
            verify=client_context(),
        )
    )


async def send_due(
    session: AsyncSession,
    now: datetime,
    settings: Settings,
    *,
    client: httpx.AsyncClient | None = None,
    limit: int = 100,
) -> int:
    """Send the deliveries due at ``now`` (the periodic job's body); how many attempts were made."""
    deliveries = DeliveryRepository(session)
    # The due deliveries of active subscriptions whose breaker lets calls through, locked.
    due = await deliveries.lock_due(now, limit=limit, skipped=open_ones())
    if not due:
        return 0
    subscriptions = await SubscriptionRepository(session).by_id(d.subscription_id for d in due)
    box = secret_box(settings.secret_encryption_key)
    queues: dict[str, list[_Call]] = {}
    for delivery in due:
        subscription = subscriptions[delivery.subscription_id]
        try:
            secret: str | None = box.decrypt(subscription.secret.encode()).decode()
        except InvalidToken:
            secret = None
        queues.setdefault(subscription.id, []).append(
            _Call(
                delivery.id,
                subscription.id,
                subscription.url,
                delivery.payload,
                secret,
                delivery.event_type,
                delivery.attempts + 1,
                delivery.traceparent,
                delivery.tracestate,
            )
        )

    own_client = client is None
    http = client or make_client(settings)
    gate = asyncio.Semaphore(MAX_CONCURRENCY)
    try:
        results = await asyncio.gather(
            *(_send_queue(http, calls, settings, gate) for calls in queues.values())
        )
    finally:
        if own_client:
            await http.aclose()

    by_id = {d.id: d for d in due}
    attempted = 0
    for outcomes in results:
        for call, outcome in outcomes:
            attempted += 1
            delivery = by_id[call.delivery_id]
            await _record(
                session, delivery, subscriptions[call.subscription_id], outcome, now, settings
            )
    await deliveries.flush()
    return attempted


async def _send_queue(
    client: httpx.AsyncClient,
    calls: list[_Call],
    settings: Settings,
    gate: asyncio.Semaphore,
) -> list[tuple[_Call, Outcome]]:
    """One subscription's due deliveries, in order, until one shows the receiver is unwell."""
    done: list[tuple[_Call, Outcome]] = []
    async with gate:
        for call in calls:
            guard = breaker(call.subscription_id)
            if not guard.allow():
                break
            if telemetry.enabled():
                outcome = await _traced_post(client, call, settings)
            else:
                outcome = await _post(client, call, settings)
            metrics.WEBHOOK_ATTEMPTS.labels(SERVICE, call.subscription_id, outcome.kind).inc()
            metrics.WEBHOOK_SECONDS.labels(SERVICE, call.subscription_id).observe(
                outcome.latency_ms / 1000
            )
            if outcome.delivered:
                guard.success()
            elif outcome.counts_as_failure:
                guard.failure()
            elif guard.state != "closed":
                guard.success()  # an answer, even a refusal: the half-open trial is over
            done.append((call, outcome))
            if outcome.stops_the_run:
                break
    return done


async def _traced_post(client: httpx.AsyncClient, call: _Call, settings: Settings) -> Outcome:
    """Tracing on: :func:`_post` in the span ``webhook deliver``, in the trace of the span that
    queued the delivery (the POST's client span a child); attributes name no URL."""
    with tracing.resumed(
        "webhook deliver",
        traceparent=call.traceparent,
        tracestate=call.tracestate,
        attributes={
            "cap.webhook.delivery_id": call.delivery_id,
            "cap.webhook.subscription_id": call.subscription_id,
            "cap.event.type": call.event_type,
            "cap.attempt": call.attempt,
        },
    ) as span:
        outcome = await _post(client, call, settings)
        span.set_attribute("cap.webhook.outcome", outcome.kind)
        if outcome.status_code is not None:
            span.set_attribute("http.response.status_code", outcome.status_code)
        if not outcome.delivered:
            span.set_status(Status(StatusCode.ERROR))
        return outcome


async def _post(client: httpx.AsyncClient, call: _Call, settings: Settings) -> Outcome:
    """One attempt: the destination check, then the signed POST (no redirects, bounded)."""
    started = time.perf_counter()

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1000)

    timeout = settings.webhook_timeout_s
    try:
        async with asyncio.timeout(timeout):
            await check_destination(call.url, allow_private=settings.webhook_allow_private)
    except TimeoutError:
        return Outcome(
            elapsed(),
            error=f"name resolution took over {timeout:g} s",
            unreachable=True,
            timed_out=True,
        )
    except ForbiddenDestination as exc:
        if isinstance(exc.__cause__, socket.gaierror):  # DNS failure: perhaps temporary
            return Outcome(elapsed(), error=str(exc), unreachable=True)
        return Outcome(elapsed(), error=f"destination refused: {exc}", forbidden=True)
    if call.secret is None:
        return Outcome(
            elapsed(),
            error="the signing secret cannot be decrypted (secret_encryption_key changed?)",
            unreachable=True,
        )
    # The receiver checks the timestamp against its own clock (5 minutes' tolerance): it is the
    # real time of this attempt, not the (possibly shifted) time business rules reason with.
    sent_at = wall_now()
    headers = {
        "content-type": "application/json",
        "user-agent": "cap-notifications-webhooks/1",
        "webhook-id": call.delivery_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(call.secret).sign(call.delivery_id, sent_at, call.payload),
    }
    try:
        async with asyncio.timeout(timeout):
            request = client.build_request(
                "POST", call.url, content=call.payload.encode(), headers=headers
            )
            response = await client.send(request, stream=True)
            try:
                status = response.status_code
                if 200 <= status < 300:
                    return Outcome(elapsed(), status_code=status)
                text = await _start_of(response)
            finally:
                await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        return Outcome(
            elapsed(), error=f"no answer within {timeout:g} s", unreachable=True, timed_out=True
        )
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        return Outcome(elapsed(), error=f"{type(exc).__name__}: {exc}"[:1000], unreachable=True)
    return Outcome(
        elapsed(),
        status_code=status,
        error=_describe(response, text),
        retry_after=_retry_after(response) if status in THROTTLED else None,
    )


async def _start_of(response: httpx.Response) -> str:
    """The first bytes of a failed answer's body (kept for the log), never the whole of it."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= ERROR_BODY_CHARS * 4:
            break
    return b"".join(chunks).decode("utf-8", "replace")[:ERROR_BODY_CHARS]


def _describe(response: httpx.Response, body: str) -> str:
    status = response.status_code
    if 300 <= status < 400:
        location = response.headers.get("location", "")[:500]
        return f"answered {status}: redirect to {location!r} not followed"
    if status == 410:
        return "answered 410 Gone: the endpoint no longer exists"
    detail = " ".join(body.split())
    return f"answered {status}" + (f": {detail}" if detail else "")


def _retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (delay-seconds or HTTP date), at most a day; None if absent."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        # Relative to the receiver's own clock when it says what time it is (no clock skew).
        reference = wall_now()
        if date := response.headers.get("date"):
            with contextlib.suppress(TypeError, ValueError):
                reference = parsedate_to_datetime(date)
            if reference.tzinfo is None:
                reference = reference.replace(tzinfo=UTC)
        seconds = (when - reference).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_MAX_S)


async def _record(
    session: AsyncSession,
    delivery: WebhookDelivery,
    subscription: WebhookSubscription,
    outcome: Outcome,
    now: datetime,
    settings: Settings,
) -> None:
    """Log one attempt and act on its outcome."""
    manual = delivery.replayed_after is not None and delivery.attempts == delivery.replayed_after
    delivery.attempts += 1
    DeliveryRepository(session).log(
        WebhookAttempt(
            id=str(uuid.uuid4()),
            delivery_id=delivery.id,
            number=delivery.attempts,
            at=now,
            status_code=outcome.status_code,
            latency_ms=outcome.latency_ms,
            error=outcome.error[:2000] if outcome.error else None,
            manual=manual,
        )
    )
    if outcome.error:
        logger.warning(
            "webhook %s to subscription %s, attempt %d%s: %s",
            delivery.id,
            subscription.id,
            delivery.attempts,
            " (manual)" if manual else "",
            outcome.error,
        )
    schedule(delivery, now, settings, outcome)
    if delivery.status == "failed":
        metrics.WEBHOOK_ABANDONED.labels(SERVICE, subscription.id).inc()
    if outcome.status_code == 410 and subscription.status == "active":
        reason = f"{subscription.url} answered 410 Gone at {now.isoformat()} ({delivery.id})"
        await service.disable(session, subscription, reason=reason[:500])
        logger.warning("webhook subscription %s disabled: %s", subscription.id, reason)
