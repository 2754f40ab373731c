"""Calls from the platform to a certification body's system (the contract's ``paths``).

* An audit request becomes a *delivery* in the same transaction as the audit
  (:func:`cap_audit.certifier.queue.enqueue_request`): nothing is sent
  from inside the request, nothing is lost if the body is down.
* The ``body-deliveries`` job sends what is due: an OAuth2 client-credentials token from the
  body, ``POST {api_url}/audit-requests`` with ``Idempotency-Key: <delivery id>`` (a retry never
  creates a second request at the body), a timeout, no redirect followed, private addresses
  refused unless allowed (development). Every attempt is logged. 2xx: delivered. 429: retried
  after ``Retry-After``. 410: the body's endpoint is gone, the delivery fails at once. Other
  failures are retried after ``body_retry_delays_s``, then the delivery fails; failed
  deliveries are listed for operators and can be retried by hand. A circuit breaker per body
  stops calling a body that keeps failing, for ``body_breaker_reset_s``.
* The ``reconcile-audits`` job asks the body for the state of audits unchanged for
  ``reconcile_after_s`` (``GET {api_url}/audit-requests/{audit_id}``) and applies the events it
  reports that never arrived as webhooks (deduplicated by webhook id): a lost callback is caught.
* A body's answers are untrusted input (OWASP API10): a token answer that is not a JSON object
  with an ``access_token``, or a state that is not the documented JSON, fails that attempt (or
  that audit's reconciliation, or that one reported event) with a logged reason; the run goes
  on with the others.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
from cryptography.fernet import InvalidToken
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit.certifier import webhooks
from cap_audit.certifier.repository import CertifierRepository
from cap_audit.config import Settings
from cap_audit.models import (
    BodyConnection,
    BodyDelivery,
    DeliveryAttempt,
)
from cap_shared import metrics
from cap_shared.breaker import Breakers
from cap_shared.clock import Clock
from cap_shared.egress import ForbiddenDestination, check_destination
from cap_shared.instrumentation import instrument_client
from cap_shared.problems import ProblemError
from cap_shared.secrets import secret_box
from cap_shared.tls import client_context

logger = logging.getLogger(__name__)

BREAKERS = Breakers()
metrics.BREAKERS.watch("audit", "connector", BREAKERS.items)
_TOKENS: dict[str, tuple[str, float]] = {}
OPEN_AUDITS = ("requested", "accepted", "planned", "in_progress")


class BodyError(Exception):
    """A call to a body failed; ``retry_after`` when the body said when to come back."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> None:
        super().__init__(message)
        self.status, self.retry_after, self.permanent = status, retry_after, permanent


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class TokenAnswer(BaseModel):
    """The part of a body's OAuth2 token answer (RFC 6749 §5.1) the platform uses."""

    access_token: str = Field(min_length=1, max_length=8192)
    #: Seconds; a day at most is kept (a longer lifetime is simply refreshed earlier).
    expires_in: float = Field(default=300, ge=0, allow_inf_nan=False)


class ReportedWebhook(BaseModel):
    """One event a body reports for an audit on reconciliation."""

    webhook_id: str = Field(min_length=1, max_length=200)
    payload: dict[str, Any]


class AuditState(BaseModel):
    """A body's answer to ``GET /audit-requests/{audit_id}`` (each event is checked alone)."""

    webhooks: list[Any] = Field(default_factory=list, max_length=1000)


def _json(response: httpx.Response, what: str) -> Any:
    """The answer's JSON, or a :class:`BodyError` naming what came instead."""
    try:
        return response.json()
    except ValueError as exc:  # not JSON, or not UTF-8
        kind = response.headers.get("content-type", "no content type")
        raise BodyError(
            f"{what} answered {response.status_code} with a body that is not JSON ({kind})",
            status=response.status_code,
        ) from exc


def _reasons(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
    )[:500]


