"""From a delivery to a committed effect: parse, validate, claim the inbox row, handle, commit.

Malformed envelopes, unknown event types and payloads that fail their model are permanent
failures: dead-lettered with the reason at once, never retried, never blocking the queue. The
ack happens after this returns, so after the commit.

Deliveries that arrive together (up to ``batch_size``, bounded by the queue's prefetch) share
one transaction: one inbox claim for all, each handler in turn, one commit. In a stream of
deliveries a batch lingers ``batch_linger`` for more; the first delivery after a quiet spell is
handled at once, with those already received (:class:`cap_shared.linger.Linger`). If anything
in the batch fails, the batch is rolled back and each delivery is handled again in its own
transaction, so retries and dead letters stay per message.

When the database is unreachable (:func:`cap_shared.db.outage.database_unreachable`) the
failure is not the event's: it is raised as :class:`DependencyUnavailable`, with a probe that
waits for the database to answer again, so the delivery is held and handled when it returns,
never counted as a failed attempt, never dead-lettered.

Tracing on, each handling (each attempt) is a CONSUMER span ``"<event type> process"``, a child
of the span that published the event (:mod:`cap_shared.messaging.tracing`); the events its
handler records carry that span, so a chain of events stays in the request's trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from opentelemetry import trace
from opentelemetry.trace import Span
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared import telemetry
from cap_shared.actor import acting_as, handling_event
from cap_shared.clock import Clock, using
from cap_shared.contracts.envelope import Envelope
from cap_shared.contracts.registry import EventModel, model_for
from cap_shared.db.outage import database_unreachable
from cap_shared.db.session import Database
from cap_shared.inbox.table import claim, claim_many
from cap_shared.linger import Linger
from cap_shared.logging import event_logging
from cap_shared.messaging import tracing
from cap_shared.messaging.base import Delivery, DependencyUnavailable, PermanentError

logger = logging.getLogger(__name__)

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
        #: How long a batch waits for more deliveries before its transaction starts, in a
        #: stream of deliveries (none after a quiet spell).
        self.batch_linger = batch_linger
        self._linger = Linger(batch_linger)
        self._queue: list[_Item] = []
        self._flusher: asyncio.Task[None] | None = None
        #: Backoff of the database probe while it is unreachable (seconds, first and largest).
        self.probe_delays = (0.1, 5.0)
        #: The one probe every held delivery waits on (one connection attempt at a time).
        self._probe: asyncio.Task[int] | None = None
        self._probe_waiters = 0
        #: Whether deliveries are held while the database is down (False while stopping).
        self.holding = True

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
            try:
                if telemetry.enabled():
                    # Parsed once: the span's parent comes from the envelope when the headers
                    # lack it; a malformed one fails inside the span, which records it.
                    parsed = self._parse_or_error(delivery)
                    envelope = parsed[0] if isinstance(parsed, tuple) else None
                    context = {
                        "traceparent": envelope and envelope.traceparent,
                        "tracestate": envelope and envelope.tracestate,
                    }
                    with tracing.processing(delivery, self.consumer, context):
                        await self._receive(delivery, parsed)
                else:  # off: not even a null context on the way
                    await self._receive(delivery)
            except Exception as exc:
                if isinstance(exc, PermanentError) or not database_unreachable(exc):
                    raise
                raise DependencyUnavailable(
                    f"database unreachable: {type(exc).__name__}: {exc}"[:500],
                    self.wait_for_database,
                ) from exc

    def release_held(self) -> None:
        """The consumer is stopping: let the deliveries held for the database go at once, parked
        round a delay queue with their attempt unchanged, instead of returning them unacked
        (which a quorum queue counts toward its delivery limit)."""
        self.holding = False
        if self._probe is not None:
            self._probe.cancel()

    async def wait_for_database(self, timeout: float) -> int | None:
        """Wait until the database answers; how many probes failed first (0: at once), or
        ``None`` when it still does not answer after ``timeout`` seconds or the consumer is
        stopping (:meth:`release_held`). Every held delivery waits on the same probe."""
        if not self.holding:
            return None
        if self._probe is None or self._probe.done() or self._probe.cancelling():
            self._probe = asyncio.create_task(self._probe_database())
        probe = self._probe
        self._probe_waiters += 1
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(probe)
        except TimeoutError:
            return None
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self.holding or task is None or task.cancelling():
                raise  # this delivery's own task is cancelled
            return None  # released: the probe was cancelled under it
        finally:
            self._probe_waiters -= 1
            if self._probe_waiters == 0 and not probe.done():
                probe.cancel()  # nobody waits any more (held too long, or shutting down)

    async def _probe_database(self) -> int:
        delay, largest = self.probe_delays
        failures = 0
        while True:
            try:
                async with asyncio.timeout(5.0):
                    await self.db.ping()
            except Exception as exc:
                if failures == 0:
                    logger.warning(
                        "%s: database unreachable (%s: %s); waiting for it",
                        self.consumer,
                        type(exc).__name__,
                        exc,
                    )
                failures += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, largest)
            else:
                if failures:
                    logger.info("%s: database back after %d probes", self.consumer, failures)
                return failures

    def _parse_or_error(self, delivery: Delivery) -> tuple[Envelope, EventModel] | PermanentError:
        try:
            return self.parse(delivery)
        except PermanentError as exc:
            return exc

    async def _receive(
        self, delivery: Delivery, parsed: tuple[Envelope, EventModel] | PermanentError | None = None
    ) -> None:
        if parsed is None:
            parsed = self.parse(delivery)
        if isinstance(parsed, PermanentError):
            raise parsed
        envelope, payload = parsed
        if self.batch_size <= 1:
            await self._handle_alone(_Item(envelope, payload))
            return
        # The flusher runs it in its own task: it takes the delivery's span along.
        span = trace.get_current_span() if telemetry.enabled() else None
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # If its caller gave up (handler timeout), nobody reads the outcome: mark it read.
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        item = _Item(envelope, payload, future, span)
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
        loop = asyncio.get_running_loop()
        self._linger.most = self.batch_linger
        while self._queue:
            if len(self._queue) < self.batch_size:
                # In a stream (deliveries that came during the last batch or just after it),
                # linger briefly so those close behind share the transaction; after a quiet
                # spell only let the deliveries already received reach the queue.
                await asyncio.sleep(self._linger.delay(loop.time()))
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
            finally:
                self._linger.worked(loop.time())

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
                # Changes the handler audits are the service's, on behalf of this event; the
                # events it records continue the event's trace (its span, even in a batch); its
                # log lines carry the event and the request that caused it.
                item = items[index]
                handler = self.handlers[event_type]
                with (
                    acting_as(handling_event(self.consumer, item.envelope.id)),
                    event_logging([item.envelope]),
                ):
                    if item.span is None:
                        await handler(session, item.envelope, item.payload)
                    else:
                        with _in_span(item.span):
                            await handler(session, item.envelope, item.payload)
                run = items[index : index + 1]
            else:
                end = index
                while end < len(items) and items[end].envelope.type == event_type:
                    end += 1
                run = items[index:end]
                only = run[0].envelope.id if len(run) == 1 else None
                events = [(item.envelope, item.payload) for item in run]
                with (
                    acting_as(handling_event(self.consumer, only)),
                    event_logging([item.envelope for item in run]),
                ):
                    if len(run) == 1 and run[0].span is not None:
                        with _in_span(run[0].span):
                            await batch_handler(session, events)
                    else:  # several: the flusher task's context (the first delivery's span)
                        await batch_handler(session, events)
            if self.before_commit is not None:
                for item in run:
                    await self.before_commit(item.envelope)
            index += len(run)


@dataclass
class _Item:
    envelope: Envelope
    payload: EventModel
    future: asyncio.Future[None] | None = None
    #: In a micro-batch (tracing on): the delivery's CONSUMER span, current while its handler
    #: runs in the flusher's task. None otherwise (the handler runs in the delivery's task).
    span: Span | None = None


def _in_span(span: Span) -> contextlib.AbstractContextManager[object]:
    # Only current: its outcome is the delivery's (recorded by its own span's context manager).
    return trace.use_span(span, record_exception=False, set_status_on_exception=False)


def _settle(item: _Item, exc: BaseException | None) -> None:
    if item.future is None or item.future.done():
        return
    if exc is None:
        item.future.set_result(None)
    else:
        item.future.set_exception(exc)
