"""Outbound webhooks' use cases: systems (a certification body, a partner's information
system) subscribe to event types and are called, signed, when one happens.

* The event fan-out calls :func:`enqueue` in the consumer's transaction: one *delivery* per
  active subscription to the event's type (or to ``"*"``), at most one per (subscription,
  event). Its id ``msg_<32 hex>`` is the Standard Webhooks ``webhook-id``: the same on every
  attempt, so the receiver deduplicates. Its payload is the JSON text sent byte for byte.
* The periodic job calls :func:`cap_notifications.webhooks.sender.send_due`: the due
  deliveries are locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share
  the queue), then POSTed with the Standard Webhooks headers (``webhook-timestamp`` of this attempt, ``v1`` HMAC-SHA256 signature with the
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

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cap_notifications import tracing
from cap_notifications.config import Settings
from cap_notifications.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from cap_notifications.webhooks import rules
from cap_notifications.webhooks.breakers import BREAKERS
from cap_notifications.webhooks.repository import DeliveryRepository, SubscriptionRepository
from cap_notifications.webhooks.schemas import (
    AttemptPublic,
    DeliveryPublic,
    SubscriptionCreate,
    SubscriptionPublic,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)
from cap_shared.conditional import Precondition
from cap_shared.egress import ForbiddenDestination, check_destination
from cap_shared.pagination import Page
from cap_shared.problems import Conflict, InvalidInput, NotFound
from cap_shared.secrets import secret_box
from cap_shared.security import Principal

logger = logging.getLogger(__name__)


# subscriptions --------------------------------------------------------------------------------


def to_public(subscription: WebhookSubscription) -> SubscriptionPublic:
    """A subscription as the API answers it (never its secret)."""
    return SubscriptionPublic(
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
    """A subscription and its secret, the one time it is shown."""
    return SubscriptionWithSecret(**to_public(subscription).model_dump(), secret=secret)


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
    *,
    data: SubscriptionCreate,
    settings: Settings,
    now: datetime,
) -> tuple[WebhookSubscription, str]:
    """Subscribe a system; returns the subscription and its secret (shown only now)."""
    url = str(data.url)
    await _allowed_destination(url, settings)
    secret = rules.new_secret()
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
    await SubscriptionRepository(session).add(subscription)
    logger.info("webhook subscription %s created by %s", subscription.id, principal.subject)
    return subscription, secret


async def list_subscriptions(
    session: AsyncSession, *, cursor: str | None = None, limit: int = 50
) -> tuple[list[WebhookSubscription], str | None]:
    """A page of the subscriptions (deleted ones excepted), oldest first."""
    return await SubscriptionRepository(session).page(cursor=cursor, limit=limit)


async def get(
    session: AsyncSession, subscription_id: str, *, for_update: bool = False
) -> WebhookSubscription:
    """One subscription, or :class:`NotFound` (deleted ones too)."""
    subscription = await SubscriptionRepository(session).get(subscription_id, for_update=for_update)
    if subscription is None or subscription.status == "deleted":
        raise NotFound("no such webhook subscription", detail_fr="abonnement webhook introuvable")
    return subscription


async def update(
    session: AsyncSession,
    principal: Principal,
    *,
    subscription_id: str,
    data: SubscriptionUpdate,
    settings: Settings,
    precondition: Precondition | None = None,
) -> WebhookSubscription:
    """Rename, move, change the event types of, disable or re-enable a subscription, as the
    caller read it when ``precondition`` (If-Match) says so."""
    subscription = await get(session, subscription_id, for_update=True)
    if precondition is not None:
        precondition.check_representation(to_public(subscription))
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
        await disable(session, subscription, reason=f"disabled by {principal.subject}"[:500])
    BREAKERS.pop(subscription.id, None)  # a fresh start after a change
    await SubscriptionRepository(session).flush()
    return subscription


async def delete(session: AsyncSession, principal: Principal, *, subscription_id: str) -> None:
    """Unsubscribe: nothing more is sent; the delivery log is kept, pending ones cancelled.

    The row stays (``status="deleted"``, invisible to the API): its deliveries refer to it.
    """
    subscription = await get(session, subscription_id)
    subscription.status, subscription.disabled_reason = "deleted", None
    await _cancel_pending(session, subscription.id, "the subscription was deleted")
    BREAKERS.pop(subscription.id, None)
    await SubscriptionRepository(session).flush()
    logger.info("webhook subscription %s deleted by %s", subscription.id, principal.subject)


async def rotate_secret(
    session: AsyncSession, principal: Principal, *, subscription_id: str, settings: Settings
) -> tuple[WebhookSubscription, str]:
    """A new signing secret (shown only now); the next attempts are signed with it alone."""
    subscription = await get(session, subscription_id)
    secret = rules.new_secret()
    box = secret_box(settings.secret_encryption_key)
    subscription.secret = box.encrypt(secret.encode()).decode()
    await SubscriptionRepository(session).flush()
    logger.info("webhook subscription %s: secret rotated by %s", subscription.id, principal.subject)
    return subscription, secret


async def disable(session: AsyncSession, subscription: WebhookSubscription, *, reason: str) -> None:
    """Stop calling a subscription and cancel its pending deliveries."""
    subscription.status, subscription.disabled_reason = "disabled", reason
    await _cancel_pending(session, subscription.id, f"the subscription was disabled: {reason}")


async def _cancel_pending(session: AsyncSession, subscription_id: str, reason: str) -> None:
    for delivery in await DeliveryRepository(session).pending_of(subscription_id):
        delivery.status, delivery.last_error = "cancelled", reason[:2000]


# deliveries -------------------------------------------------------------------------------------


async def enqueue(
    session: AsyncSession,
    *,
    event_id: str,
    event_type: str,
    body: str,
    now: datetime,
    subscriptions: Sequence[tuple[str, Sequence[str]]] | None = None,
) -> int:
    """One delivery of ``body`` per active subscription to ``event_type`` (or to ``"*"``), due
    now, in the trace of the span running now (tracing on); a subscription already holding this
    event gets none. How many were created. ``subscriptions``: the active ones as (id, event
    types), when already read in this transaction."""
    if subscriptions is None:
        subscriptions = await SubscriptionRepository(session).active_event_types()
    targets = [
        subscription_id
        for subscription_id, types in subscriptions
        if event_type in types or rules.ALL_EVENTS in types
    ]
    if not targets:
        return 0
    traceparent, tracestate = tracing.stored_context()
    rows = [
        {
            "id": rules.message_id(),
            "subscription_id": subscription_id,
            "event_id": event_id,
            "event_type": event_type,
            "payload": body,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "traceparent": traceparent,
            "tracestate": tracestate,
        }
        for subscription_id in targets
    ]
    return await DeliveryRepository(session).insert_new(rows)


async def deliveries(
    session: AsyncSession,
    subscription_id: str,
    *,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[DeliveryPublic]:
    """A subscription's deliveries, newest first, each with its attempts."""
    await get(session, subscription_id)
    repository = DeliveryRepository(session)
    page, next_cursor = await repository.page(
        subscription_id, status=status, cursor=cursor, limit=limit
    )
    attempts = await repository.attempts_of(d.id for d in page)
    return Page(data=[delivery_public(d, attempts[d.id]) for d in page], next_cursor=next_cursor)


def delivery_public(
    delivery: WebhookDelivery, attempts: Sequence[WebhookAttempt]
) -> DeliveryPublic:
    """A delivery and its attempts as the delivery log shows them."""
    return DeliveryPublic(
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
            AttemptPublic(
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


async def replay(
    session: AsyncSession, subscription_id: str, *, delivery_id: str, now: datetime
) -> DeliveryPublic:
    """Send a delivered, failed or cancelled delivery again, due now, with the same id (the
    receiver deduplicates); its next attempt is logged as manual."""
    subscription = await get(session, subscription_id)
    repository = DeliveryRepository(session)
    delivery = await repository.get(delivery_id)
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
    await repository.flush()
    attempts = await repository.attempts_of([delivery.id])
    return delivery_public(delivery, attempts[delivery.id])