async def _token(client: httpx.AsyncClient, connection: BodyConnection, settings: Settings) -> str:
    cached = _TOKENS.get(connection.certification_body_id)
    if cached and cached[1] > time.monotonic():
        return cached[0]
    try:
        await check_destination(connection.token_url, allow_private=settings.body_allow_private)
    except ForbiddenDestination as exc:
        raise BodyError(f"token endpoint: {exc}", permanent=True) from exc
    try:
        secret = (
            secret_box(settings.secret_encryption_key)
            .decrypt(connection.client_secret.encode())
            .decode()
        )
    except InvalidToken as exc:
        raise BodyError(
            "the client secret cannot be decrypted (encryption key changed?)", permanent=True
        ) from exc
    response = await client.post(
        connection.token_url,
        data={"grant_type": "client_credentials"},
        auth=(connection.client_id, secret),
    )
    if response.status_code != 200:
        raise BodyError(
            f"token endpoint answered {response.status_code}",
            status=response.status_code,
            retry_after=_retry_after(response),
        )
    try:
        answer = TokenAnswer.model_validate(_json(response, "token endpoint"))
    except ValidationError as exc:
        raise BodyError(
            f"token endpoint answered 200 without a usable token: {_reasons(exc)}", status=200
        ) from exc
    _TOKENS[connection.certification_body_id] = (
        answer.access_token,
        time.monotonic() + min(answer.expires_in, 86400) - 30,
    )
    return answer.access_token


