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

A watchdog (:mod:`cap_shared.messaging.watchdog`) subscribes again a consumer whose channel
aio-pika failed to restore after a reconnection, and reopens the publishing channel, with its
exchanges, when that one was not restored.
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
    OutgoingMessage,
    QueueSpec,
    dead_letter_headers,
)
from cap_shared.messaging.batching import CONNECTION_ERRORS as _CONNECTION_ERRORS
from cap_shared.messaging.batching import publish_confirmed as _publish_confirmed
from cap_shared.messaging.batching import publish_error as _publish_error
from cap_shared.messaging.failover import broker_addresses, connect_nodes
from cap_shared.messaging.rabbit_consumer import TEARDOWN_S as _TEARDOWN_S
from cap_shared.messaging.rabbit_consumer import RabbitConsumer as _RabbitConsumer
from cap_shared.messaging.rabbit_publisher import PublishingChannel as _PublishingChannel
from cap_shared.messaging.watchdog import ConsumerWatchdog

logger = logging.getLogger(__name__)


class RabbitBroker(Broker):
    """The production broker."""

    def __init__(
        self,
        url: str | Sequence[str],
        *,
        namespace: str = "cap",
        connect_timeout: float = 5.0,
        reconnect_interval: float = 2.0,
        watchdog_interval: float = 5.0,
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
        self._publishing = _PublishingChannel(self)
        self._watchdog = ConsumerWatchdog(
            lambda: [self._publishing, *self._consumers],
            connected=self._is_up,
            interval=watchdog_interval,
            grace=max(1.0, reconnect_interval),
        )

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
            # A channel aio-pika failed to restore is found and reopened by the watchdog.
            self._connection.reconnect_callbacks.add(lambda *_: self._watchdog.kick())
            self._watchdog.start()
            publishing = await self._publishing_channel()
        except BrokerUnavailable:
            await self.close()
            raise
        except (*_CONNECTION_ERRORS, TimeoutError) as exc:
            await self.close()
            raise BrokerUnavailable(
                f"cannot connect to RabbitMQ: {type(exc).__name__}: {exc}"
            ) from exc
        self._channel, self._exchange, self._dlx, self._retry = publishing

    async def _publishing_channel(
        self,
    ) -> tuple[AbstractChannel, AbstractExchange, AbstractExchange, AbstractExchange]:
        """A confirm channel raising on returns, with the topic, dead-letter and retry exchanges
        declared on it, within ``connect_timeout`` and two teardown bounds; none left open when
        it fails (BrokerUnavailable) or is cancelled."""
        channel: AbstractChannel | None = None
        try:
            async with asyncio.timeout(self.connect_timeout + 2 * _TEARDOWN_S):
                connection = await self._connected()
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                exchange = await channel.declare_exchange(
                    self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
                )
                dlx = await channel.declare_exchange(
                    self.dead_letter_exchange_name, aio_pika.ExchangeType.DIRECT, durable=True
                )
                retry = await channel.declare_exchange(
                    self.retry_exchange_name, aio_pika.ExchangeType.DIRECT, durable=True
                )
                return channel, exchange, dlx, retry
        except BaseException as exc:
            if channel is not None and not channel.is_closed:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(channel.close(), timeout=_TEARDOWN_S)
            if isinstance(exc, (*_CONNECTION_ERRORS, RuntimeError, TimeoutError)):
                raise BrokerUnavailable(
                    f"cannot open the publishing channel: {type(exc).__name__}: {exc}"
                ) from exc
            raise

    async def close(self) -> None:
        """Cancel every consumer and close the connection."""
        await self._watchdog.stop()
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

    def _is_up(self) -> bool:
        """The connection is open (not reconnecting): a consumer should be consuming."""
        connection = self._connection
        if connection is None or connection.is_closed or not connection.connected.is_set():
            return False
        transport = connection.transport
        return transport is not None and not transport.connection.is_closed

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
        # Read together: the watchdog may put a reopened channel and its exchanges in place.
        channel, exchange, dlx, retry_exchange = (
            self._channel,
            self._exchange,
            self._dlx,
            self._retry,
        )
        if channel is None or exchange is None or dlx is None or retry_exchange is None:
            raise BrokerUnavailable("not connected to RabbitMQ")
        try:
            queue = await channel.declare_queue(
                name, durable=True, arguments=self.main_queue_arguments(spec)
            )
            for key in spec.bindings:
                await queue.bind(exchange, routing_key=key)
            dlq = await channel.declare_queue(
                self.dead_letter_queue_name(spec),
                durable=True,
                arguments={"x-queue-type": "quorum"},
            )
            await dlq.bind(dlx, routing_key=name)
            for delay in sorted(set(spec.retry_delays)):
                retry_name = self.retry_queue_name(spec, delay)
                retry = await channel.declare_queue(
                    retry_name, durable=True, arguments=self.retry_queue_arguments(spec, delay)
                )
                await retry.bind(retry_exchange, routing_key=retry_name)
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
        channel, queue = await self._consuming_channel(queue_name, prefetch)
        consumer = _RabbitConsumer(self, spec, handler, channel, queue, prefetch, dead=dead)
        await consumer.start()
        self._consumers.append(consumer)
        return consumer

    async def _consuming_channel(
        self, queue_name: str, prefetch: int
    ) -> tuple[AbstractChannel, AbstractQueue]:
        """A new channel with its QoS, and the queue on it, within ``connect_timeout`` and two
        teardown bounds (a robust channel's ``set_qos`` would wait for a reconnection); none left
        open when it fails (BrokerUnavailable) or is cancelled."""
        channel: AbstractChannel | None = None
        try:
            async with asyncio.timeout(self.connect_timeout + 2 * _TEARDOWN_S):
                channel = await (await self._connected()).channel(publisher_confirms=False)
                await channel.set_qos(prefetch_count=prefetch)
                return channel, await channel.get_queue(queue_name, ensure=True)
        except BaseException as exc:
            if channel is not None and not channel.is_closed:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(channel.close(), timeout=_TEARDOWN_S)
            if isinstance(exc, (*_CONNECTION_ERRORS, RuntimeError, TimeoutError)):
                raise BrokerUnavailable(f"cannot consume {queue_name}: {exc}") from exc
            raise

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
