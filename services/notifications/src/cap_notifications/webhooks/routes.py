"""HTTP routes of the outbound webhooks: subscriptions, their delivery log and replays (admin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response

from cap_notifications.deps import SettingsDep
from cap_notifications.webhooks import service
from cap_notifications.webhooks.schemas import (
    DeliveryPublic,
    SubscriptionCreate,
    SubscriptionPublic,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)
from cap_shared.conditional import IfMatch, Precondition, etag_of
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import AdminDep, Id, errors

#: Responses that carry a signing secret are never stored by a cache.
_NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(
    prefix="/v1/webhook-subscriptions",
    tags=["webhooks"],
    responses=errors(
        401,
        403,
        404,
        409,
        422,
        described={
            404: "Unknown subscription or delivery",
            422: "Invalid input (a private address, an unknown event type)",
        },
    ),
)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SubscriptionWithSecret)
async def create_subscription(
    data: SubscriptionCreate,
    principal: AdminDep,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    response: Response,
) -> SubscriptionWithSecret:
    """Subscribe a system to event types (or ``"*"``). The answer holds the signing secret,
    shown only this once: the receiver verifies the Standard Webhooks signature with it."""
    subscription, secret = await service.create(
        session, principal, data=data, settings=settings, now=runtime.clock.now()
    )
    response.headers.update(_NO_STORE)
    return service.with_secret(subscription, secret)


@router.get("", response_model=Page[SubscriptionPublic])
async def list_subscriptions(
    _principal: AdminDep,
    session: SessionDep,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[SubscriptionPublic]:
    """The subscriptions (deleted ones excepted), oldest first (created_at, id), never their
    secrets."""
    rows, next_cursor = await service.list_subscriptions(session, cursor=cursor, limit=limit)
    return Page[SubscriptionPublic](
        data=[service.to_public(s) for s in rows], next_cursor=next_cursor
    )


@router.get("/{subscription_id}", response_model=SubscriptionPublic)
async def get_subscription(
    subscription_id: Id, _principal: AdminDep, session: SessionDep
) -> SubscriptionPublic:
    """One subscription (never its secret)."""
    return service.to_public(await service.get(session, subscription_id))


@router.patch("/{subscription_id}", response_model=SubscriptionPublic)
async def update_subscription(
    subscription_id: Id,
    data: SubscriptionUpdate,
    principal: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    precondition: Annotated[Precondition, Depends(IfMatch(required=False))],
    response: Response,
) -> SubscriptionPublic:
    """Change the name, URL or event types; ``status: "active"`` re-enables a disabled
    subscription, ``"disabled"`` stops it (its pending deliveries are cancelled). With If-Match
    (the ETag read), only if it did not change since (412); the answer's ETag is the new one."""
    subscription = await service.update(
        session,
        principal,
        subscription_id=subscription_id,
        data=data,
        settings=settings,
        precondition=precondition,
    )
    public = service.to_public(subscription)
    response.headers["ETag"] = etag_of(public)
    return public


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_subscription(
    subscription_id: Id, principal: AdminDep, session: SessionDep
) -> None:
    """Unsubscribe; pending deliveries are cancelled, the delivery log is kept."""
    await service.delete(session, principal, subscription_id=subscription_id)


@router.post("/{subscription_id}/rotate-secret", response_model=SubscriptionWithSecret)
async def rotate_secret(
    subscription_id: Id,
    principal: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> SubscriptionWithSecret:
    """A new signing secret, shown only this once; the next attempts are signed with it."""
    subscription, secret = await service.rotate_secret(
        session, principal, subscription_id=subscription_id, settings=settings
    )
    response.headers.update(_NO_STORE)
    return service.with_secret(subscription, secret)


@router.get("/{subscription_id}/deliveries", response_model=Page[DeliveryPublic])
async def list_deliveries(
    subscription_id: Id,
    _principal: AdminDep,
    session: SessionDep,
    status_: Annotated[
        Literal["pending", "delivered", "failed", "cancelled"] | None,
        Query(alias="status", description="Only deliveries in this state"),
    ] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[DeliveryPublic]:
    """The delivery log: deliveries newest first, each with every attempt (time, status or
    error, latency, manual or not)."""
    return await service.deliveries(
        session, subscription_id, status=status_, cursor=cursor, limit=limit
    )


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryPublic,
)
async def replay_delivery(
    subscription_id: Id,
    delivery_id: Id,
    _principal: AdminDep,
    session: SessionDep,
    runtime: RuntimeDep,
) -> DeliveryPublic:
    """Send a delivered, failed or cancelled delivery again, with the same ``webhook-id`` (the
    receiver deduplicates). It is queued, due now; the attempt is logged as manual."""
    return await service.replay(
        session, subscription_id, delivery_id=delivery_id, now=runtime.clock.now()
    )


ROUTERS = (router,)
