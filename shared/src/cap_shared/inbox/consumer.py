"""From a delivery to a committed effect: parse, validate, claim the inbox row, handle, commit.

Malformed envelopes, unknown event types and payloads that fail their model are permanent
failures: dead-lettered with the reason at once, never retried, never blocking the queue. The
ack happens after this returns, so after the commit.

Deliveries that arrive together (up to ``batch_size``, bounded by the queue's prefetch) share
one transaction: one inbox claim for all, each handler in turn, one commit. If anything in the
batch fails, the batch is rolled back and each delivery is handled again in its own
transaction, so retries and dead letters stay per message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.clock import Clock, using
from cap_shared.contracts.envelope import Envelope
from cap_shared.contracts.registry import EventModel, model_for
from cap_shared.db.session import Database
from cap_shared.inbox.table import claim, claim_many
from cap_shared.messaging.base import Delivery, PermanentError

EventHandler = Callable[[AsyncSession, Envelope, Any], Awaitable[None]]
#: A handler for many events of one type at once (e.g. one multi-row INSERT for a projection).
BatchEventHandler = Callable[[AsyncSession, list[tuple[Envelope, Any]]], Awaitable[None]]
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
        handlers: Mapping[str, EventHandler] | None = None,
        batch_handlers: Mapping[str, BatchEventHandler] | None = None,
        models: Mapping[str, type[EventModel]] | None = None,
        before_commit: Hook | None = None,
        after_commit: Hook | None = None,
        batch_size: int = 1,
        batch_linger: float = 0.005,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        #: The service's clock, installed while handlers run (their "now").
        self.clock = clock
        self.inbox = inbox
        self.consumer = consumer
        self.handlers = dict(handlers or {})
        self.batch_handlers = dict(batch_handlers or {})
        #: Payload model per event type: the registry's unless given (tests use private events).
        types = [*self.handlers, *self.batch_handlers]
        self.models: dict[str, type[EventModel]] = (
            dict(models) if models else {t: model_for(t) for t in types}
        )
        #: Fault-injection points for tests (crash before / after the commit).
        self.before_commit = before_commit
        self.after_commit = after_commit
        #: Deliveries handled in one transaction when they arrive together (1: one each).
        self.batch_size = batch_size
        #: How long a batch waits for more deliveries before its transaction starts.
        self.batch_linger = batch_linger
        self._queue: list[_Item] = []
        self._flusher: asyncio.Task[None] | None = None

    @property
    def bindings(self) -> tuple[str, ...]:
        """The routing keys this consumer handles."""
        return tuple(dict.fromkeys([*self.handlers, *self.batch_handlers]))

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
        """Handle one delivery on the service's clock."""
        # Handlers, record timestamps and the commit all run on the service's clock (the
        # micro-batch flusher started here inherits it).
        with using(self.clock):
            await self._receive(delivery)

    async def _receive(self, delivery: Delivery) -> None:
        envelope, payload = self.parse(delivery)
        if self.batch_size <= 1:
            await self._handle_alone(_Item(envelope, payload))
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # If its caller gave up (handler timeout), nobody reads the outcome: mark it read.
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        item = _Item(envelope, payload, future)
        self._queue.append(item)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await asyncio.shield(item.future)  # type: ignore[arg-type]

    # one event, one transaction ---------------------------------------------------------
    async def _handle_alone(self, item: _Item) -> None:
        async with self.db.session() as session:
            if await claim(
                session,
                self.inbox,
                consumer=self.consumer,
                event_id=item.envelope.id,
                event_type=item.envelope.type,
            ):
                await self._run_handlers(session, [item])
            else:
                return  # already handled: a redelivery or a duplicate publish
        if self.after_commit is not None:
            await self.after_commit(item.envelope)

    # micro-batches: the deliveries waiting together share one transaction ------------------
    async def _flush(self) -> None:
        while self._queue:
            if len(self._queue) < self.batch_size:
                # Linger briefly so deliveries arriving together share the transaction.
                await asyncio.sleep(self.batch_linger)
            batch = self._queue[: self.batch_size]
            del self._queue[: self.batch_size]
            try:
                await self._handle_batch(batch)
            except Exception:
                # One of them failed: roll the batch back and give each its own transaction,
                # so that a failure (retry, dead letter) belongs to its own message only.
                for item in batch:
                    try:
                        await self._handle_alone(item)
                    except BaseException as exc:
                        _settle(item, exc)
                    else:
                        _settle(item, None)
            except asyncio.CancelledError as exc:
                for item in batch + self._queue:
                    _settle(item, exc)
                self._queue.clear()
                raise
            except BaseException as exc:  # the process is dying: none of them is acked
                for item in batch:
                    _settle(item, exc)
            else:
                for item in batch:
                    _settle(item, None)

    async def _handle_batch(self, batch: list[_Item]) -> None:
        async with self.db.session() as session:
            claimed = await claim_many(
                session,
                self.inbox,
                consumer=self.consumer,
                events=[(item.envelope.id, item.envelope.type) for item in batch],
            )
            fresh = []
            for item in batch:
                if item.envelope.id in claimed:  # else already handled, or twice in this batch
                    claimed.discard(item.envelope.id)
                    fresh.append(item)
            await self._run_handlers(session, fresh)
        if self.after_commit is not None:
            for item in batch:
                await self.after_commit(item.envelope)

    async def _run_handlers(self, session: AsyncSession, items: list[_Item]) -> None:
        """Run handlers in delivery order; consecutive events of a batch-handled type go together."""
        index = 0
        while index < len(items):
            event_type = items[index].envelope.type
            batch_handler = self.batch_handlers.get(event_type)
            if batch_handler is None:
                await self.handlers[event_type](
                    session, items[index].envelope, items[index].payload
                )
                run = items[index : index + 1]
            else:
                end = index
                while end < len(items) and items[end].envelope.type == event_type:
                    end += 1
                run = items[index:end]
                await batch_handler(session, [(item.envelope, item.payload) for item in run])
            if self.before_commit is not None:
                for item in run:
                    await self.before_commit(item.envelope)
            index += len(run)


@dataclass
class _Item:
    envelope: Envelope
    payload: EventModel
    future: asyncio.Future[None] | None = None


def _settle(item: _Item, exc: BaseException | None) -> None:
    if item.future is None or item.future.done():
        return
    if exc is None:
        item.future.set_result(None)
    else:
        item.future.set_exception(exc)
