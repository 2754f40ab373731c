"""The AMQP side's frames together (issue 22): a relay batch published in one socket write, and
the acks of deliveries settled together sent as one ``basic.ack`` with ``multiple``.

A socket write on loopback costs the writer the whole TCP path to the broker, and RabbitMQ a
read and a frame parse per write: the relay wrote one per message (and took the channel's lock
and waited for the write in turn), the consumer one per ack.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import uuid4

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from aiormq.abc import ChannelFrame
from aiormq.exceptions import (
    AMQPConnectionError,
    ChannelInvalidStateError,
    DeliveryError,
    PublishError,
)
from pamqp import commands as spec
from pamqp.header import ContentHeader

from cap_shared.messaging.amqp import to_amqp
from cap_shared.messaging.base import (
    BrokerError,
    BrokerUnavailable,
    OutgoingMessage,
    PublishFailed,
    Unroutable,
)

#: What a lost connection or channel raises (aiormq, aio-pika, the socket).
CONNECTION_ERRORS = (
    AMQPConnectionError,
    ChannelInvalidStateError,
    ConnectionError,
    OSError,
    aiormq.exceptions.ChannelClosed,
)


def publish_error(exc: BaseException, routing_key: str, timeout: float) -> BrokerError | None:
    """The broker error a publish failure stands for; None for a cancellation of the caller
    (which propagates)."""
    if isinstance(exc, BrokerError):
        return exc
    if isinstance(exc, PublishError):
        return Unroutable(f"unroutable: no queue bound to {routing_key!r}")
    if isinstance(exc, DeliveryError):
        return PublishFailed(f"broker refused {routing_key!r} (nack)")
    if isinstance(exc, TimeoutError):
        return PublishFailed(f"no confirm for {routing_key!r} within {timeout}s")
    if isinstance(exc, CONNECTION_ERRORS):
        return BrokerUnavailable(f"connection lost while publishing: {exc}")
    return None  # a caller's cancellation, or a bug: propagates


async def publish_confirmed(
    channel: AbstractChannel,
    exchange: str,
    messages: Sequence[OutgoingMessage],
    *,
    timeout: float,
    one_by_one: Callable[..., Awaitable[list[BaseException | None]]],
) -> list[BaseException | None]:
    """:meth:`RabbitBroker.publish_many <cap_shared.messaging.rabbitmq.RabbitBroker.
    publish_many>` on aio-pika's ``channel``: ``messages`` in one batch (:func:`publish_batch`)
    to ``exchange``, each confirmed within ``timeout``; ``one_by_one()`` when the channel cannot
    batch, or a routing key is one AMQP cannot carry (it then fails its own message only):
    ``one_by_one(messages, timeout=timeout)``."""
    if not messages:
        return []
    deadline = asyncio.get_running_loop().time() + timeout
    try:
        async with asyncio.timeout_at(deadline):
            underlay = await channel.get_underlay_channel()
            if not batchable(underlay) or any(len(m.routing_key.encode()) > 255 for m in messages):
                return await one_by_one(messages, timeout=timeout)
            confirmations = await publish_batch(
                underlay, exchange, [(m.routing_key, to_amqp(m)) for m in messages]
            )
    except Exception as exc:
        error = publish_error(exc, "a batch", timeout) or PublishFailed(f"publish failed: {exc!r}")
        return [error] * len(messages)
    return await confirmed(messages, confirmations, deadline, timeout)


async def confirmed(
    messages: Sequence[OutgoingMessage],
    confirmations: list[asyncio.Future[Any]],
    deadline: float,
    timeout: float,
) -> list[BaseException | None]:
    """Each message's result once its confirmation came, or ``deadline`` (loop time) passed:
    ``None`` confirmed, else the broker error. A cancellation of the caller propagates."""
    if not all(c.done() for c in confirmations):
        remaining = max(0.0, deadline - asyncio.get_running_loop().time())
        await asyncio.wait(confirmations, timeout=remaining)
    results: list[BaseException | None] = []
    for message, confirmation in zip(messages, confirmations, strict=True):
        if not confirmation.done():
            confirmation.cancel()  # a late confirm is then ignored
            results.append(
                PublishFailed(f"no confirm for {message.routing_key!r} within {timeout}s")
            )
        elif confirmation.cancelled():
            results.append(BrokerUnavailable("publish cancelled with its channel"))
        elif (failure := confirmation.exception()) is not None:
            results.append(
                publish_error(failure, message.routing_key, timeout)
                or BrokerUnavailable(f"publish ended with its channel: {failure!r}")
            )
        else:
            results.append(None)
    return results


# Publishing a batch in one write -------------------------------------------------------------
#: The aiormq releases :func:`publish_batch` was read against and tested with (the pin in
#: uv.lock); ``shared/tests/messaging/test_amqp_batch.py`` fails on another, to re-read it.
BATCH_TESTED_AIORMQ = ("7.2.4",)


def batchable(channel: Any) -> bool:
    """Whether ``channel`` (aiormq's) has what :func:`publish_batch` uses, with confirms on and
    returns raised: else the caller publishes message by message."""
    return (
        all(hasattr(channel, name) for name in _CHANNEL_PARTS)
        and bool(channel.publisher_confirms)
        and bool(channel.on_return_raises)
        and not channel.is_closed
    )


_CHANNEL_PARTS = (
    "lock",
    "delivery_tag",
    "confirmations",
    "message_id_delivery_tag",
    "write_queue",
    "number",
    "create_future",
    "_split_body",
    "publisher_confirms",
    "on_return_raises",
    "is_closed",
)


async def publish_batch(
    channel: Any, exchange: str, messages: Sequence[tuple[str, aio_pika.Message]]
) -> list[asyncio.Future[Any]]:
    """Publish ``messages`` (routing key, message) to ``exchange``, mandatory, on a confirming
    aiormq ``channel`` in ONE socket write: their frames (method, header, body of each) are
    marshalled into one ``ChannelFrame`` and queued once, in order, under the channel's lock.
    Returns each message's confirmation future, as ``basic_publish`` awaits it: an ``Ack``
    frame, or ``PublishError`` (returned: unroutable), ``DeliveryError`` (nack), or the
    channel's close reason.

    aiormq has no batch publish (one ``basic_publish`` is one queued frame and one socket write,
    each awaited before the next takes the lock), so this does what its ``basic_publish`` does
    for each message (delivery tag, confirmation future, message id for ``Basic.Return``)
    with one queued frame for all. Only after :func:`batchable`; the frame is either queued
    whole (every message sent) or not at all (the delivery tags taken back)."""
    async with channel.lock:
        first_tag = channel.delivery_tag
        confirmations: list[asyncio.Future[Any]] = []
        ids: list[tuple[str, int]] = []
        frames: list[Any] = []
        try:
            for routing_key, message in messages:
                properties = message.properties
                body = message.body
                channel.delivery_tag += 1
                tag = channel.delivery_tag
                confirmation = channel.create_future()
                channel.confirmations[tag] = confirmation
                message_id = properties.message_id
                if not message_id:  # as basic_publish: Basic.Return finds the message by it
                    message_id = properties.message_id = uuid4().hex
                channel.message_id_delivery_tag[message_id] = tag
                ids.append((message_id, tag))
                confirmations.append(confirmation)
                frames.append(
                    spec.Basic.Publish(exchange=exchange, routing_key=routing_key, mandatory=True)
                )
                frames.append(ContentHeader(properties=properties, body_size=len(body)))
                frames.extend(channel._split_body(body))
            drained = channel.create_future()
            await channel.write_queue.put(
                ChannelFrame.marshall(
                    frames=frames, channel_number=channel.number, drain_future=drained
                )
            )
        except BaseException:
            # Not queued: the broker never sees these delivery tags; take them back.
            channel.delivery_tag = first_tag
            for (message_id, tag), confirmation in zip(ids, confirmations, strict=True):
                channel.confirmations.pop(tag, None)
                if channel.message_id_delivery_tag.get(message_id) == tag:
                    channel.message_id_delivery_tag.pop(message_id)
                confirmation.cancel()
            raise
        for (message_id, tag), confirmation in zip(ids, confirmations, strict=True):
            confirmation.add_done_callback(_forget_message_id(channel, message_id, tag))
        await drained  # written to the socket (as basic_publish waits, under the lock)
    return confirmations


def _forget_message_id(channel: Any, message_id: str, tag: int) -> Callable[[Any], None]:
    def forget(_: Any) -> None:
        if channel.message_id_delivery_tag.get(message_id) == tag:
            channel.message_id_delivery_tag.pop(message_id)

    return forget


# Acknowledging many deliveries in one frame ---------------------------------------------------
class ChannelAcks:
    """The acks of the deliveries of ONE consumer channel, sent together: those asked for in
    the same turn of the event loop (a micro-batch's deliveries, settled at once) go out in the
    next turn as one ``basic.ack`` with ``multiple`` when that is safe, else one each.

    ``multiple`` acks every unacked delivery up to its tag, so it is sent only for a run of
    delivery tags that are, with no gap, either asked to be acked now or already settled
    (acked, nacked) by this object: from the channel's first tag (1; a channel's tags count
    1, 2, 3... per delivery) up, the lowest unsettled tag stops the run. A delivery still being
    handled, held, retried or parked, or one this object never heard of, is such a gap: nothing
    at or past it is acked by accident; the acks above it go one by one. A nack is recorded
    (:meth:`settled`) only once its frame is queued, so a later ``multiple`` never overtakes it.
    """

    def __init__(self, channel: Any) -> None:
        self.channel = channel
        #: Every delivery tag up to this one is settled.
        self.floor = 0
        #: Settled tags above the floor (a gap below them).
        self.above: set[int] = set()
        self._pending: dict[int, tuple[AbstractIncomingMessage, asyncio.Future[None]]] = {}
        self._flusher: asyncio.Task[None] | None = None
        #: ``basic.ack`` frames sent (tests and the benchmark count them).
        self.frames = 0

    async def ack(self, message: AbstractIncomingMessage) -> None:
        """Ack ``message`` with the others asked for in this turn; raises what the send raised
        (the channel closed). Sent even if the caller stops waiting."""
        tag = message.delivery_tag
        if tag is None:  # no_ack deliveries have none: nothing to send
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.add_done_callback(_retrieved)
        self._pending[tag] = (message, done)
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        await done

    def settled(self, message: AbstractIncomingMessage) -> None:
        """``message`` was nacked or rejected (its frame queued): a run may pass over it."""
        if message.delivery_tag is not None:
            self._settle(message.delivery_tag)

    def _settle(self, tag: int) -> None:
        if tag > self.floor:
            self.above.add(tag)
        while self.floor + 1 in self.above:
            self.floor += 1
            self.above.discard(self.floor)

    def _plan(
        self, pending: dict[int, tuple[AbstractIncomingMessage, asyncio.Future[None]]]
    ) -> list[tuple[int, bool, list[int]]]:
        """(tag to send, multiple, tags it settles) for ``pending``: the run above the floor in
        one frame, the others one by one."""
        plan: list[tuple[int, bool, list[int]]] = []
        tag, run = self.floor, []
        while True:
            if tag + 1 in pending:
                run.append(tag + 1)
            elif tag + 1 not in self.above:
                break
            tag += 1
        if run:
            plan.append((run[-1], len(run) > 1, run))
        ran = set(run)
        plan.extend((t, False, [t]) for t in sorted(pending) if t not in ran)
        return plan

    async def _flush(self) -> None:
        pending: dict[int, tuple[AbstractIncomingMessage, asyncio.Future[None]]] = {}
        try:
            while self._pending:
                pending, self._pending = self._pending, {}
                for tag, multiple, covered in self._plan(pending):
                    error: BaseException | None = None
                    try:
                        await pending[tag][0].ack(multiple=multiple)
                        self.frames += 1
                    except Exception as exc:
                        error = exc
                    else:
                        for t in covered:
                            self._settle(t)
                    for t in covered:
                        done = pending[t][1]
                        if not done.done():
                            if error is None:
                                done.set_result(None)
                            else:
                                done.set_exception(error)
        finally:
            self._flusher = None
            # Cancelled mid-way (the loop is going): nobody waits for an ack that is not sent.
            for _, done in [*pending.values(), *self._pending.values()]:
                if not done.done():
                    done.cancel()
            self._pending.clear()


class ConsumerAcks:
    """A consumer's :class:`ChannelAcks`, one per channel: a channel reopened after a
    reconnection counts its delivery tags from 1 again."""

    def __init__(self) -> None:
        self.current: ChannelAcks | None = None

    def of(self, message: AbstractIncomingMessage) -> ChannelAcks:
        """The acks of ``message``'s channel."""
        current = self.current
        if current is None or current.channel is not message.channel:
            if message.channel.is_closed:  # a late one from a channel gone: on its own
                return ChannelAcks(message.channel)
            current = self.current = ChannelAcks(message.channel)
        return current

    async def ack(self, message: AbstractIncomingMessage) -> None:
        """See :meth:`ChannelAcks.ack`."""
        await self.of(message).ack(message)

    def settled(self, message: AbstractIncomingMessage) -> None:
        """See :meth:`ChannelAcks.settled`."""
        self.of(message).settled(message)


def _retrieved(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()
