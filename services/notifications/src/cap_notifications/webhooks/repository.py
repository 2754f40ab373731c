"""Every query of the outbound webhooks: subscriptions, deliveries and their attempts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_notifications.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from cap_shared.pagination import Keyset, key, newest_first

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


class SubscriptionRepository:
    """The webhook subscriptions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, subscription: WebhookSubscription) -> WebhookSubscription:
        """Insert a new subscription."""
        self.session.add(subscription)
        await self.session.flush()
        return subscription

    async def get(
        self, subscription_id: str, *, for_update: bool = False
    ) -> WebhookSubscription | None:
        """One subscription (deleted ones too), or None."""
        return await self.session.get(
            WebhookSubscription, subscription_id, with_for_update=for_update
        )

    async def page(
        self, *, cursor: str | None, limit: int
    ) -> tuple[list[WebhookSubscription], str | None]:
        """A page of the subscriptions (deleted ones excepted), oldest first."""
        query = sa.select(WebhookSubscription).where(col(WebhookSubscription.status) != "deleted")
        return await SUBSCRIPTIONS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def active(self) -> Sequence[WebhookSubscription]:
        """The active subscriptions."""
        query = sa.select(WebhookSubscription).where(col(WebhookSubscription.status) == "active")
        return (await self.session.execute(query)).scalars().all()

    async def active_event_types(self) -> list[tuple[str, list[str]]]:
        """(id, event types) of the active subscriptions (what routing an event needs, without
        loading the subscriptions and their secrets)."""
        query = sa.select(col(WebhookSubscription.id), col(WebhookSubscription.event_types)).where(
            col(WebhookSubscription.status) == "active"
        )
        return [(i, list(t or ())) for i, t in (await self.session.execute(query)).all()]

    async def by_id(self, subscription_ids: Iterable[str]) -> dict[str, WebhookSubscription]:
        """These subscriptions, by id."""
        query = sa.select(WebhookSubscription).where(
            col(WebhookSubscription.id).in_(set(subscription_ids))
        )
        return {s.id: s for s in (await self.session.execute(query)).scalars()}

    async def flush(self) -> None:
        """Write the changes made to the loaded subscriptions."""
        await self.session.flush()


class DeliveryRepository:
    """The deliveries of events to subscriptions, and the log of their attempts."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, delivery_id: str) -> WebhookDelivery | None:
        """One delivery, or None."""
        return await self.session.get(WebhookDelivery, delivery_id)

    async def pending_of(self, subscription_id: str) -> Sequence[WebhookDelivery]:
        """A subscription's deliveries still waiting to be sent."""
        query = sa.select(WebhookDelivery).where(
            col(WebhookDelivery.subscription_id) == subscription_id,
            col(WebhookDelivery.status) == "pending",
        )
        return (await self.session.execute(query)).scalars().all()

    async def insert_new(self, rows: list[dict[str, Any]]) -> int:
        """Insert these deliveries, skipping a (subscription, event) already held; how many
        were inserted."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(WebhookDelivery)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])
            .returning(col(WebhookDelivery.id))
        )
        return len((await self.session.execute(statement)).scalars().all())

    async def page(
        self, subscription_id: str, *, status: str | None, cursor: str | None, limit: int
    ) -> tuple[list[WebhookDelivery], str | None]:
        """A page of a subscription's deliveries, newest first."""
        query = sa.select(WebhookDelivery).where(
            col(WebhookDelivery.subscription_id) == subscription_id
        )
        if status is not None:
            query = query.where(col(WebhookDelivery.status) == status)
        return await deliveries_keyset(subscription_id).fetch(
            self.session, query, cursor=cursor, limit=limit
        )

    async def attempts_of(self, delivery_ids: Iterable[str]) -> dict[str, list[WebhookAttempt]]:
        """The attempts of these deliveries, in order, by delivery id."""
        attempts: dict[str, list[WebhookAttempt]] = {d: [] for d in delivery_ids}
        if not attempts:
            return attempts
        query = (
            sa.select(WebhookAttempt)
            .where(col(WebhookAttempt.delivery_id).in_(list(attempts)))
            .order_by(col(WebhookAttempt.number))
        )
        for attempt in (await self.session.execute(query)).scalars():
            attempts[attempt.delivery_id].append(attempt)
        return attempts

    async def lock_due(
        self, now: datetime, *, limit: int, skipped: Sequence[str] = ()
    ) -> list[WebhookDelivery]:
        """The due deliveries of active subscriptions (but the ``skipped`` ones), locked: rows
        another worker holds are skipped."""
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
        if skipped:
            query = query.where(col(WebhookDelivery.subscription_id).not_in(skipped))
        return list((await self.session.execute(query)).scalars().all())

    def log(self, attempt: WebhookAttempt) -> None:
        """Add an attempt to the log (written at the next flush)."""
        self.session.add(attempt)

    async def flush(self) -> None:
        """Write the changes made to the loaded deliveries."""
        await self.session.flush()
