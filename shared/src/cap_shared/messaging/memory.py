"""In-memory broker: the RabbitMQ semantics of :mod:`cap_shared.messaging.base`, in one process.

Used by the standalone topology and by fast tests. It keeps messages in memory only, so it is
``ephemeral``: the outbox relay republishes recent events at start-up after a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

from cap_shared.clock import wall_now
from cap_shared.messaging.base import (
    ATTEMPT_HEADER,
    DELIVERY_LIMIT_REASON,
    Broker,
    BrokerUnavailable,
    ConsumerHandle,
    Delivery,
    Handler,
    Outcome,
    OutgoingMessage,
    QueueSpec,
    Unroutable,
    dead_letter_headers,
    delivery_logging,
    run_handler,
    topic_matches,
)

logger = logging.getLogger(__name__)


@dataclass
class _Message:
    message: OutgoingMessage
    headers: dict[str, Any]
    delivery_count: int = 0

    @property
    def redelivered(self) -> bool:
        return self.delivery_count > 0


@dataclass
class _Queue:
    name: str
    spec: QueueSpec | None
    dead_letter_to: str | None
    items: deque[_Message] = field(default_factory=deque)
    ready: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def put(self, item: _Message, *, front: bool = False) -> None:
        async with self.ready:
            if front:
                self.items.appendleft(item)
            else:
                self.items.append(item)
            self.ready.notify()

    async def get(self) -> _Message:
        async with self.ready:
            await self.ready.wait_for(lambda: bool(self.items))
            return self.items.popleft()


class MemoryBroker(Broker):
    """Topic routing, confirms, delayed retries, delivery limit and dead-letter queues in memory."""

    ephemeral = True

    def __init__(self, *, namespace: str = "cap") -> None:
        super().__init__(namespace=namespace)
        self._queues: dict[str, _Queue] = {}
        self._bindings: list[tuple[str, str]] = []
        self._running = False
        self._available = True
        self._consumers: list[_MemoryConsumer] = []
        self._timers: set[asyncio.TimerHandle] = set()
        self._puts: set[asyncio.Task[None]] = set()

    # fault injection for tests ----------------------------------------------
    def set_available(self, available: bool) -> None:
        """Simulate a broker outage: while unavailable every publish raises BrokerUnavailable."""
        self._available = available

    # lifecycle ---------------------------------------------------------------
    async def start(self) -> None:
        """Start accepting messages."""
        self._running = True

    async def close(self) -> None:
        """Stop every consumer and pending retry."""
        for consumer in list(self._consumers):
            await consumer.cancel()
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        self._running = False

    async def ping(self) -> None:
        """Raise BrokerUnavailable unless the broker runs and is reachable."""
        if not self._running or not self._available:
            raise BrokerUnavailable("in-memory broker is not running")

    # publishing --------------------------------------------------------------
    async def publish(self, message: OutgoingMessage, *, timeout: float = 5.0) -> None:
        """Deliver ``message`` to every queue bound to its routing key (Unroutable if none)."""
        await self.ping()
        targets = [
            q for pattern, q in self._bindings if topic_matches(pattern, message.routing_key)
        ]
        if not targets:
            raise Unroutable(f"no queue bound to routing key {message.routing_key!r}")
        for name in dict.fromkeys(targets):
            await self._queues[name].put(_Message(message, dict(message.headers)))

    # consuming ---------------------------------------------------------------
    async def declare_queue(self, spec: QueueSpec) -> None:
        """Create the queue of ``spec`` and its dead-letter queue, bound to their keys."""
        name = self.queue_name(spec)
        dlq = self.dead_letter_queue_name(spec)
        if dlq not in self._queues:
            self._queues[dlq] = _Queue(dlq, None, None)
        if name not in self._queues:
            self._queues[name] = _Queue(name, spec, dlq)
        for key in spec.bindings:
            if (key, name) not in self._bindings:
                self._bindings.append((key, name))

    async def consume(self, spec: QueueSpec, handler: Handler) -> ConsumerHandle:
        """Deliver the queue's messages to ``handler`` until cancelled."""
        await self.declare_queue(spec)
        consumer = _MemoryConsumer(
            self, self._queues[self.queue_name(spec)], spec, handler, dead=False
        )
        consumer.start()
        self._consumers.append(consumer)
        return consumer

    async def consume_dead_letters(self, spec: QueueSpec, handler: Handler) -> ConsumerHandle:
        """Deliver the queue's dead letters to ``handler`` until cancelled."""
        await self.declare_queue(spec)
        queue = self._queues[self.dead_letter_queue_name(spec)]
        consumer = _MemoryConsumer(self, queue, spec, handler, dead=True)
        consumer.start()
        self._consumers.append(consumer)
        return consumer

    async def send_to_queue(
        self, spec: QueueSpec, message: OutgoingMessage, *, timeout: float = 5.0
    ) -> None:
        """Put ``message`` straight into the queue of ``spec``."""
        await self.ping()
        await self.declare_queue(spec)
        await self._queues[self.queue_name(spec)].put(_Message(message, dict(message.headers)))

    async def queue_depth(self, queue: str) -> int:
        """How many messages wait in ``queue``."""
        q = self._queues.get(queue)
        return len(q.items) if q else 0

    # internals ---------------------------------------------------------------
    def _schedule(self, delay: float, queue: _Queue, item: _Message) -> None:
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.discard(handle)
            task = loop.create_task(queue.put(item))
            self._puts.add(task)
            task.add_done_callback(self._puts.discard)

        handle = loop.call_later(delay, fire)
        self._timers.add(handle)

    async def _dead_letter(self, queue: _Queue, item: _Message, headers: dict[str, Any]) -> None:
        assert queue.dead_letter_to is not None
        await self._queues[queue.dead_letter_to].put(_Message(item.message, headers))

    def _forget(self, consumer: _MemoryConsumer) -> None:
        with contextlib.suppress(ValueError):
            self._consumers.remove(consumer)


