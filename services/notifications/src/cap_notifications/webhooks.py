"""Outbound webhooks: systems (a certification body, a partner's information system) subscribe
to event types and are called, signed, when one happens.

* The event fan-out calls :func:`enqueue` in the consumer's transaction: one *delivery* per
  active subscription to the event's type (or to ``"*"``), at most one per (subscription,
  event). Its id ``msg_<32 hex>`` is the Standard Webhooks ``webhook-id``: the same on every
  attempt, so the receiver deduplicates. Its payload is the JSON text sent byte for byte.
* The periodic job calls :func:`send_due`: the due deliveries are locked (``FOR UPDATE SKIP
  LOCKED`` on PostgreSQL, so several workers share the queue), then POSTed with the Standard
  Webhooks headers (``webhook-timestamp`` of this attempt, ``v1`` HMAC-SHA256 signature with the
  subscription's ``whsec_`` secret), bounded by ``webhook_timeout_s``, redirects never followed,
  private destinations refused before any connection unless ``webhook_allow_private``.
  Subscriptions are called concurrently; one subscription's deliveries are sent in order, and
  its run stops at the first timeout, connection error or throttling answer, so a hanging or
  overloaded receiver costs one timeout per run and delays no one else. A circuit breaker per
  subscription stops calling one that keeps failing for a while.
* Every attempt is logged (:class:`WebhookAttempt`: number, time, status or error, latency).
  2xx: delivered. 410: the endpoint is gone: the delivery fails, the subscription is disabled
  and its other pending deliveries cancelled. 429, 502, 503, 504: retried after ``Retry-After``
  when given, else on the schedule. Anything else (3xx included, since redirects are not
  followed), timeouts and connection errors: retried after the next delay of
  ``webhook_retry_delays_s`` (+/- 10 % jitter), then failed. A forbidden destination: failed.
* An operator may :func:`replay` a delivered, failed or cancelled delivery: it is pending again,
  with the same id; its next attempt is logged as manual and the schedule starts again.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import random
import secrets as token_source
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Annotated, Literal

import httpx
import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints, field_validator
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col
from standardwebhooks.webhooks import Webhook

from cap_notifications.catalogue import EVENT_TYPES
from cap_notifications.config import Settings
from cap_notifications.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from cap_shared.breaker import CircuitBreaker
from cap_shared.clock import wall_now
from cap_shared.conditional import Precondition
from cap_shared.egress import ForbiddenDestination, check_destination
from cap_shared.field_errors import FieldError
from cap_shared.pagination import Keyset, Page, key, newest_first
from cap_shared.problems import Conflict, InvalidInput, NotFound
from cap_shared.secrets import secret_box
from cap_shared.security import Principal

logger = logging.getLogger(__name__)

#: Subscribing to every notified event type.
ALL_EVENTS = "*"
#: Answers that mean "slow down": retried after ``Retry-After`` when the receiver gives one.
THROTTLED = frozenset({429, 502, 503, 504})
#: A ``Retry-After`` further than this is not waited for longer (the schedule's longest delay).
RETRY_AFTER_MAX_S = 86400.0
#: The schedule's delays vary by this fraction either way, so retries do not arrive in waves.
JITTER = 0.10
#: Consecutive failures (timeouts, connection errors, 5xx, 429) that open a subscription's
#: breaker, and how long it stays open before one trial call.
BREAKER_FAILURES = 5
BREAKER_RESET_S = 300.0
#: Subscriptions called at the same time by one run of the job.
MAX_CONCURRENCY = 10
#: How much of a failed answer's body is kept in the log.
ERROR_BODY_CHARS = 300

#: One breaker per subscription id, in this process.
BREAKERS: dict[str, CircuitBreaker] = {}

Url = Annotated[AnyHttpUrl, UrlConstraints(max_length=2000, allowed_schemes=["http", "https"])]
Name = Annotated[str, Field(min_length=1, max_length=200)]


def _check_event_types(value: list[str]) -> list[str]:
    known = set(EVENT_TYPES)
    unknown = [t for t in value if t != ALL_EVENTS and t not in known]
    if unknown:
        msg = f"unknown event type(s) {unknown}; expected '*' or some of {list(EVENT_TYPES)}"
        msg_fr = (
            f"Type(s) d'événement inconnu(s) {unknown} ; attendu : '*' ou certains de "
            f"{list(EVENT_TYPES)}"
        )
        raise FieldError(msg, msg_fr)
    return list(dict.fromkeys(value))  # without duplicates, in the given order


class SubscriptionIn(BaseModel):
    """A system to call when some events happen (admin)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    #: http(s); a private or loopback address is refused unless allowed (development).
    url: Url
    #: Notified event types, or ``["*"]`` for all of them.
    event_types: list[str] = Field(min_length=1, max_length=len(EVENT_TYPES) + 1)

    _event_types = field_validator("event_types")(_check_event_types)


