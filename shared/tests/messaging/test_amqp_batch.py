"""Fewer frames and socket writes on the AMQP side (issue 22): a relay batch published in one
write, a consumer's acks of deliveries settled together sent as one ``basic.ack multiple``, and
never an ack by accident of a delivery still in flight, nacked, or unknown."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import aio_pika
import pytest

from cap_shared.messaging import BrokerUnavailable, Delivery, Unroutable
from cap_shared.messaging.batching import (
    BATCH_TESTED_AIORMQ,
    ChannelAcks,
    batchable,
    publish_batch,
)
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.testing.fixtures import cleanup_rabbit
from cap_shared.testing.messaging import KEY, Recorder, message, spec, wait_until
from cap_shared.testing.services import RABBITMQ_URL


def test_publish_batch_was_read_against_the_pinned_aiormq() -> None:
    """publish_batch does for a batch what aiormq's basic_publish does for one message (its
    channel's delivery tags, confirmations and message ids): another aiormq must be re-read."""
    assert version("aiormq") in BATCH_TESTED_AIORMQ


# --- publishing a batch ------------------------------------------------------------------
class _WriteCounter:
    """Counts the frames queued to the connection's writer (one queued frame, one write)."""

    def __init__(self, channel: Any) -> None:
        self.queue = channel.write_queue
        self.put = self.queue.put
        self.count = 0

        async def counting_put(item: Any) -> None:
            self.count += 1
            await self.put(item)

        self.queue.put = counting_put

    def restore(self) -> None:
        del self.queue.put


async def _underlay(broker: RabbitBroker) -> Any:
    assert broker._channel is not None
    return await broker._channel.get_underlay_channel()


class TestPublishMany:
    async def test_a_batch_leaves_in_one_write_in_order_each_confirmed(
        self, rabbit_broker: RabbitBroker
    ) -> None:
        recorder = Recorder()
        consuming = RabbitBroker(RABBITMQ_URL, namespace=rabbit_broker.namespace)
        await consuming.start()  # its acks go through another connection's writer
        try:
            await consuming.consume(spec(prefetch=500), recorder)
            channel = await _underlay(rabbit_broker)
            assert batchable(channel)
            writes = _WriteCounter(channel)
            try:
                batch = [message(i=i) for i in range(300)]
                results = await rabbit_broker.publish_many(batch)
            finally:
                writes.restore()
            assert results == [None] * 300
            assert writes.count == 1
            assert channel.confirmations == {}  # every confirm came and was taken
            await wait_until(lambda: len(recorder.deliveries) == 300)
            assert recorder.ids() == [m.message_id for m in batch]  # one queue: publish order
        finally:
            await consuming.close()

    async def test_an_unroutable_message_fails_alone(self, rabbit_broker: RabbitBroker) -> None:
        recorder = Recorder()
        await rabbit_broker.consume(spec(), recorder)
        batch = [message(i=0), message("nobody.listens.here.v1"), message(i=2)]
        results = await rabbit_broker.publish_many(batch)
        assert results[0] is None
        assert results[2] is None
        assert isinstance(results[1], Unroutable)
        await wait_until(lambda: len(recorder.deliveries) == 2)
        assert recorder.ids() == [batch[0].message_id, batch[2].message_id]
        # The channel goes on: the next batch is confirmed.
        assert await rabbit_broker.publish_many([message(i=3)]) == [None]

    async def test_a_closed_channel_fails_the_batch_without_hanging(
        self, rabbit_broker: RabbitBroker
    ) -> None:
        """A publish to an exchange that does not exist closes the channel (404): every
        confirmation of the batch ends with the channel's error, none waits forever."""
        await rabbit_broker.declare_queue(spec())
        connection = await aio_pika.connect(RABBITMQ_URL)
        try:
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            underlay = await channel.get_underlay_channel()
            amqp = [(KEY, aio_pika.Message(b"{}", message_id=str(i))) for i in range(5)]
            confirmations = await publish_batch(underlay, "no.such.exchange", amqp)
            done, pending = await asyncio.wait(confirmations, timeout=10)
            assert not pending
            assert all(c.cancelled() or c.exception() is not None for c in done)
        finally:
            await connection.close()

    async def test_publish_many_without_connection_reports_each_message(self) -> None:
        broker = RabbitBroker(RABBITMQ_URL, namespace="never-started")
        results = await broker.publish_many([message(), message()])
        assert len(results) == 2
        assert all(isinstance(r, BrokerUnavailable) for r in results)


