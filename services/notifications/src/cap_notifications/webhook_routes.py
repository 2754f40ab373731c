"""HTTP routes of the outbound webhooks: subscriptions, their delivery log and replays (admin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, status
from fastapi.responses import Response

from cap_notifications import webhooks
from cap_notifications.config import Settings
from cap_notifications.webhooks import (
    DeliveryOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
    SubscriptionWithSecret,
)
from cap_shared.conditional import IfMatch, Precondition, etag_of
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.security import Allow, Principal, Role

Id = Annotated[str, Path(max_length=36)]
DeliveryId = Annotated[str, Path(max_length=64)]
Admin = Annotated[Principal, Depends(Allow(Role.ADMIN))]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "No valid token"},
    403: {"description": "Role not allowed"},
    404: {"description": "Unknown subscription or delivery"},
    409: {"description": "Not possible in the current state"},
    422: {"description": "Invalid input (a private address, an unknown event type)"},
}
#: Responses that carry a signing secret are never stored by a cache.
_NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(prefix="/v1/webhook-subscriptions", tags=["webhooks"], responses=_ERRORS)


def _settings(runtime: RuntimeDep) -> Settings:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SubscriptionWithSecret)
async def create_subscription(
    data: SubscriptionIn,
    principal: Admin,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    response: Response,
) -> SubscriptionWithSecret:
    """Subscribe a system to event types (or ``"*"``). The answer holds the signing secret,
    shown only this once: the receiver verifies the Standard Webhooks signature with it."""
    subscription, secret = await webhooks.create(
        session, principal, data, settings, runtime.clock.now()
    )
    response.headers.update(_NO_STORE)
    return webhooks.with_secret(subscription, secret)


@router.get("", response_model=Page[SubscriptionOut])
async def list_subscriptions(
    _principal: Admin,
    session: SessionDep,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[SubscriptionOut]:
    """The subscriptions (deleted ones excepted), oldest first (created_at, id), never their
    secrets."""
    rows, next_cursor = await webhooks.list_subscriptions(session, cursor=cursor, limit=limit)
    return Page[SubscriptionOut](data=[webhooks.to_out(s) for s in rows], next_cursor=next_cursor)


@router.get("/{subscription_id}", response_model=SubscriptionOut)
async def get_subscription(
    subscription_id: Id, _principal: Admin, session: SessionDep
) -> SubscriptionOut:
    """One subscription (never its secret)."""
    return webhooks.to_out(await webhooks.get(session, subscription_id))


@router.patch("/{subscription_id}", response_model=SubscriptionOut)
async def update_subscription(
    subscription_id: Id,
    data: SubscriptionPatch,
    principal: Admin,
    session: SessionDep,
    settings: SettingsDep,
    precondition: Annotated[Precondition, Depends(IfMatch(required=False))],
    response: Response,
) -> SubscriptionOut:
    """Change the name, URL or event types; ``status: "active"`` re-enables a disabled
    subscription, ``"disabled"`` stops it (its pending deliveries are cancelled). With If-Match
    (the ETag read), only if it did not change since (412); the answer's ETag is the new one."""
    out = webhooks.to_out(
        await webhooks.update(session, principal, subscription_id, data, settings, precondition)
    )
    response.headers["ETag"] = etag_of(out)
    return out


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_subscription(subscription_id: Id, principal: Admin, session: SessionDep) -> None:
    """Unsubscribe; pending deliveries are cancelled, the delivery log is kept."""
    await webhooks.delete(session, principal, subscription_id)


@router.post("/{subscription_id}/rotate-secret", response_model=SubscriptionWithSecret)
async def rotate_secret(
    subscription_id: Id,
    principal: Admin,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> SubscriptionWithSecret:
    """A new signing secret, shown only this once; the next attempts are signed with it."""
    subscription, secret = await webhooks.rotate_secret(
        session, principal, subscription_id, settings
    )
    response.headers.update(_NO_STORE)
    return webhooks.with_secret(subscription, secret)


@router.get("/{subscription_id}/deliveries", response_model=Page[DeliveryOut])
async def list_deliveries(
    subscription_id: Id,
    _principal: Admin,
    session: SessionDep,
    status_: Annotated[
        Literal["pending", "delivered", "failed", "cancelled"] | None,
        Query(alias="status", description="Only deliveries in this state"),
    ] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[DeliveryOut]:
    """The delivery log: deliveries newest first, each with every attempt (time, status or
    error, latency, manual or not)."""
    return await webhooks.deliveries(
        session, subscription_id, status=status_, cursor=cursor, limit=limit
    )


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
)
async def replay_delivery(
    subscription_id: Id,
    delivery_id: DeliveryId,
    _principal: Admin,
    session: SessionDep,
    runtime: RuntimeDep,
) -> DeliveryOut:
    """Send a delivered, failed or cancelled delivery again, with the same ``webhook-id`` (the
    receiver deduplicates). It is queued, due now; the attempt is logged as manual."""
    delivery = await webhooks.replay(session, subscription_id, delivery_id, runtime.clock.now())
    return webhooks.delivery_out(delivery, await webhooks.attempts_of(session, delivery.id))


ROUTERS = (router,)