async def call_body(
    client: httpx.AsyncClient,
    connection: BodyConnection,
    settings: Settings,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    idempotency_key: str | None = None,
) -> httpx.Response:
    """One authenticated call to the body's system (no redirects, bounded by the timeout)."""
    url = f"{connection.api_url}{path}"
    try:
        await check_destination(url, allow_private=settings.body_allow_private)
    except ForbiddenDestination as exc:
        raise BodyError(str(exc), permanent=True) from exc
    token = await _token(client, connection, settings)
    headers = {"Authorization": f"Bearer {token}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    response = await client.request(method, url, json=json_body, headers=headers)
    if response.status_code == 401:
        _TOKENS.pop(connection.certification_body_id, None)
    return response


def make_client(settings: Settings) -> httpx.AsyncClient:
    """The HTTP client of calls to bodies' systems (no redirects, the timeout)."""
    return instrument_client(
        httpx.AsyncClient(
            timeout=settings.body_timeout_s, follow_redirects=False, verify=client_context()
        )
    )


async def send_due(
    session: AsyncSession,
    now: datetime,
    settings: Settings,
    client: httpx.AsyncClient | None = None,
    limit: int = 20,
) -> int:
    """Send the deliveries that are due; how many were attempted."""
    repo = CertifierRepository(session)
    due = await repo.due_deliveries(now)
    own_client = client is None
    client = client or make_client(settings)
    attempted = 0
    try:
        for delivery in list(due)[:limit]:
            breaker = BREAKERS.for_key(delivery.certification_body_id)
            breaker.failure_threshold = settings.body_breaker_failures
            breaker.reset_after_s = settings.body_breaker_reset_s
            if not breaker.allow():
                metrics.CONNECTOR_CALLS.labels(delivery.certification_body_id, "rejected").inc()
                continue
            attempted += 1
            await _attempt(session, delivery, now, settings, client, breaker)
    finally:
        if own_client:
            await client.aclose()
    await repo.flush()
    return attempted


async def _attempt(
    session: AsyncSession,
    delivery: BodyDelivery,
    now: datetime,
    settings: Settings,
    client: httpx.AsyncClient,
    breaker: Any,
) -> None:
    repo = CertifierRepository(session)
    connection = await repo.connection(delivery.certification_body_id)
    delivery.attempts += 1
    started = time.perf_counter()
    status: int | None = None
    error: str | None = None
    try:
        if connection is None:
            raise BodyError("the body is no longer connected", permanent=True)
        response = await call_body(
            client,
            connection,
            settings,
            "POST",
            "/audit-requests",
            json_body=delivery.payload,
            idempotency_key=delivery.id,
        )
        status = response.status_code
        if 200 <= status < 300:
            delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now, None
            delivery.reference = _reference(response)
            breaker.success()
        elif status == 410:
            raise BodyError(
                "410 Gone: the body's endpoint no longer exists", status=status, permanent=True
            )
        elif 300 <= status < 400:
            raise BodyError(f"redirect {status} not followed", status=status)
        elif status == 429:
            raise BodyError(
                "429 Too Many Requests", status=status, retry_after=_retry_after(response)
            )
        elif status in (400, 404, 409, 422):
            raise BodyError(
                f"refused with {status}: {response.text[:300]}", status=status, permanent=True
            )
        else:
            raise BodyError(f"answered {status}", status=status)
    except BodyError as exc:
        error = str(exc)
        _failed(delivery, now, settings, exc.retry_after, exc.permanent, error)
        if not exc.permanent:
            breaker.failure()
    except (httpx.TimeoutException, httpx.TransportError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        _failed(delivery, now, settings, None, False, error)
        breaker.failure()
    elapsed = time.perf_counter() - started
    _observe(delivery.certification_body_id, elapsed, ok=error is None)
    latency = round(elapsed * 1000)
    await repo.add(
        DeliveryAttempt(
            delivery_id=delivery.id,
            number=delivery.attempts,
            at=now,
            status_code=status,
            latency_ms=latency,
            error=error,
        )
    )
    if error:
        logger.warning(
            "delivery %s to %s, attempt %d: %s",
            delivery.id,
            delivery.certification_body_id,
            delivery.attempts,
            error,
        )


def _observe(body: str, seconds: float, *, ok: bool) -> None:
    """Count one call to ``body`` (``cap_connector_calls_total``) and its time."""
    metrics.CONNECTOR_CALLS.labels(body, "ok" if ok else "error").inc()
    metrics.CONNECTOR_SECONDS.labels(body).observe(seconds)


def _reference(response: httpx.Response) -> str | None:
    """The body's reference for an accepted request, if its answer gives a usable one (the
    request was accepted whatever the answer's body says)."""
    try:
        body = response.json()
    except ValueError:
        return None
    reference = body.get("reference") if isinstance(body, dict) else None
    if isinstance(reference, str | int) and not isinstance(reference, bool):
        return str(reference)[:200] or None
    return None


def _failed(
    delivery: BodyDelivery,
    now: datetime,
    settings: Settings,
    retry_after: float | None,
    permanent: bool,
    error: str,
) -> None:
    delivery.last_error = error
    delays = settings.body_retry_delays_s
    if permanent or (retry_after is None and delivery.attempts > len(delays)):
        delivery.status, delivery.next_attempt_at = "failed", None
        return
    delay = retry_after if retry_after is not None else delays[delivery.attempts - 1]
    delivery.next_attempt_at = now + timedelta(seconds=delay)


async def _audit_state(
    client: httpx.AsyncClient, connection: BodyConnection, settings: Settings, audit_id: str
) -> list[Any]:
    """The events the body reports for an audit (each still to be checked); BodyError when its
    answer is not the documented one."""
    response = await call_body(client, connection, settings, "GET", f"/audit-requests/{audit_id}")
    if response.status_code != 200:
        raise BodyError(f"answered {response.status_code}", status=response.status_code)
    try:
        return AuditState.model_validate(_json(response, "the body")).webhooks
    except ValidationError as exc:
        raise BodyError(f"answered 200 with a malformed state: {_reasons(exc)}") from exc


async def reconcile(
    session: AsyncSession,
    now: datetime,
    settings: Settings,
    clock: Clock,
    client: httpx.AsyncClient | None = None,
) -> int:
    """Ask bodies about audits that have not moved for a while; apply missed events. How many."""
    repo = CertifierRepository(session)
    threshold = now - timedelta(seconds=settings.reconcile_after_s)
    stuck = [
        a
        for a in await repo.audits_in(OPEN_AUDITS)
        if (a.modified_at or a.requested_at) <= threshold
    ]
    own_client = client is None
    client = client or make_client(settings)
    applied = 0
    try:
        for audit in stuck:
            connection = await repo.connection(audit.certification_body_id)
            if connection is None:
                continue
            started = time.perf_counter()
            try:
                reported = await _audit_state(client, connection, settings, audit.id)
                _observe(audit.certification_body_id, time.perf_counter() - started, ok=True)
            except (BodyError, httpx.HTTPError) as exc:
                _observe(audit.certification_body_id, time.perf_counter() - started, ok=False)
                logger.warning(
                    "reconciliation of audit %s with %s failed: %s",
                    audit.id,
                    audit.certification_body_id,
                    exc,
                )
                continue
            for item in reported:
                try:
                    event = ReportedWebhook.model_validate(item)
                except ValidationError as exc:
                    logger.warning(
                        "event reported by %s for audit %s ignored, malformed: %s",
                        audit.certification_body_id,
                        audit.id,
                        _reasons(exc),
                    )
                    continue
                try:
                    async with session.begin_nested():  # a refused event leaves nothing behind
                        result = await webhooks.apply_event(
                            session,
                            audit.certification_body_id,
                            event.webhook_id,
                            event.payload,
                            settings,
                            clock,
                        )
                except ProblemError as exc:
                    logger.warning(
                        "reconciled event %s for audit %s refused: %s",
                        event.webhook_id,
                        audit.id,
                        exc.detail,
                    )
                    continue
                if not result["duplicate"]:
                    applied += 1
    finally:
        if own_client:
            await client.aclose()
    return applied


def forget_token(body_id: str) -> None:
    """Drop the body's cached access token (its connection changed)."""
    _TOKENS.pop(body_id, None)