class SubscriptionPatch(BaseModel):
    """Changes to a subscription; ``status: "active"`` re-enables a disabled one."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name | None = None
    url: Url | None = None
    event_types: list[str] | None = Field(
        default=None, min_length=1, max_length=len(EVENT_TYPES) + 1
    )
    status: Literal["active", "disabled"] | None = None

    @field_validator("event_types")
    @classmethod
    def _known(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_event_types(value)


class SubscriptionOut(BaseModel):
    """A subscription, without its secret."""

    id: str
    name: str
    url: str
    event_types: list[str]
    #: active | disabled
    status: str
    disabled_reason: str | None
    created_by: str
    created_at: datetime
    modified_at: datetime | None


class SubscriptionWithSecret(SubscriptionOut):
    """A subscription and its signing secret, shown once (creation, rotation)."""

    #: ``whsec_`` + base64 of 32 random bytes: verify with any Standard Webhooks library.
    secret: str


class AttemptOut(BaseModel):
    number: int
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    manual: bool


class DeliveryOut(BaseModel):
    """One event to one subscription, with every attempt (the delivery log)."""

    #: The ``webhook-id`` header, the same on every attempt.
    id: str
    event_id: str
    event_type: str
    #: pending | delivered | failed | cancelled
    status: str
    attempts: int
    #: When the next attempt is due (pending deliveries only).
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    log: list[AttemptOut]


# subscriptions --------------------------------------------------------------------------------


def new_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(token_source.token_bytes(32)).decode()


def to_out(subscription: WebhookSubscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=subscription.id,
        name=subscription.name,
        url=subscription.url,
        event_types=list(subscription.event_types),
        status=subscription.status,
        disabled_reason=subscription.disabled_reason,
        created_by=subscription.created_by,
        created_at=subscription.created_at,
        modified_at=subscription.modified_at,
    )


def with_secret(subscription: WebhookSubscription, secret: str) -> SubscriptionWithSecret:
    return SubscriptionWithSecret(**to_out(subscription).model_dump(), secret=secret)


async def _allowed_destination(url: str, settings: Settings) -> None:
    try:
        await check_destination(url, allow_private=settings.webhook_allow_private)
    except ForbiddenDestination as exc:
        raise InvalidInput(
            "webhooks may not call this address",
            detail_fr="les webhooks ne peuvent pas appeler cette adresse",
            extensions={"errors": [{"field": "body.url", "message": str(exc)}]},
        ) from exc


async def create(
    session: AsyncSession,
    principal: Principal,
    data: SubscriptionIn,
    settings: Settings,
    now: datetime,
) -> tuple[WebhookSubscription, str]:
    """Subscribe a system; returns the subscription and its secret (shown only now)."""
    url = str(data.url)
    await _allowed_destination(url, settings)
    secret = new_secret()
    subscription = WebhookSubscription(
        id=str(uuid.uuid4()),
        name=data.name,
        url=url,
        event_types=data.event_types,
        secret=secret_box(settings.secret_encryption_key).encrypt(secret.encode()).decode(),
        status="active",
        created_by=principal.subject,
    )
    subscription.created_at = now
    session.add(subscription)
    await session.flush()
    logger.info("webhook subscription %s created by %s", subscription.id, principal.subject)
    return subscription, secret


#: The lists' stable orders (their names are bound into their cursors).
SUBSCRIPTIONS = Keyset(
    "notifications.webhook-subscriptions",
    key(col(WebhookSubscription.created_at), datetime),
    key(col(WebhookSubscription.id), str),
)


def deliveries_keyset(subscription_id: str) -> Keyset:
    """A subscription's deliveries newest first (cursors bound to that subscription's log)."""
    return newest_first(
        f"notifications.deliveries:{subscription_id}",
        col(WebhookDelivery.created_at),
        col(WebhookDelivery.id),
    )


async def list_subscriptions(
    session: AsyncSession, *, cursor: str | None = None, limit: int = 50
) -> tuple[list[WebhookSubscription], str | None]:
    """A page of the subscriptions (deleted ones excepted), oldest first."""
    query = sa.select(WebhookSubscription).where(col(WebhookSubscription.status) != "deleted")
    return await SUBSCRIPTIONS.fetch(session, query, cursor=cursor, limit=limit)


async def get(
    session: AsyncSession, subscription_id: str, *, for_update: bool = False
) -> WebhookSubscription:
    """One subscription, or :class:`NotFound` (deleted ones too)."""
    subscription = await session.get(
        WebhookSubscription, subscription_id, with_for_update=for_update
    )
    if subscription is None or subscription.status == "deleted":
        raise NotFound("no such webhook subscription", detail_fr="abonnement webhook introuvable")
    return subscription


async def update(
    session: AsyncSession,
    principal: Principal,
    subscription_id: str,
    data: SubscriptionPatch,
    settings: Settings,
    precondition: Precondition | None = None,
) -> WebhookSubscription:
    """Rename, move, change the event types of, disable or re-enable a subscription, as the
    caller read it when ``precondition`` (If-Match) says so."""
    subscription = await get(session, subscription_id, for_update=True)
    if precondition is not None:
        precondition.check_representation(to_out(subscription))
    if data.url is not None:
        url = str(data.url)
        await _allowed_destination(url, settings)
        subscription.url = url
    if data.name is not None:
        subscription.name = data.name
    if data.event_types is not None:
        subscription.event_types = data.event_types
    if data.status == "active":
        subscription.status, subscription.disabled_reason = "active", None
    elif data.status == "disabled" and subscription.status != "disabled":
        await _disable(session, subscription, f"disabled by {principal.subject}"[:500])
    BREAKERS.pop(subscription.id, None)  # a fresh start after a change
    await session.flush()
    return subscription


async def delete(session: AsyncSession, principal: Principal, subscription_id: str) -> None:
    """Unsubscribe: nothing more is sent; the delivery log is kept, pending ones cancelled.

    The row stays (``status="deleted"``, invisible to the API): its deliveries refer to it.
    """
    subscription = await get(session, subscription_id)
    subscription.status, subscription.disabled_reason = "deleted", None
    await _cancel_pending(session, subscription.id, "the subscription was deleted")
    BREAKERS.pop(subscription.id, None)
    await session.flush()
    logger.info("webhook subscription %s deleted by %s", subscription.id, principal.subject)


async def rotate_secret(
    session: AsyncSession, principal: Principal, subscription_id: str, settings: Settings
) -> tuple[WebhookSubscription, str]:
    """A new signing secret (shown only now); the next attempts are signed with it alone."""
    subscription = await get(session, subscription_id)
    secret = new_secret()
    box = secret_box(settings.secret_encryption_key)
    subscription.secret = box.encrypt(secret.encode()).decode()
    await session.flush()
    logger.info("webhook subscription %s: secret rotated by %s", subscription.id, principal.subject)
    return subscription, secret


async def _disable(session: AsyncSession, subscription: WebhookSubscription, reason: str) -> None:
    subscription.status, subscription.disabled_reason = "disabled", reason
    await _cancel_pending(session, subscription.id, f"the subscription was disabled: {reason}")


async def _cancel_pending(session: AsyncSession, subscription_id: str, reason: str) -> None:
    query = sa.select(WebhookDelivery).where(
        col(WebhookDelivery.subscription_id) == subscription_id,
        col(WebhookDelivery.status) == "pending",
    )
    for delivery in (await session.execute(query)).scalars():
        delivery.status, delivery.last_error = "cancelled", reason[:2000]


# deliveries -------------------------------------------------------------------------------------


def message_id() -> str:
    """A Standard Webhooks message id: ``msg_`` + 32 hex digits (never a ``.``)."""
    return f"msg_{uuid.uuid4().hex}"


async def enqueue(
    session: AsyncSession, *, event_id: str, event_type: str, body: str, now: datetime
) -> int:
    """One delivery of ``body`` per active subscription to ``event_type`` (or to ``"*"``), due
    now; a subscription already holding this event gets none. How many were created."""
    query = sa.select(WebhookSubscription).where(col(WebhookSubscription.status) == "active")
    targets = [
        s.id
        for s in (await session.execute(query)).scalars()
        if event_type in s.event_types or ALL_EVENTS in s.event_types
    ]
    if not targets:
        return 0
    rows = [
        {
            "id": message_id(),
            "subscription_id": subscription_id,
            "event_id": event_id,
            "event_type": event_type,
            "payload": body,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for subscription_id in targets
    ]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(WebhookDelivery)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])
        .returning(col(WebhookDelivery.id))
    )
    created = (await session.execute(statement)).scalars().all()
    return len(created)


async def deliveries(
    session: AsyncSession,
    subscription_id: str,
    *,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[DeliveryOut]:
    """A subscription's deliveries, newest first, each with its attempts."""
    await get(session, subscription_id)
    query = sa.select(WebhookDelivery).where(
        col(WebhookDelivery.subscription_id) == subscription_id
    )
    if status is not None:
        query = query.where(col(WebhookDelivery.status) == status)
    page, next_cursor = await deliveries_keyset(subscription_id).fetch(
        session, query, cursor=cursor, limit=limit
    )
    attempts: dict[str, list[WebhookAttempt]] = {d.id: [] for d in page}
    if page:
        log = sa.select(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(list(attempts)))
        for attempt in (await session.execute(log.order_by(col(WebhookAttempt.number)))).scalars():
            attempts[attempt.delivery_id].append(attempt)
    return Page(data=[delivery_out(d, attempts[d.id]) for d in page], next_cursor=next_cursor)


