"""Events felt at once (issue 22): the relay and the consumer wait for company only in a stream.

An idle relay publishes a commit of another process as soon as its ``NOTIFY`` arrives, without
waiting for its poll or its linger; commits close behind a pass still share the next one. An
idle consumer commits a delivery at once; deliveries close behind a batch still share one
transaction. The lingers and the poll are set far longer than the bounds asserted, so a
figure within the bound can only come from the wake-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from cap_shared.db.session import Database
from cap_shared.linger import Linger
from cap_shared.messaging import Delivery, OutgoingMessage, QueueSpec
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.outbox import OutboxRelay
from cap_shared.testing import toy

QUEUE = QueueSpec(name="toy", bindings=(toy.TOY_EVENT,))
#: Far longer than any bound asserted below.
LINGER_S = 3.0
POLL_S = 60.0
#: What "at once" means here, on a busy two-core machine.
PROMPT_S = 1.5


def test_the_linger_waits_only_for_work_close_behind_work() -> None:
    linger = Linger(0.005)
    assert linger.delay(100.0) == 0  # nothing done yet: the first work goes at once
    linger.worked(100.0)
    assert linger.delay(100.0) == 0.005  # arrived during the run that just ended
    assert linger.delay(100.004) == 0.005  # just after it: a stream
    assert linger.delay(100.006) == 0  # after a quiet spell longer than the linger
    assert Linger(0).delay(0.0) == 0


class CountingBroker(MemoryBroker):
    """The in-memory broker, counting the messages of each relay batch."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    async def publish_many(
        self, messages: Sequence[OutgoingMessage], *, timeout: float = 5.0
    ) -> list[BaseException | None]:
        self.batches.append(len(messages))
        return await super().publish_many(messages, timeout=timeout)


async def test_an_idle_relay_publishes_a_commit_at_once_and_lingers_only_in_a_stream(
    make_database,
) -> None:
    db = await make_database("postgresql", "toy", None, toy.metadata)
    broker = CountingBroker()
    await broker.start()
    await broker.declare_queue(QUEUE)
    relay = OutboxRelay(
        db=db,
        broker=broker,
        table=toy.tables.outbox,
        service="toy",
        poll_interval=POLL_S,
        linger=LINGER_S,
    )
    writer = Database(db.url)  # another engine: only NOTIFY reaches the relay
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    loop = asyncio.get_running_loop()

    async def drained(timeout: float) -> float:
        """Seconds until the outbox is empty."""
        started = loop.time()
        while await toy.pending_outbox(db):
            assert loop.time() - started < timeout, "not published in time"
            await asyncio.sleep(0.01)
        return loop.time() - started

    try:
        await _listening(relay)
        # After a quiet spell: published on the NOTIFY, neither the linger nor the poll.
        await toy.write_thing(writer, 1)
        assert await drained(PROMPT_S) < PROMPT_S
        assert broker.batches == [1]
        # Commits right behind that pass: a stream, they wait for one another and share a pass.
        await asyncio.gather(*(toy.write_thing(writer, n) for n in range(2, 6)))
        await drained(LINGER_S + 5)
        assert broker.batches == [1, 4]
    finally:
        stop.set()
        await task
        await writer.dispose()
        await broker.close()


async def _listening(relay: OutboxRelay) -> None:
    """Until the relay's LISTEN connection is up (its first pass done)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not relay.listening:
        assert loop.time() < deadline, "the relay does not listen"
        await asyncio.sleep(0.02)


def _delivery(n: int) -> Delivery:
    event = toy.envelope(n)
    return Delivery(
        body=event.to_json(),
        routing_key=toy.TOY_EVENT,
        message_id=event.id,
        correlation_id=None,
        headers={},
        redelivered=False,
        attempt=1,
        queue="toy",
    )


async def test_an_idle_consumer_commits_at_once_and_batches_only_in_a_stream(
    make_database,
) -> None:
    db = await make_database("postgresql", "toy", None, toy.metadata)
    counter = BatchCounter()
    consumer = toy.toy_consumer(db, counter, batch_handler=True, batch_size=50)
    consumer.batch_linger = LINGER_S
    loop = asyncio.get_running_loop()

    # After a quiet spell: committed at once, not after the linger.
    started = loop.time()
    await consumer(_delivery(1))
    assert loop.time() - started < PROMPT_S
    assert counter.batches == [1]
    # Deliveries right behind it: a stream, they wait for one another and share a transaction.
    await asyncio.gather(*(consumer(_delivery(n)) for n in range(2, 6)))
    assert counter.batches == [1, 4]
    assert sorted((await toy.effects_by_event(db)).values()) == [1] * 5


class BatchCounter(toy.EffectCounter):
    """The toy batch handler, counting the events of each call (one call per transaction)."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    async def batch(self, session, events) -> None:  # type: ignore[no-untyped-def]
        self.batches.append(len(events))
        await super().batch(session, events)


async def test_in_a_steady_stream_the_relay_polls_instead_of_listening_then_listens_again(
    make_database,
) -> None:
    """A NOTIFY per commit costs the server's listening backend and the relay work for nothing
    while the relay passes every linger anyway: in a stream it stops listening, publishes
    every commit all the same, and listens again once a pass finds nothing, so the first commit
    after the stream is published at once, not at the poll."""
    db = await make_database("postgresql", "toy", None, toy.metadata)
    broker = CountingBroker()
    await broker.start()
    await broker.declare_queue(QUEUE)
    relay = OutboxRelay(
        db=db,
        broker=broker,
        table=toy.tables.outbox,
        service="toy",
        poll_interval=POLL_S,
        linger=0.03,
        poll_after=3,
    )
    writer = Database(db.url)  # another engine: only NOTIFY (or the relay's passes) reach it
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    loop = asyncio.get_running_loop()
    paused_seen = False

    async def drained(timeout: float) -> None:
        deadline = loop.time() + timeout
        while await toy.pending_outbox(db):
            assert loop.time() < deadline, "not published in time"
            await asyncio.sleep(0.01)

    try:
        await _listening(relay)
        for n in range(60):  # a steady stream: a commit every 10 ms, a pass every 30 ms
            await toy.write_thing(writer, n)
            paused_seen = paused_seen or not relay.listening
            await asyncio.sleep(0.01)
        assert paused_seen, "the relay kept listening through the stream"
        await drained(PROMPT_S)
        assert sum(broker.batches) == 60
        await _listening(relay)  # the stream is over: woken by NOTIFY again
        started = loop.time()
        await toy.write_thing(writer, 60)
        await drained(PROMPT_S)
        assert loop.time() - started < PROMPT_S  # not the 60 s poll
        assert sum(broker.batches) == 61
    finally:
        stop.set()
        await task
        await writer.dispose()
        await broker.close()
