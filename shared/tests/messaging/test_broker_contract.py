"""The broker contract: the same tests on the in-memory broker and on real RabbitMQ."""

from __future__ import annotations

import asyncio

import pytest

from cap_shared.messaging import Broker, PermanentError, Unroutable
from cap_shared.messaging.base import ATTEMPTS_HEADER, DELIVERY_LIMIT_REASON
from cap_shared.testing.ledger import Ledger
from cap_shared.testing.messaging import KEY, Recorder, message, spec, wait_until


class SimulatedCrash(BaseException):
    """The consumer dies while handling a message (not an ordinary handler error)."""


class TestRouting:
    async def test_message_reaches_every_queue_bound_to_its_key(self, broker: Broker) -> None:
        exact, wildcard, other = Recorder(), Recorder(), Recorder()
        await broker.consume(spec("exact", (KEY,)), exact)
        await broker.consume(spec("wild", ("test.#",)), wildcard)
        await broker.consume(spec("other", ("other.*.happened.v1",)), other)

        sent = message(n=1)
        await broker.publish(sent)

        await wait_until(lambda: len(exact.deliveries) == 1 and len(wildcard.deliveries) == 1)
        await asyncio.sleep(0.1)
        assert exact.ids() == [sent.message_id]
        assert wildcard.ids() == [sent.message_id]
        assert other.deliveries == []
        assert exact.deliveries[0].body == sent.body
        assert exact.deliveries[0].attempt == 1
        assert exact.deliveries[0].redelivered is False

    async def test_unroutable_publish_raises_instead_of_vanishing(self, broker: Broker) -> None:
        """M3: no queue bound to the key -> the publisher gets an error; nothing is dropped silently."""
        recorder = Recorder()
        await broker.consume(spec("bound", (KEY,)), recorder)
        with pytest.raises(Unroutable):
            await broker.publish(message("nobody.listens.here.v1"))
        await asyncio.sleep(0.1)
        assert recorder.deliveries == []

    async def test_publish_many_confirms_each_message(self, broker: Broker) -> None:
        recorder = Recorder()
        await broker.consume(spec(), recorder)
        batch = [message(i=i) for i in range(300)]
        results = await broker.publish_many(batch)
        assert results == [None] * 300
        await wait_until(lambda: len(recorder.deliveries) == 300)
        assert sorted(recorder.ids()) == sorted(m.message_id for m in batch)


