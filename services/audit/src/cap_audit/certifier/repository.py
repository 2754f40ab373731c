"""Every query of the certification-body integration: connections, deliveries, secrets and
the webhooks applied."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_audit.models import (
    Audit,
    BodyConnection,
    BodyDelivery,
    BodySecret,
    DeliveryAttempt,
    InboundWebhook,
    Organisation,
)
from cap_shared.pagination import Keyset, key, newest_first

SECRET_KEYS = Keyset(
    "webhook-secrets",
    key(col(BodySecret.created_at), datetime),
    key(col(BodySecret.id), str),
)
#: The deliveries list: newest first (created_at, id descending).
DELIVERY_KEYS = newest_first("body-deliveries", col(BodyDelivery.created_at), col(BodyDelivery.id))


class CertifierRepository:
    """Connections to bodies' systems, deliveries to them, their secrets and webhooks."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: Any) -> None:
        """Insert or update a delivery, an attempt or a secret now."""
        self.session.add(row)
        await self.session.flush()

    async def flush(self) -> None:
        """Send the changes made to loaded rows."""
        await self.session.flush()

    async def connection(self, body_id: str) -> BodyConnection | None:
        """The body's connection, or None."""
        return await self.session.get(BodyConnection, body_id)

    async def save_connection(self, connection: BodyConnection) -> None:
        """Create or replace the body's connection."""
        await self.session.merge(connection)
        await self.session.flush()

    async def organisation(self, organisation_id: str) -> Organisation | None:
        """A member structure of the read model, or None."""
        return await self.session.get(Organisation, organisation_id)

    async def delivery(self, delivery_id: str) -> BodyDelivery | None:
        """One delivery, or None."""
        return await self.session.get(BodyDelivery, delivery_id)

    async def due_deliveries(self, now: datetime) -> Sequence[BodyDelivery]:
        """Pending deliveries due by ``now``, the longest waiting first."""
        query = (
            sa.select(BodyDelivery)
            .where(col(BodyDelivery.status) == "pending", col(BodyDelivery.next_attempt_at) <= now)
            .order_by(col(BodyDelivery.next_attempt_at))
        )
        return (await self.session.execute(query)).scalars().all()

    async def attempts(self, delivery_id: str) -> Sequence[DeliveryAttempt]:
        """The delivery's attempts, in order."""
        query = (
            sa.select(DeliveryAttempt)
            .where(col(DeliveryAttempt.delivery_id) == delivery_id)
            .order_by(col(DeliveryAttempt.number))
        )
        return (await self.session.execute(query)).scalars().all()

    async def deliveries_page(
        self,
        body_id: str,
        *,
        status: str | None,
        audit_id: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[BodyDelivery], str | None]:
        """A page of the body's deliveries, newest first."""
        query = sa.select(BodyDelivery).where(col(BodyDelivery.certification_body_id) == body_id)
        if status:
            query = query.where(col(BodyDelivery.status) == status)
        if audit_id:
            query = query.where(col(BodyDelivery.audit_id) == audit_id)
        return await DELIVERY_KEYS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def audits_in(self, statuses: Sequence[str]) -> Sequence[Audit]:
        """Audits in these states."""
        query = sa.select(Audit).where(col(Audit.status).in_(statuses))
        return (await self.session.execute(query)).scalars().all()

    async def secrets(self, body_id: str) -> Sequence[BodySecret]:
        """The body's webhook secrets, oldest first."""
        query = (
            sa.select(BodySecret)
            .where(col(BodySecret.certification_body_id) == body_id)
            .order_by(col(BodySecret.created_at))
        )
        return (await self.session.execute(query)).scalars().all()

    async def secrets_page(
        self, body_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[BodySecret], str | None]:
        """A page of the body's webhook secrets, oldest first."""
        query = sa.select(BodySecret).where(col(BodySecret.certification_body_id) == body_id)
        return await SECRET_KEYS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def webhook_applied(self, body_id: str, webhook_id: str) -> bool:
        """Whether this webhook id of the body was applied already."""
        return await self.session.get(InboundWebhook, (body_id, webhook_id)) is not None

    async def claim_webhook(
        self, *, body_id: str, webhook_id: str, kind: str, received_at: Any
    ) -> bool:
        """Record a body's webhook id as applied, in this transaction; False if it already is.

        A concurrent claim of the same id waits on the primary key until the other transaction
        ends: it finds the id taken once that one commits, and takes it if it rolls back.
        """
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        claimed = await self.session.execute(
            insert(InboundWebhook)
            .values(
                certification_body_id=body_id,
                webhook_id=webhook_id,
                type=kind,
                received_at=received_at,
            )
            .on_conflict_do_nothing(index_elements=["certification_body_id", "webhook_id"])
            .returning(col(InboundWebhook.webhook_id))
        )
        return claimed.first() is not None
