"""From a delivery to a committed effect: parse, validate, claim the inbox row, handle, commit.

Malformed envelopes, unknown event types and payloads that fail their model are permanent
failures: dead-lettered with the reason at once, never retried, never blocking the queue. The
ack happens after this returns, so after the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.contracts.envelope import Envelope
from cap_shared.contracts.registry import EventModel, model_for
from cap_shared.db.session import Database
from cap_shared.inbox.table import claim
from cap_shared.messaging.base import Delivery, PermanentError

EventHandler = Callable[[AsyncSession, Envelope, Any], Awaitable[None]]
Hook = Callable[[Envelope], Awaitable[None]]


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
        parts.append(f"{loc}: {err.get('msg')}")
    return "; ".join(parts)


class EventConsumer:
    """The handler a service registers with the broker for its queue."""

    def __init__(
        self,
        *,
        db: Database,
        inbox: sa.Table,
        consumer: str,
        handlers: Mapping[str, EventHandler],
        models: Mapping[str, type[EventModel]] | None = None,
        before_commit: Hook | None = None,
        after_commit: Hook | None = None,
    ) -> None:
        self.db = db
        self.inbox = inbox
        self.consumer = consumer
        self.handlers = dict(handlers)
        #: Payload model per event type: the registry's unless given (tests use private events).
        self.models: dict[str, type[EventModel]] = (
            dict(models) if models else {t: model_for(t) for t in self.handlers}
        )
        #: Fault-injection points for tests (crash before / after the commit).
        self.before_commit = before_commit
        self.after_commit = after_commit

    @property
    def bindings(self) -> tuple[str, ...]:
        """The routing keys this consumer handles."""
        return tuple(self.handlers)

    def parse(self, delivery: Delivery) -> tuple[Envelope, EventModel]:
        """Envelope and payload of a delivery, or :class:`PermanentError` saying what is wrong."""
        try:
            envelope = Envelope.from_json(delivery.body)
        except ValidationError as exc:
            raise PermanentError(f"malformed envelope: {_describe(exc)}") from exc
        except ValueError as exc:
            raise PermanentError(f"malformed envelope: {exc}") from exc
        model = self.models.get(envelope.type)
        if model is None:
            raise PermanentError(
                f"unknown event type {envelope.type!r} for consumer {self.consumer}"
            )
        try:
            payload = model.model_validate(envelope.data)
        except ValidationError as exc:
            raise PermanentError(f"invalid {envelope.type} data: {_describe(exc)}") from exc
        return envelope, payload

    async def __call__(self, delivery: Delivery) -> None:
        envelope, payload = self.parse(delivery)
        handler = self.handlers[envelope.type]
        async with self.db.session() as session:
            if not await claim(
                session,
                self.inbox,
                consumer=self.consumer,
                event_id=envelope.id,
                event_type=envelope.type,
            ):
                return  # already handled: a redelivery or a duplicate publish
            await handler(session, envelope, payload)
            if self.before_commit is not None:
                await self.before_commit(envelope)
        if self.after_commit is not None:
            await self.after_commit(envelope)