def delivery_out(delivery: WebhookDelivery, attempts: Sequence[WebhookAttempt]) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
        last_error=delivery.last_error,
        log=[
            AttemptOut(
                number=a.number,
                at=a.at,
                status_code=a.status_code,
                latency_ms=a.latency_ms,
                error=a.error,
                manual=a.manual,
            )
            for a in attempts
        ],
    )


async def attempts_of(session: AsyncSession, delivery_id: str) -> Sequence[WebhookAttempt]:
    query = (
        sa.select(WebhookAttempt)
        .where(col(WebhookAttempt.delivery_id) == delivery_id)
        .order_by(col(WebhookAttempt.number))
    )
    return (await session.execute(query)).scalars().all()


async def replay(
    session: AsyncSession, subscription_id: str, delivery_id: str, now: datetime
) -> WebhookDelivery:
    """Send a delivered, failed or cancelled delivery again, due now, with the same id (the
    receiver deduplicates); its next attempt is logged as manual."""
    subscription = await get(session, subscription_id)
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription.id:
        raise NotFound("no such delivery", detail_fr="envoi introuvable")
    if subscription.status != "active":
        raise Conflict(
            "the subscription is disabled: re-enable it first",
            detail_fr="l'abonnement est désactivé : réactivez-le d'abord",
            extensions={"subscription_status": subscription.status},
        )
    if delivery.status == "pending":
        raise Conflict(
            "this delivery is already waiting to be sent",
            detail_fr="cet envoi attend déjà d'être envoyé",
            extensions={
                "status": delivery.status,
                "next_attempt_at": delivery.next_attempt_at.isoformat(),
            },
        )
    delivery.status, delivery.next_attempt_at = "pending", now
    delivery.replayed_after = delivery.attempts
    await session.flush()
    return delivery