@dataclass
class _FakeChannel:
    """What publish_batch touches of an aiormq channel, with a writer that can fail."""

    fail_put: BaseException | None = None
    delivery_tag: int = 7
    confirmations: dict[int, Any] = field(default_factory=dict)
    message_id_delivery_tag: dict[str, int] = field(default_factory=dict)
    number: int = 1
    max_content_size: int = 1 << 17
    publisher_confirms: bool = True
    on_return_raises: bool = True
    is_closed: bool = False
    queued: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = asyncio.Lock()
        fake = self

        class _Queue:
            async def put(self, item: Any) -> None:
                if fake.fail_put is not None:
                    raise fake.fail_put
                fake.queued.append(item)
                item.drain_future.set_result(None)

        self.write_queue = _Queue()

    def create_future(self) -> asyncio.Future[Any]:
        return asyncio.get_running_loop().create_future()

    def _split_body(self, body: bytes) -> list[Any]:
        from pamqp.body import ContentBody

        return [ContentBody(body)] if body else []


class TestPublishBatchBookkeeping:
    async def test_not_queued_means_the_delivery_tags_are_taken_back(self) -> None:
        channel = _FakeChannel(fail_put=asyncio.CancelledError())
        assert batchable(channel)
        amqp = [(KEY, aio_pika.Message(b"x", message_id=f"m{i}")) for i in range(3)]
        with pytest.raises(asyncio.CancelledError):
            await publish_batch(channel, "ex", amqp)
        assert channel.delivery_tag == 7
        assert channel.confirmations == {}
        assert channel.message_id_delivery_tag == {}
        assert channel.queued == []

    async def test_queued_once_with_a_tag_and_a_confirmation_per_message(self) -> None:
        channel = _FakeChannel()
        amqp = [(KEY, aio_pika.Message(b"x" * i, message_id=f"m{i}")) for i in range(3)]
        confirmations = await publish_batch(channel, "ex", amqp)
        assert len(channel.queued) == 1
        assert channel.delivery_tag == 10
        assert list(channel.confirmations) == [8, 9, 10]
        assert channel.message_id_delivery_tag == {"m0": 8, "m1": 9, "m2": 10}
        assert [channel.confirmations[t] for t in (8, 9, 10)] == confirmations
        confirmations[1].set_result(None)
        await asyncio.sleep(0)
        assert "m1" not in channel.message_id_delivery_tag  # forgotten once confirmed


# --- acks ----------------------------------------------------------------------------------
class _Broker:
    """RabbitMQ's side of one channel's acks: ``multiple`` settles every unacked tag up to the
    one named, which must itself be unacked (else the channel is closed: 406)."""

    def __init__(self) -> None:
        self.unacked: set[int] = set()
        self.acked: set[int] = set()
        self.requeued: set[int] = set()
        self.frames: list[tuple[str, int, bool]] = []

    def deliver(self, tag: int) -> None:
        self.unacked.add(tag)

    def ack(self, tag: int, multiple: bool) -> None:
        self.frames.append(("ack", tag, multiple))
        if tag not in self.unacked:
            raise AssertionError(f"PRECONDITION_FAILED - unknown delivery tag {tag}")
        settled = {t for t in self.unacked if t <= tag} if multiple else {tag}
        self.unacked -= settled
        self.acked |= settled

    def nack(self, tag: int) -> None:
        self.frames.append(("nack", tag, False))
        assert tag in self.unacked
        self.unacked.discard(tag)
        self.requeued.add(tag)


@dataclass
class _Message:
    delivery_tag: int
    channel: Any
    broker: _Broker

    async def ack(self, multiple: bool = False) -> None:
        await asyncio.sleep(0)  # the frame goes through the writer
        self.broker.ack(self.delivery_tag, multiple)

    async def nack(self, requeue: bool = True) -> None:
        await asyncio.sleep(0)
        self.broker.nack(self.delivery_tag)


async def _turn() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


