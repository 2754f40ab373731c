"""RabbitMQ broker on aio-pika: robust connection, confirms, quorum queues, delays and DLQs.

Topology for a consumer queue ``Q`` (``<namespace>.<service>``):

* ``<ns>.events``  durable topic exchange; ``Q`` is bound to it once per routing key it handles;
* ``Q``            quorum queue, explicit ``x-delivery-limit``, at-least-once DLX ``<ns>.dlx``;
* ``Q.dlq``        quorum queue bound to ``<ns>.dlx`` (direct) with key ``Q``;
* ``Q.retry.<ms>`` one quorum queue per retry delay, bound to ``<ns>.retry`` (direct); its
  ``x-message-ttl`` expires messages back to ``Q`` through the default exchange.

Every publish is persistent, mandatory, awaited for its confirm within a timeout, on a channel
with ``on_return_raises`` so that an unroutable event raises instead of vanishing.

A cluster: every node's URL, separated by commas (:mod:`cap_shared.messaging.failover`); quorum
queues get RabbitMQ's default of three replicas (no ``x-quorum-initial-group-size``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)

from cap_shared.messaging.amqp import attempt_of as _attempt
from cap_shared.messaging.amqp import logging_of as _message_logging
from cap_shared.messaging.amqp import original_routing_key as _original_routing_key
from cap_shared.messaging.amqp import to_amqp as _to_amqp
from cap_shared.messaging.base import (
    ATTEMPT_HEADER,
    ROUTING_KEY_HEADER,
    Broker,
    BrokerUnavailable,
    ConsumerHandle,
    Decision,
    Delivery,
    Handler,
    Outcome,
    OutgoingMessage,
    QueueSpec,
    dead_letter_headers,
    delivery_logging,
    run_handler,
)
from cap_shared.messaging.batching import CONNECTION_ERRORS as _CONNECTION_ERRORS
from cap_shared.messaging.batching import ConsumerAcks as _ConsumerAcks
from cap_shared.messaging.batching import publish_confirmed as _publish_confirmed
from cap_shared.messaging.batching import publish_error as _publish_error
from cap_shared.messaging.failover import broker_addresses, connect_nodes

logger = logging.getLogger(__name__)

#: Bound on each teardown step (cancel, channel close, connection close).
_TEARDOWN_S = 3.0


class RabbitBroker(Broker):
    """The production broker."""

    def __init__(
        self,
        url: str | Sequence[str],
        *,
        namespace: str = "cap",
        connect_timeout: float = 5.0,
        reconnect_interval: float = 2.0,
    ) -> None:
        super().__init__(namespace=namespace)
        self.urls = broker_addresses(url)  # every node of a cluster
        self.url = self.urls[0]
        self.connect_timeout = connect_timeout
        self.reconnect_interval = reconnect_interval
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._dlx: AbstractExchange | None = None
        self._retry: AbstractExchange | None = None
        self._consumers: list[_RabbitConsumer] = []
        self._declared: set[str] = set()
        self._queue_names: set[str] = set()

    @property
    def dead_letter_exchange_name(self) -> str:
        """Direct exchange dead letters are routed through."""
        return f"{self.namespace}.dlx"

    @property
    def retry_exchange_name(self) -> str:
        """Direct exchange delayed retries are routed through."""
        return f"{self.namespace}.retry"

    def retry_queue_name(self, spec: QueueSpec, delay: float) -> str:
        """The delay queue for one retry delay of ``spec``."""
        return f"{self.queue_name(spec)}.retry.{round(delay * 1000)}"

    # lifecycle ---------------------------------------------------------------
    async def start(self) -> None:
        """Connect and declare the exchanges (BrokerUnavailable if RabbitMQ cannot be reached)."""
        try:
            self._connection = await connect_nodes(
                self.urls,
                connect_timeout=self.connect_timeout,
                reconnect_interval=self.reconnect_interval,
                errors=_CONNECTION_ERRORS,
            )
            # cap_event_consumers: none while the connection is down, back once reconnected.
            self._connection.close_callbacks.add(lambda *_: self._consumers_live(False))
            self._connection.reconnect_callbacks.add(lambda *_: self._consumers_live(True))
            channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
            self._channel = channel
            self._exchange = await channel.declare_exchange(
                self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
            )
            self._dlx = await channel.declare_exchange(
                self.dead_letter_exchange_name, aio_pika.ExchangeType.DIRECT, durable=True
            )
            self._retry = await channel.declare_exchange(
                self.retry_exchange_name, aio_pika.ExchangeType.DIRECT, durable=True
            )
        except (*_CONNECTION_ERRORS, TimeoutError) as exc:
            await self.close()
            raise BrokerUnavailable(
                f"cannot connect to RabbitMQ: {type(exc).__name__}: {exc}"
            ) from exc

    async def close(self) -> None:
        """Cancel every consumer and close the connection."""
        for consumer in list(self._consumers):
            with contextlib.suppress(Exception):
                await consumer.cancel()
        self._consumers.clear()
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._connection.close(), timeout=_TEARDOWN_S)
        self._connection = self._channel = None
        self._exchange = self._dlx = self._retry = None
        self._declared.clear()

    async def ping(self) -> None:
        """Raise BrokerUnavailable unless the connection and channel are open."""
        if (
            self._connection is None
            or self._connection.is_closed
            or self._channel is None
            or self._channel.is_closed
        ):
            raise BrokerUnavailable("not connected to RabbitMQ")

    async def _connected(self) -> AbstractRobustConnection:
        """The connection, waited for up to ``connect_timeout`` while it reconnects (aio-pika
        would raise ``RuntimeError("Connection was not opened")``)."""
        connection = self._connection
        if connection is None or connection.is_closed:
            raise BrokerUnavailable("not connected to RabbitMQ")
        try:
            await asyncio.wait_for(connection.ready(), timeout=self.connect_timeout)
        except TimeoutError as exc:
            raise BrokerUnavailable(f"not reconnected within {self.connect_timeout}s") from exc
        return connection

    # publishing --------------------------------------------------------------
    async def _publish_to(
        self,
        exchange: AbstractExchange | None,
        routing_key: str,
        amqp: aio_pika.Message,
        *,
        timeout: float,
    ) -> None:
        if exchange is None:
            raise BrokerUnavailable("not connected to RabbitMQ")
        await self.ping()
        try:
            # Our own deadline on top of aio-pika's: a publish on a dropped robust connection can
            # otherwise wait for the reconnection (aio-pika #636); in this task (no wait_for task).
            async with asyncio.timeout(timeout):
                await exchange.publish(amqp, routing_key, mandatory=True, timeout=timeout)
        except BaseException as exc:
            if (error := _publish_error(exc, routing_key, timeout)) is None:
                raise  # the caller's cancellation
            raise error from exc

    async def publish(self, message: OutgoingMessage, *, timeout: float = 5.0) -> None:
        """Publish ``message`` to the topic exchange and wait for the broker's confirm."""
        await self._publish_to(
            self._exchange, message.routing_key, _to_amqp(message), timeout=timeout
        )

    async def publish_many(
        self, messages: Sequence[OutgoingMessage], *, timeout: float = 5.0
    ) -> list[BaseException | None]:
        """As :meth:`Broker.publish_many` says, the frames of ``messages`` in one socket write
        (:func:`~cap_shared.messaging.batching.publish_batch`)."""
        exchange, channel = self._exchange, self._channel
        try:
            if exchange is None or channel is None:
                raise BrokerUnavailable("not connected to RabbitMQ")
            await self.ping()
        except BrokerUnavailable as exc:
            return [exc] * len(messages)
        one_by_one = super().publish_many
        return await _publish_confirmed(
            channel, exchange.name, messages, timeout=timeout, one_by_one=one_by_one
        )

    async def send_to_queue(
        self, spec: QueueSpec, message: OutgoingMessage, *, timeout: float = 5.0
    ) -> None:
        """Put ``message`` straight into the queue of ``spec`` (routing key kept in a header)."""
        await self.declare_queue(spec)
        assert self._channel is not None
        # Through the default exchange the routing key is the queue name: keep the original.
        headers = {**message.headers, ROUTING_KEY_HEADER: message.routing_key}
        await self._publish_to(
            self._channel.default_exchange,
            self.queue_name(spec),
            _to_amqp(message, headers),
            timeout=timeout,
        )

    # topology ----------------------------------------------------------------
    def main_queue_arguments(self, spec: QueueSpec) -> dict[str, Any]:
        """Arguments of the consumer queue (also written to deploy/'s definitions)."""
        return {
            "x-queue-type": "quorum",
            "x-delivery-limit": spec.delivery_limit,
            "x-dead-letter-exchange": self.dead_letter_exchange_name,
            "x-dead-letter-routing-key": self.queue_name(spec),
            # At-least-once dead-lettering keeps the message until the DLQ confirms it; it
            # requires reject-publish overflow.
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }

    def retry_queue_arguments(self, spec: QueueSpec, delay: float) -> dict[str, Any]:
        """Arguments of a delay queue: expire after ``delay``, then back to the consumer queue."""
        return {
            "x-queue-type": "quorum",
            "x-message-ttl": round(delay * 1000),
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": self.queue_name(spec),
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }

    async def declare_queue(self, spec: QueueSpec) -> None:
        """Declare the queue of ``spec``, its retry and dead-letter queues, and their bindings."""
        name = self.queue_name(spec)
        if name in self._declared:
            return
        await self._connected()
        await self.ping()
        channel = self._channel
        if channel is None or self._exchange is None or self._dlx is None or self._retry is None:
            raise BrokerUnavailable("not connected to RabbitMQ")
        try:
            queue = await channel.declare_queue(
                name, durable=True, arguments=self.main_queue_arguments(spec)
            )
            for key in spec.bindings:
                await queue.bind(self._exchange, routing_key=key)
            dlq = await channel.declare_queue(
                self.dead_letter_queue_name(spec),
                durable=True,
                arguments={"x-queue-type": "quorum"},
            )
            await dlq.bind(self._dlx, routing_key=name)
            for delay in sorted(set(spec.retry_delays)):
                retry_name = self.retry_queue_name(spec, delay)
                retry = await channel.declare_queue(
                    retry_name, durable=True, arguments=self.retry_queue_arguments(spec, delay)
                )
                await retry.bind(self._retry, routing_key=retry_name)
                self._queue_names.add(retry_name)
            self._queue_names.update({name, self.dead_letter_queue_name(spec)})
        except _CONNECTION_ERRORS as exc:
            raise BrokerUnavailable(f"cannot declare {name}: {exc}") from exc
        self._declared.add(name)

    async def queue_depth(self, queue: str) -> int:
        """How many messages wait in ``queue``."""
        try:
            channel = await (await self._connected()).channel()
        except (*_CONNECTION_ERRORS, RuntimeError) as exc:
            raise BrokerUnavailable(f"cannot open a channel: {exc}") from exc
        try:
            declared = await channel.declare_queue(queue, passive=True)
            return int(declared.declaration_result.message_count or 0)
        finally:
            await channel.close()

    def declared_queue_names(self) -> set[str]:
        """Every queue this broker declared (consumer, dead-letter and delay queues)."""
        return set(self._queue_names)

    # consuming ---------------------------------------------------------------
    async def _subscribe(
        self, spec: QueueSpec, handler: Handler, queue_name: str, prefetch: int, *, dead: bool
    ) -> ConsumerHandle:
        await self.declare_queue(spec)
        try:
            channel = await (await self._connected()).channel(publisher_confirms=False)
            await channel.set_qos(prefetch_count=prefetch)
            queue = await channel.get_queue(queue_name, ensure=True)
        except (*_CONNECTION_ERRORS, RuntimeError) as exc:
            raise BrokerUnavailable(f"cannot consume {queue_name}: {exc}") from exc
        consumer = _RabbitConsumer(self, spec, handler, channel, queue, dead=dead)
        await consumer.start()
        self._consumers.append(consumer)
        return consumer

    async def consume(self, spec: QueueSpec, handler: Handler) -> ConsumerHandle:
        """Deliver the queue's messages to ``handler`` until cancelled."""
        return await self._subscribe(
            spec, handler, self.queue_name(spec), spec.prefetch, dead=False
        )

    async def consume_dead_letters(self, spec: QueueSpec, handler: Handler) -> ConsumerHandle:
        """Deliver the queue's dead letters to ``handler`` until cancelled."""
        return await self._subscribe(
            spec, handler, self.dead_letter_queue_name(spec), min(spec.prefetch, 16), dead=True
        )

    async def _retry_later(
        self, spec: QueueSpec, delivery: Delivery, plan: Decision, amqp_in: AbstractIncomingMessage
    ) -> None:
        headers = dict(delivery.headers)
        headers[ATTEMPT_HEADER] = plan.next_attempt(delivery)  # unchanged after an outage
        # The delay queue dead-letters back with the queue name as routing key: keep the original.
        headers[ROUTING_KEY_HEADER] = delivery.routing_key
        out = self._rebuild(delivery, amqp_in, headers)
        await self._publish_to(
            self._retry, self.retry_queue_name(spec, plan.delay), out, timeout=10
        )

    async def _dead_letter(
        self, spec: QueueSpec, delivery: Delivery, reason: str, amqp_in: AbstractIncomingMessage
    ) -> None:
        out = self._rebuild(delivery, amqp_in, dead_letter_headers(delivery, reason))
        await self._publish_to(self._dlx, self.queue_name(spec), out, timeout=10)

    @staticmethod
    def _rebuild(
        delivery: Delivery, amqp_in: AbstractIncomingMessage, headers: dict[str, Any]
    ) -> aio_pika.Message:
        return aio_pika.Message(
            body=delivery.body,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=amqp_in.message_id,
            type=amqp_in.type,
            correlation_id=amqp_in.correlation_id,
            content_type=amqp_in.content_type,
            timestamp=amqp_in.timestamp,
            headers=headers,
        )

    def _consumers_live(self, on: bool) -> None:
        for consumer in self._consumers:
            consumer.live(consumer.spec, on and consumer._tag is not None, dead=consumer.dead)

    def _forget(self, consumer: _RabbitConsumer) -> None:
        with contextlib.suppress(ValueError):
            self._consumers.remove(consumer)


class _RabbitConsumer(ConsumerHandle):
    def __init__(
        self,
        broker: RabbitBroker,
        spec: QueueSpec,
        handler: Handler,
        channel: AbstractChannel,
        queue: AbstractQueue,
        *,
        dead: bool,
    ) -> None:
        self.broker = broker
        self.spec = spec
        self.handler = handler
        self.channel = channel
        self.queue = queue
        self.dead = dead
        self._tag: str | None = None
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._acks = _ConsumerAcks()  # the acks of deliveries settled together, in one frame

    async def start(self) -> None:
        self._tag = await self.queue.consume(self._on_message, no_ack=False)
        self.live(self.spec, True, dead=self.dead)

    async def cancel(self) -> None:
        self.live(self.spec, False, dead=self.dead)
        # Every step is bounded: on a connection that is down, a robust channel would otherwise
        # wait for the reconnection and a SIGTERM would never finish.
        if self._tag is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.queue.cancel(self._tag), timeout=_TEARDOWN_S)
            self._tag = None
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=self.spec.handler_timeout)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.channel.close(), timeout=_TEARDOWN_S)
        self.broker._forget(self)

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