class _MemoryConsumer(ConsumerHandle):
    def __init__(
        self, broker: MemoryBroker, queue: _Queue, spec: QueueSpec, handler: Handler, *, dead: bool
    ) -> None:
        self.broker = broker
        self.queue = queue
        self.spec = spec
        self.handler = handler
        self.dead = dead
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        # ``prefetch`` workers: at most that many messages in flight, as with basic.qos.
        self._tasks = [asyncio.create_task(self._work()) for _ in range(self.spec.prefetch)]
        self.live(self.spec, True, dead=self.dead)

    async def cancel(self) -> None:
        self.live(self.spec, False, dead=self.dead)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.broker._forget(self)

    async def _work(self) -> None:
        while True:
            item = await self.queue.get()
            try:
                await self._process(item)
            except asyncio.CancelledError:
                # The consumer stops: not acked, so the broker gives it back (a delivery).
                await self._return(item)
                raise
            except BaseException:
                # The consumer died mid-message (as a crashed process would): returned unacked.
                with delivery_logging(self._delivery(item)):
                    logger.exception(
                        "consumer died on message %s; returning it", item.message.message_id
                    )
                await self._return(item)

    async def _return(self, item: _Message) -> None:
        item.delivery_count += 1
        if not self.dead and item.delivery_count > self.spec.delivery_limit:
            # Same headers as RabbitMQ's own dead-lettering: x-death (most recent first).
            headers = dict(item.headers)
            death = {
                "reason": DELIVERY_LIMIT_REASON,
                "queue": self.queue.name,
                "count": 1,
                "exchange": self.broker.exchange_name,
                "routing-keys": [item.message.routing_key],
            }
            headers["x-death"] = [death, *list(headers.get("x-death") or [])]
            headers.setdefault("x-first-death-reason", DELIVERY_LIMIT_REASON)
            headers.setdefault("x-first-death-queue", self.queue.name)
            await self.broker._dead_letter(self.queue, item, headers)
            return
        await self.queue.put(item, front=True)

    def _delivery(self, item: _Message) -> Delivery:
        msg = item.message
        return Delivery(
            body=msg.body,
            routing_key=msg.routing_key,
            message_id=msg.message_id,
            correlation_id=msg.correlation_id,
            headers=dict(item.headers),
            redelivered=item.redelivered,
            attempt=int(item.headers.get(ATTEMPT_HEADER, 1)),
            queue=self.queue.name,
            type=msg.type,
            timestamp=msg.timestamp or wall_now(),
            content_type=msg.content_type,
        )

    async def _process(self, item: _Message) -> None:
        delivery = self._delivery(item)
        if self.dead:
            # Dead letters are acked only when the handler returns; otherwise kept for later.
            # The dead-letter handler's lines (the dead letter recorded) carry its event too.
            with delivery_logging(delivery):
                try:
                    await self.handler(delivery)
                except Exception:
                    logger.exception("dead-letter handler failed; keeping the message")
                    await asyncio.sleep(1.0)
                    await self.queue.put(item)
            return
        decision = await run_handler(self.spec, self.handler, delivery)
        if decision.outcome is Outcome.ACK:
            return
        if decision.outcome is Outcome.RETRY:
            headers = dict(item.headers)
            headers[ATTEMPT_HEADER] = decision.next_attempt(delivery)
            retry = _Message(replace(item.message), headers)
            self.broker._schedule(decision.delay, self.queue, retry)
            return
        await self.broker._dead_letter(
            self.queue, item, dead_letter_headers(delivery, decision.reason)
        )