class TestChannelAcks:
    def setup_method(self) -> None:
        self.broker = _Broker()
        self.acks = ChannelAcks(channel=object())

    def deliver(self, *tags: int) -> list[_Message]:
        for tag in tags:
            self.broker.deliver(tag)
        return [_Message(tag, self.acks.channel, self.broker) for tag in tags]

    async def ack_together(self, messages: list[_Message]) -> None:
        await asyncio.gather(*(self.acks.ack(m) for m in messages))  # type: ignore[arg-type]

    async def nack(self, message: _Message) -> None:
        await message.nack()
        self.acks.settled(message)  # type: ignore[arg-type]

    async def test_a_batch_settled_together_is_one_multiple_ack(self) -> None:
        await self.ack_together(self.deliver(1, 2, 3, 4, 5))
        assert self.broker.frames == [("ack", 5, True)]
        assert self.broker.acked == {1, 2, 3, 4, 5}

    async def test_a_delivery_still_in_flight_is_never_acked_by_the_others(self) -> None:
        m = self.deliver(1, 2, 3, 4, 5)
        await self.ack_together([m[0], m[1], m[3], m[4]])  # 3 is still being handled
        assert 3 in self.broker.unacked
        assert self.broker.frames == [("ack", 2, True), ("ack", 4, False), ("ack", 5, False)]
        await self.ack_together([m[2]])
        assert self.broker.acked == {1, 2, 3, 4, 5}
        await self.ack_together(self.deliver(6, 7))  # the floor moved past 5: runs again
        assert self.broker.frames[-1] == ("ack", 7, True)

    async def test_a_nacked_delivery_stays_requeued_under_a_later_multiple_ack(self) -> None:
        m = self.deliver(1, 2, 3, 4)
        await self.nack(m[1])
        await self.ack_together([m[0], m[2], m[3]])
        assert self.broker.frames[-1] == ("ack", 4, True)
        assert self.broker.requeued == {2}
        assert self.broker.acked == {1, 3, 4}

    async def test_a_tag_never_seen_stops_the_run(self) -> None:
        """Tag 3 reached the channel but not this object (a delivery whose task has not run,
        or one for a consumer gone): what is above it is acked one by one."""
        m = self.deliver(1, 2, 3, 4)
        await self.ack_together([m[0], m[1], m[3]])
        assert self.broker.frames == [("ack", 2, True), ("ack", 4, False)]
        assert self.broker.unacked == {3}

    async def test_interleaved_batches(self) -> None:
        m = self.deliver(1, 2, 3, 4, 5, 6)
        await self.ack_together([m[0], m[2], m[4]])  # batch A: 1, 3, 5
        assert self.broker.unacked == {2, 4, 6}
        await self.ack_together([m[1], m[3], m[5]])  # batch B: 2, 4, 6 -> one frame
        assert self.broker.frames[-1] == ("ack", 6, True)
        assert self.broker.acked == {1, 2, 3, 4, 5, 6}

    async def test_a_failed_send_fails_every_ack_it_carried(self) -> None:
        m = self.deliver(1, 2, 3)

        async def broken(multiple: bool = False) -> None:
            raise ConnectionError("channel gone")

        m[2].ack = broken  # type: ignore[method-assign]
        outcomes = await asyncio.gather(
            *(self.acks.ack(x) for x in m),  # type: ignore[arg-type]
            return_exceptions=True,
        )
        assert all(isinstance(o, ConnectionError) for o in outcomes)
        assert self.broker.acked == set()

    @pytest.mark.parametrize("seed", range(40))
    async def test_random_interleavings_ack_exactly_what_was_asked(self, seed: int) -> None:
        """Deliveries settled in random groups and orders, some nacked, some never settled:
        RabbitMQ never sees an unknown tag, and acks exactly the deliveries acked here."""
        rng = random.Random(seed)
        messages = self.deliver(*range(1, 61))
        order = messages[:]
        rng.shuffle(order)
        never = set(rng.sample(range(1, 61), 4))
        asked: set[int] = set()
        nacked: set[int] = set()
        pending = [x for x in order if x.delivery_tag not in never]
        while pending:
            size = rng.randint(1, 8)
            group, pending = pending[:size], pending[size:]
            to_ack = []
            for x in group:
                if rng.random() < 0.15:
                    await self.nack(x)
                    nacked.add(x.delivery_tag)
                else:
                    to_ack.append(x)
                    asked.add(x.delivery_tag)
            await asyncio.gather(
                self.ack_together(to_ack), *(_turn() for _ in range(rng.randint(0, 2)))
            )
        assert self.broker.acked == asked
        assert self.broker.requeued == nacked
        assert self.broker.unacked == set(range(1, 61)) - asked - nacked
        assert never <= self.broker.unacked


class TestAcksOnRabbitMQ:
    async def test_many_acks_few_frames_and_a_held_delivery_is_redelivered(
        self, rabbit_broker: RabbitBroker
    ) -> None:
        """On the real broker: 40 deliveries handled together are acked in few frames, while
        one in the middle, held by its handler, is not acked with those after it: closing the
        consumer's channel returns it, and it comes back redelivered."""
        release = asyncio.Event()
        held_id: list[str] = []
        handled: list[Delivery] = []

        async def handler(delivery: Delivery) -> None:
            if json.loads(delivery.body)["i"] == 20:  # in the middle: acks go on around it
                held_id.append(delivery.message_id or "")
                await release.wait()
            handled.append(delivery)

        queue = spec(prefetch=64, handler_timeout=30.0)
        consumer = await rabbit_broker.consume(queue, handler)
        assert (await rabbit_broker.publish_many([message(i=i) for i in range(40)])) == [None] * 40
        await wait_until(lambda: len(handled) == 39)
        await asyncio.sleep(0.3)
        acks = consumer._acks.current  # type: ignore[attr-defined]
        assert 0 < acks.frames < 39
        name = rabbit_broker.queue_name(queue)
        # Close the consumer's channel with the held delivery unacked (a dying process).
        await consumer.channel.close()  # type: ignore[attr-defined]
        release.set()
        again = Recorder()
        other = RabbitBroker(RABBITMQ_URL, namespace=rabbit_broker.namespace)
        await other.start()
        try:
            await other.consume(queue, again)
            await wait_until(lambda: len(again.deliveries) == 1)
            await asyncio.sleep(0.3)
            assert again.ids() == held_id
            assert again.deliveries[0].redelivered is True
            assert await rabbit_broker.queue_depth(name) == 0
        finally:
            await cleanup_rabbit(other)
