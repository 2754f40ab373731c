"""One consumer of :class:`~cap_shared.messaging.rabbitmq.RabbitBroker`: its channel, its
deliveries handled and settled, and its resubscription by the broker's watchdog
(:mod:`cap_shared.messaging.watchdog`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

from cap_shared import metrics
from cap_shared.messaging.amqp import attempt_of as _attempt
from cap_shared.messaging.amqp import logging_of as _message_logging
from cap_shared.messaging.amqp import original_routing_key as _original_routing_key
from cap_shared.messaging.base import (
    ConsumerHandle,
    Delivery,
    Handler,
    Outcome,
    QueueSpec,
    delivery_logging,
    run_handler,
)
from cap_shared.messaging.batching import CONNECTION_ERRORS as _CONNECTION_ERRORS
from cap_shared.messaging.batching import ConsumerAcks as _ConsumerAcks

if TYPE_CHECKING:
    from cap_shared.messaging.rabbitmq import RabbitBroker

logger = logging.getLogger("cap_shared.messaging.rabbitmq")

#: Bound on each teardown step (cancel, channel close, connection close).
TEARDOWN_S = 3.0
_TEARDOWN_S = TEARDOWN_S


def _subscribed(connection: Any, tag: str) -> bool:
    """Some open AMQP channel of ``connection`` (aiormq's) holds the consumer ``tag``: the
    current one of our aio-pika channel, or one an earlier reopen of it left open and consuming
    (a robust channel reopened twice keeps only the second), which must not be doubled."""
    channels = getattr(connection, "channels", None) or {}
    return any(
        channel is not None and not channel.is_closed and tag in channel.consumers
        for channel in tuple(channels.values())
    )


async def restore_settled(channel: AbstractChannel) -> None:
    """Once aio-pika's own restore of ``channel``, if one runs right now, is over (bounded):
    the caller then looks again before it closes the channel and opens another."""
    restoring: asyncio.Lock | None = getattr(channel, "_RobustChannel__restore_lock", None)
    if restoring is not None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_TEARDOWN_S):
                await restoring.acquire()
                restoring.release()


class RabbitConsumer(ConsumerHandle):
    """A subscription to one queue on a channel of its own, with its prefetch."""

    def __init__(
        self,
        broker: RabbitBroker,
        spec: QueueSpec,
        handler: Handler,
        channel: AbstractChannel,
        queue: AbstractQueue,
        prefetch: int,
        *,
        dead: bool,
    ) -> None:
        self.broker = broker
        self.spec = spec
        self.handler = handler
        self.channel = channel
        self.queue = queue
        self.prefetch = prefetch
        self.dead = dead
        self._tag: str | None = None
        self._cancelled = False
        self._swap = asyncio.Lock()  # a resubscription and a cancel, one at a time
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._acks = _ConsumerAcks()  # the acks of deliveries settled together, in one frame

    async def start(self) -> None:
        """Subscribe and count in ``cap_event_consumers``."""
        self._tag = await self.queue.consume(self._on_message, no_ack=False)
        self.live(self.spec, True, dead=self.dead)

    async def cancel(self) -> None:
        """Stop taking messages, let those in flight finish (bounded), close the channel."""
        self._cancelled = True
        self.live(self.spec, False, dead=self.dead)
        async with self._swap:
            # Every step is bounded: on a connection that is down, a robust channel would
            # otherwise wait for the reconnection and a SIGTERM would never finish.
            if self._tag is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.queue.cancel(self._tag), timeout=_TEARDOWN_S)
                self._tag = None
            if self._in_flight:
                await asyncio.wait(self._in_flight, timeout=self.spec.handler_timeout)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.channel.close(), timeout=_TEARDOWN_S)
        self.broker._forget(self)

    # the watchdog's (cap_shared.messaging.watchdog.Watched) --------------------
    @property
    def watched_queue(self) -> str:
        """The queue's label in the metrics (``<name>`` or ``<name>.dlq``)."""
        return f"{self.spec.name}.dlq" if self.dead else self.spec.name

    @property
    def watched(self) -> str:
        """What it is, in the watchdog's warnings."""
        return f"consumer of {self.watched_queue}"

    def working(self) -> bool:
        """Subscribed: an open AMQP channel of the broker's connection holds our consumer tag
        (or cancelled: nothing to look after)."""
        if self._cancelled or self._tag is None:
            return True
        transport = getattr(self.broker._connection, "transport", None)
        return transport is not None and _subscribed(transport.connection, self._tag)

    def counted(self, on: bool) -> None:
        """Count it, or not, in ``cap_event_consumers``."""
        self.live(self.spec, on, dead=self.dead)

    async def restore(self) -> bool:
        """Close the channel aio-pika failed to restore and consume on a new one. The old channel
        is closed first (no two consumers of ours on the queue); its unacked deliveries go back
        to the queue and come again, marked redelivered, to the inbox that recognises them."""
        async with self._swap:
            old = self.channel
            await restore_settled(old)
            if self.working():
                return False
            # close() marks a robust channel closed for good: no later restore of it.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(old.close(), timeout=_TEARDOWN_S)
            channel, queue = await self.broker._consuming_channel(self.queue.name, self.prefetch)
            try:
                tag = await asyncio.wait_for(
                    queue.consume(self._on_message, no_ack=False), timeout=_TEARDOWN_S
                )
            except BaseException:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(channel.close(), timeout=_TEARDOWN_S)
                raise
            self.channel, self.queue, self._tag = channel, queue, tag
            return True

    def restored(self) -> None:
        """The warning and ``cap_event_consumers_restored_total`` of a resubscription."""
        metrics.EVENT_CONSUMERS_RESTORED.labels(queue=self.watched_queue).inc()
        logger.warning(
            "consumer of %s had lost its channel or subscription and aio-pika did not "
            "restore it; subscribed again on a new channel",
            self.watched_queue,
        )

    def _delivery(self, message: AbstractIncomingMessage) -> Delivery:
        headers = dict(message.headers or {})
        return Delivery(
            body=message.body,
            routing_key=_original_routing_key(headers, message.routing_key),
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            headers=headers,
            redelivered=bool(message.redelivered),
            attempt=_attempt(headers),
            queue=self.queue.name,
            type=message.type,
            timestamp=message.timestamp,
            content_type=message.content_type,
        )

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            await self._settle(message)
        except asyncio.CancelledError:
            raise  # unacked: the broker requeues it when the channel closes
        except BaseException:
            # The consumer died mid-message (as a crashed process would): returned unacked,
            # counted against the queue's delivery limit.
            with _message_logging(message):
                logger.exception("consumer died on message %s; returning it", message.message_id)
            await self._nack(message)
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def _settle(self, message: AbstractIncomingMessage) -> None:
        delivery = self._delivery(message)
        if self.dead:
            # The dead-letter handler's lines (the dead letter recorded) carry its event too.
            with delivery_logging(delivery):
                try:
                    await self.handler(delivery)
                except Exception:
                    logger.exception(
                        "dead-letter handler failed; the message stays in %s", self.queue.name
                    )
                    await asyncio.sleep(1.0)
                    await self._nack(message)
                    return
                await self._ack(message)
            return
        decision = await run_handler(self.spec, self.handler, delivery)
        try:
            if decision.outcome is Outcome.RETRY:
                await self.broker._retry_later(self.spec, delivery, decision, message)
            elif decision.outcome is Outcome.DEAD:
                await self.broker._dead_letter(self.spec, delivery, decision.reason, message)
        except Exception:
            # Could not park it: give it back to the broker (counted against the delivery limit).
            with delivery_logging(delivery):
                logger.exception(
                    "could not route message %s for %s; requeueing",
                    delivery.message_id,
                    decision.outcome.value,
                )
            await self._nack(message)
            return
        await self._ack(message)

    async def _ack(self, message: AbstractIncomingMessage) -> None:
        try:
            await self._acks.ack(message)
        except _CONNECTION_ERRORS:
            # The channel died after the work was committed: the broker redelivers, the inbox
            # recognises the event id.
            with _message_logging(message):
                logger.warning(
                    "ack of %s lost with its channel; it will be redelivered", message.message_id
                )

    async def _nack(self, message: AbstractIncomingMessage) -> None:
        with contextlib.suppress(*_CONNECTION_ERRORS):
            await message.nack(requeue=True)
            self._acks.settled(message)  # its frame is queued: a later run may pass it