class TestFailures:
    async def test_transient_failure_is_retried_after_a_delay_then_succeeds(
        self, broker: Broker
    ) -> None:
        recorder = Recorder(fail=lambda d: RuntimeError("db hiccup") if d.attempt < 3 else None)
        dead = Recorder()
        queue = spec(retry_delays=(0.05, 0.2))
        await broker.consume(queue, recorder)
        await broker.consume_dead_letters(queue, dead)

        await broker.publish(message())

        await wait_until(lambda: len(recorder.deliveries) == 3)
        assert [d.attempt for d in recorder.deliveries] == [1, 2, 3]
        gaps = [b - a for a, b in zip(recorder.times, recorder.times[1:], strict=False)]
        assert gaps[0] >= 0.05
        assert gaps[1] >= 0.2
        await asyncio.sleep(0.2)
        assert dead.deliveries == []

    async def test_handler_that_keeps_failing_is_dead_lettered_with_the_reason(
        self, broker: Broker
    ) -> None:
        recorder = Recorder(fail=lambda _d: ValueError("boom"))
        dead = Recorder()
        queue = spec()
        await broker.consume(queue, recorder)
        await broker.consume_dead_letters(queue, dead)
        sent = message()

        await broker.publish(sent)

        await wait_until(lambda: len(dead.deliveries) == 1)
        assert len(recorder.deliveries) == queue.max_attempts == 3
        letter = dead.deliveries[0]
        assert letter.message_id == sent.message_id
        assert letter.body == sent.body
        assert letter.routing_key == KEY
        assert int(letter.headers[ATTEMPTS_HEADER]) == 3
        assert letter.death_reason is not None
        assert "failed after 3 attempts" in letter.death_reason
        assert "boom" in letter.death_reason

    async def test_permanent_error_is_dead_lettered_at_once(self, broker: Broker) -> None:
        recorder = Recorder(fail=lambda _d: PermanentError("unknown event type"))
        dead = Recorder()
        queue = spec()
        await broker.consume(queue, recorder)
        await broker.consume_dead_letters(queue, dead)

        await broker.publish(message())

        await wait_until(lambda: len(dead.deliveries) == 1)
        assert len(recorder.deliveries) == 1
        assert dead.deliveries[0].death_reason == "permanent: unknown event type"

    async def test_poison_message_never_blocks_the_good_ones(self, broker: Broker) -> None:
        """M6: 200 good + 1 poison: 200 good effects exactly once; poison in the DLQ after max attempts."""
        poison_id: list[str] = []
        effects = Ledger()
        recorder = Recorder(
            fail=lambda d: ValueError("poison") if d.message_id in poison_id else None
        )
        dead = Recorder()
        queue = spec(retry_delays=(0.05, 0.05, 0.05, 0.05))
        await broker.consume(queue, recorder)
        await broker.consume_dead_letters(queue, dead)
        poison = message(poison=True)
        poison_id.append(poison.message_id)
        good = [message(i=i) for i in range(200)]
        effects.record_sent(m.message_id for m in good)
        loop = asyncio.get_running_loop()
        started = loop.time()

        await broker.publish(poison)
        assert await broker.publish_many(good) == [None] * 200

        await wait_until(
            lambda: len(dead.deliveries) == 1 and len(recorder.deliveries) >= 205, timeout=10
        )
        elapsed = loop.time() - started
        effects.record_seen(
            d.message_id or "" for d in recorder.deliveries if d.message_id != poison.message_id
        )
        assert effects.summary() == {
            "sent": 200,
            "seen": 200,
            "lost": 0,
            "unexpected": 0,
            "duplicated": 0,
        }
        assert (
            sum(1 for d in recorder.deliveries if d.message_id == poison.message_id)
            == queue.max_attempts
            == 5
        )
        assert dead.deliveries[0].message_id == poison.message_id
        assert elapsed < 10

    async def test_consumer_that_dies_repeatedly_hits_the_delivery_limit(
        self, broker: Broker
    ) -> None:
        """A message that kills its consumer is redelivered, then dead-lettered by the broker."""
        recorder = Recorder(fail=lambda _d: SimulatedCrash())
        dead = Recorder()
        queue = spec(delivery_limit=2)
        await broker.consume(queue, recorder)
        await broker.consume_dead_letters(queue, dead)
        sent = message()

        await broker.publish(sent)

        await wait_until(lambda: len(dead.deliveries) == 1)
        # delivery-limit counts returns: the first delivery plus `limit` redeliveries.
        assert len(recorder.deliveries) == queue.delivery_limit + 1
        assert [d.redelivered for d in recorder.deliveries] == [False, True, True]
        assert dead.deliveries[0].message_id == sent.message_id
        assert dead.deliveries[0].death_reason == DELIVERY_LIMIT_REASON
        assert dead.deliveries[0].routing_key == KEY


class TestDeadLetterReplay:
    async def test_replayed_dead_letter_is_handled_again(self, broker: Broker) -> None:
        broken = {"on": True}
        recorder = Recorder(fail=lambda _d: PermanentError("bug") if broken["on"] else None)
        dead = Recorder()
        queue = spec()
        await broker.consume(queue, recorder)
        await broker.consume_dead_letters(queue, dead)
        sent = message()
        await broker.publish(sent)
        await wait_until(lambda: len(dead.deliveries) == 1)

        broken["on"] = False  # the bug is fixed; the operator replays the message
        letter = dead.deliveries[0]
        from cap_shared.messaging import OutgoingMessage

        await broker.send_to_queue(
            queue,
            OutgoingMessage(
                routing_key=letter.routing_key, body=letter.body, message_id=sent.message_id
            ),
        )

        await wait_until(lambda: len(recorder.deliveries) == 2)
        assert recorder.deliveries[1].message_id == sent.message_id
        assert recorder.deliveries[1].attempt == 1
        await asyncio.sleep(0.1)
        assert len(dead.deliveries) == 1