# sending --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    """What one attempt sends, read from the database before any connection is made."""

    delivery_id: str
    subscription_id: str
    url: str
    payload: str
    #: The decrypted ``whsec_`` secret, or None when it cannot be decrypted.
    secret: str | None


@dataclass(frozen=True)
class _Outcome:
    latency_ms: int
    status_code: int | None = None
    error: str | None = None
    #: Seconds the receiver asked us to wait (``Retry-After``).
    retry_after: float | None = None
    #: The destination is refused: no connection was made, no retry.
    forbidden: bool = False
    #: No answer (timeout, connection error) or an undecryptable secret.
    unreachable: bool = False

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def stops_the_run(self) -> bool:
        """Whether this subscription's other due deliveries wait for the next run."""
        return self.unreachable or self.status_code in THROTTLED or self.status_code == 410


def make_client(settings: Settings) -> httpx.AsyncClient:
    """The HTTP client of one run: bounded by the timeout, never following redirects."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.webhook_timeout_s),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=MAX_CONCURRENCY * 2),
    )


def breaker(subscription_id: str) -> CircuitBreaker:
    """The circuit breaker of one subscription (in this process)."""
    if subscription_id not in BREAKERS:
        BREAKERS[subscription_id] = CircuitBreaker(BREAKER_FAILURES, BREAKER_RESET_S)
    return BREAKERS[subscription_id]


async def send_due(
    session: AsyncSession,
    now: datetime,
    settings: Settings,
    *,
    client: httpx.AsyncClient | None = None,
    limit: int = 100,
) -> int:
    """Send the deliveries due at ``now`` (the periodic job's body); how many attempts were made."""
    due = await _lock_due(session, now, limit)
    if not due:
        return 0
    subscriptions = {
        s.id: s
        for s in (
            await session.execute(
                sa.select(WebhookSubscription).where(
                    col(WebhookSubscription.id).in_({d.subscription_id for d in due})
                )
            )
        ).scalars()
    }
    box = secret_box(settings.secret_encryption_key)
    queues: dict[str, list[_Call]] = {}
    for delivery in due:
        subscription = subscriptions[delivery.subscription_id]
        try:
            secret: str | None = box.decrypt(subscription.secret.encode()).decode()
        except InvalidToken:
            secret = None
        queues.setdefault(subscription.id, []).append(
            _Call(delivery.id, subscription.id, subscription.url, delivery.payload, secret)
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
    await session.flush()
    return attempted


async def _lock_due(session: AsyncSession, now: datetime, limit: int) -> list[WebhookDelivery]:
    """The due deliveries of active subscriptions whose breaker lets calls through, locked
    (rows another worker holds are skipped)."""
    open_breakers = [key for key, b in BREAKERS.items() if b.state == "open"]
    query = (
        sa.select(WebhookDelivery)
        .join(
            WebhookSubscription,
            col(WebhookSubscription.id) == col(WebhookDelivery.subscription_id),
        )
        .where(
            col(WebhookDelivery.status) == "pending",
            col(WebhookDelivery.next_attempt_at) <= now,
            col(WebhookSubscription.status) == "active",
        )
        .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        .limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )
    if open_breakers:
        query = query.where(col(WebhookDelivery.subscription_id).not_in(open_breakers))
    return list((await session.execute(query)).scalars().all())


async def _send_queue(
    client: httpx.AsyncClient,
    calls: list[_Call],
    settings: Settings,
    gate: asyncio.Semaphore,
) -> list[tuple[_Call, _Outcome]]:
    """One subscription's due deliveries, in order, until one shows the receiver is unwell."""
    done: list[tuple[_Call, _Outcome]] = []
    async with gate:
        for call in calls:
            guard = breaker(call.subscription_id)
            if not guard.allow():
                break
            outcome = await _post(client, call, settings)
            if outcome.delivered:
                guard.success()
            elif outcome.unreachable or (
                outcome.status_code is not None
                and (outcome.status_code >= 500 or outcome.status_code in THROTTLED)
            ):
                guard.failure()
            elif guard.state != "closed":
                guard.success()  # an answer, even a refusal: the half-open trial is over
            done.append((call, outcome))
            if outcome.stops_the_run:
                break
    return done


async def _post(client: httpx.AsyncClient, call: _Call, settings: Settings) -> _Outcome:
    """One attempt: the destination check, then the signed POST (no redirects, bounded)."""
    started = time.perf_counter()

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1000)

    timeout = settings.webhook_timeout_s
    try:
        async with asyncio.timeout(timeout):
            await check_destination(call.url, allow_private=settings.webhook_allow_private)
    except TimeoutError:
        return _Outcome(
            elapsed(), error=f"name resolution took over {timeout:g} s", unreachable=True
        )
    except ForbiddenDestination as exc:
        if isinstance(exc.__cause__, socket.gaierror):  # DNS failure: perhaps temporary
            return _Outcome(elapsed(), error=str(exc), unreachable=True)
        return _Outcome(elapsed(), error=f"destination refused: {exc}", forbidden=True)
    if call.secret is None:
        return _Outcome(
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
                    return _Outcome(elapsed(), status_code=status)
                text = await _start_of(response)
            finally:
                await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        return _Outcome(elapsed(), error=f"no answer within {timeout:g} s", unreachable=True)
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        return _Outcome(elapsed(), error=f"{type(exc).__name__}: {exc}"[:1000], unreachable=True)
    return _Outcome(
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
    outcome: _Outcome,
    now: datetime,
    settings: Settings,
) -> None:
    """Log one attempt and act on its outcome."""
    manual = delivery.replayed_after is not None and delivery.attempts == delivery.replayed_after
    delivery.attempts += 1
    session.add(
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
    _schedule(delivery, now, settings, outcome)
    if outcome.status_code == 410 and subscription.status == "active":
        reason = f"{subscription.url} answered 410 Gone at {now.isoformat()} ({delivery.id})"
        await _disable(session, subscription, reason[:500])
        logger.warning("webhook subscription %s disabled: %s", subscription.id, reason)


def _schedule(
    delivery: WebhookDelivery, now: datetime, settings: Settings, outcome: _Outcome
) -> None:
    """Delivered, failed, or when to try again."""
    if outcome.delivered:
        delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now, None
        return
    delivery.last_error = (outcome.error or "failed")[:2000]
    if outcome.forbidden or outcome.status_code == 410:
        delivery.status = "failed"
        return
    delays = settings.webhook_retry_delays_s
    # Attempts of this round: since the delivery was created, or since its last replay.
    made = delivery.attempts - (delivery.replayed_after or 0)
    if made > len(delays):
        delivery.status = "failed"
        return
    if outcome.retry_after is not None:
        delay = outcome.retry_after
    else:
        delay = delays[made - 1] * random.uniform(1 - JITTER, 1 + JITTER)
    delivery.status, delivery.next_attempt_at = "pending", now + timedelta(seconds=delay)
