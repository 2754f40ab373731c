"""Outbox and inbox guarantees (docs/domain/reliability.md §7: O1-O4, M5), on both topologies.

Every test counts events by id the Jepsen way (lost / duplicated / unexpected) and counts
*effects* (rows written by the handler) separately from deliveries.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses

import pytest
from sqlalchemy.engine import make_url

from cap_shared.messaging import Delivery, QueueSpec
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.outbox import OutboxRelay
from cap_shared.testing import toy
from cap_shared.testing.ledger import Ledger
from cap_shared.testing.messaging import wait_until
from cap_shared.testing.services import RABBITMQ_URL
from cap_shared.testing.tcpproxy import TCPProxy

QUEUE = QueueSpec(
    name="toy",
    bindings=(toy.TOY_EVENT,),
    delivery_limit=5,
    retry_delays=(0.05, 0.1),
    prefetch=32,
    handler_timeout=10,
)


@pytest.fixture(params=[1, 50], ids=["alone", "batched"])
def batch_size(request: pytest.FixtureRequest) -> int:
    """Consumers run one transaction per event, and in micro-batches."""
    return int(request.param)


def relay_for(stack, **kw) -> OutboxRelay:
    return OutboxRelay(
        db=stack.db,
        broker=stack.broker,
        table=toy.tables.outbox,
        service="toy",
        poll_interval=0.05,
        **kw,
    )


class Deliveries:
    """Wraps a handler to record every delivery (including duplicates the inbox absorbs)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.seen: list[Delivery] = []
        self.finished = 0  # deliveries whose handler has returned (committed or absorbed)

    async def __call__(self, delivery: Delivery) -> None:
        self.seen.append(delivery)
        try:
            await self.inner(delivery)
        finally:
            self.finished += 1


async def run_relay_until_empty(relay: OutboxRelay, db, timeout: float = 30) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await wait_until_async(lambda: toy.pending_outbox(db), timeout)
    finally:
        stop.set()
        await task


async def wait_until_async(count, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await count() != 0:
        if loop.time() > deadline:
            raise AssertionError("outbox not drained in time")
        await asyncio.sleep(0.02)


class TestGhostsAndZombies:
    async def test_rolled_back_writes_publish_nothing_and_committed_ones_publish_once(
        self, stack, batch_size
    ) -> None:
        """O2: ghost messages = 0, zombie records = 0."""
        counter = toy.EffectCounter()
        deliveries = Deliveries(toy.toy_consumer(stack.db, counter, batch_size=batch_size))
        await stack.broker.consume(QUEUE, deliveries)
        ledger = Ledger()
        for n in range(100):
            if n % 2:
                with pytest.raises(RuntimeError):
                    await toy.write_thing(stack.db, n, fail_after_outbox=True)
            else:
                ledger.record_sent([(await toy.write_thing(stack.db, n)).id])

        await run_relay_until_empty(relay_for(stack), stack.db)
        await wait_until(lambda: deliveries.finished >= 50)
        await asyncio.sleep(0.1)

        effects = await toy.effects_by_event(stack.db)
        ledger.record_seen(effects)
        assert ledger.summary() == {
            "sent": 50,
            "seen": 50,
            "lost": 0,
            "unexpected": 0,
            "duplicated": 0,
        }
        assert set(effects.values()) == {1}


class TestRelayCrash:
    async def test_crash_after_confirm_before_marking_publishes_twice_with_one_effect(
        self, stack, batch_size
    ) -> None:
        """O3: the relay dies between the broker's confirm and marking the rows sent."""
        counter = toy.EffectCounter()
        deliveries = Deliveries(toy.toy_consumer(stack.db, counter, batch_size=batch_size))
        await stack.broker.consume(QUEUE, deliveries)
        sent = [await toy.write_thing(stack.db, n) for n in range(20)]
        crashes = {"left": 1}

        async def crash_once(_seqs) -> None:
            if crashes["left"]:
                crashes["left"] -= 1
                raise RuntimeError("relay process killed after the confirm")

        crashing = relay_for(stack, after_publish=crash_once)
        with pytest.raises(RuntimeError):
            await crashing.publish_pending()
        assert await toy.pending_outbox(stack.db) == 20  # nothing marked
        await relay_for(stack).publish_pending()  # the restarted relay
        assert await toy.pending_outbox(stack.db) == 0

        # Wait for the handlers to finish, not just to start: a delivery counted on
        # arrival may not have committed its effect yet on a loaded machine.
        await wait_until(lambda: deliveries.finished == 40)
        await asyncio.sleep(0.1)
        assert len(deliveries.seen) == 40
        ledger = Ledger()
        ledger.record_sent(e.id for e in sent)
        ledger.record_seen(d.message_id or "" for d in deliveries.seen)
        assert ledger.lost == set()
        assert ledger.unexpected == set()
        assert len(ledger.duplicated) == 20  # every event was delivered twice...
        effects = await toy.effects_by_event(stack.db)
        assert effects == {e.id: 1 for e in sent}  # ...and took effect once


class TestConcurrentDuplicates:
    async def test_same_event_to_two_consumers_at_once_takes_effect_once(
        self, stack, batch_size
    ) -> None:
        """O4: unique (consumer, event id) lets exactly one of two concurrent deliveries commit."""
        gate = asyncio.Event()

        class Slow(toy.EffectCounter):
            async def __call__(self, session, env, payload) -> None:
                await super().__call__(session, env, payload)
                await gate.wait()  # both instances are inside their transaction now (or waiting)

        first, second = Slow(), Slow()
        event = toy.envelope(7)
        delivery = Delivery(
            body=event.to_json(),
            routing_key=toy.TOY_EVENT,
            message_id=event.id,
            correlation_id=None,
            headers={},
            redelivered=False,
            attempt=1,
            queue="toy",
        )
        consumer_a = toy.toy_consumer(stack.db, first, batch_size=batch_size)
        consumer_b = toy.toy_consumer(stack.db, second, batch_size=batch_size)

        tasks = [
            asyncio.create_task(consumer_a(delivery)),
            asyncio.create_task(consumer_b(delivery)),
        ]
        await asyncio.sleep(0.3)
        gate.set()
        await asyncio.gather(*tasks)

        assert await toy.effects_by_event(stack.db) == {event.id: 1}
        assert len(first.handled) + len(second.handled) == 1


class SimulatedCrash(BaseException):
    """The consumer process dies at this point."""


class TestConsumerCrash:
    @pytest.mark.parametrize("moment", ["after_commit", "before_commit"])
    async def test_consumer_dying_around_the_commit_redelivers_with_one_effect(
        self, stack, moment, batch_size
    ) -> None:
        """M5: killed after the commit (before the ack) or before the commit: one effect."""
        counter = toy.EffectCounter()
        crashes = {"left": 1}

        async def die_once(_env) -> None:
            if crashes["left"]:
                crashes["left"] -= 1
                raise SimulatedCrash

        consumer = toy.toy_consumer(stack.db, counter, batch_size=batch_size, **{moment: die_once})
        deliveries = Deliveries(consumer)
        await stack.broker.consume(QUEUE, deliveries)
        event = await toy.write_thing(stack.db, 1)
        await relay_for(stack).publish_pending()

        await wait_until(lambda: deliveries.finished == 2)
        await asyncio.sleep(0.1)
        assert [d.redelivered for d in deliveries.seen] == [False, True]
        assert await toy.effects_by_event(stack.db) == {event.id: 1}


class TestBrokerOutage:
    async def test_writes_during_an_outage_are_published_in_order_after_it(self, stack) -> None:
        """O1 (toy scale) and M10: writes accepted while the broker is away, published in order after."""
        counter = toy.EffectCounter()
        order: list[int] = []

        class Ordered(toy.EffectCounter):
            async def __call__(self, session, env, payload) -> None:
                order.append(payload.n)
                await counter(session, env, payload)

        await stack.broker.consume(
            dataclasses.replace(QUEUE, prefetch=1), toy.toy_consumer(stack.db, Ordered())
        )
        async with outage_switch(stack) as (publisher, down, up):
            relay = OutboxRelay(
                db=stack.db,
                broker=publisher,
                table=toy.tables.outbox,
                service="toy",
                poll_interval=0.05,
                publish_timeout=2.0,
                max_backoff=0.5,
            )
            await down()
            stop = asyncio.Event()
            task = asyncio.create_task(relay.run(stop))
            sent = [await toy.write_thing(stack.db, n) for n in range(100)]
            await asyncio.sleep(0.5)
            assert await toy.pending_outbox(stack.db) == 100
            assert counter.handled == []
            await up()
            await wait_until(lambda: len(counter.handled) == 100, timeout=30)
            stop.set()
            await task
        assert order == list(range(100))
        assert await toy.effects_by_event(stack.db) == {e.id: 1 for e in sent}


@contextlib.asynccontextmanager
async def outage_switch(stack):
    """A publisher broker for the relay, and functions taking its broker down and up again.

    RabbitMQ: a second connection through a TCP proxy that we pause (the real server stays up for
    the other tests). Memory: the broker's own availability switch.
    """
    if isinstance(stack.broker, MemoryBroker):

        async def down() -> None:
            stack.broker.set_available(False)

        async def up() -> None:
            stack.broker.set_available(True)

        yield stack.broker, down, up
        return
    target = make_url(RABBITMQ_URL.replace("amqp://", "postgresql://"))
    proxy = TCPProxy(target.host or "127.0.0.1", target.port or 5672)
    await proxy.start()
    url = RABBITMQ_URL.replace(f"{target.host}:{target.port or 5672}", f"127.0.0.1:{proxy.port}")
    publisher = RabbitBroker(url, namespace=stack.broker.namespace, reconnect_interval=0.5)
    await publisher.start()
    try:
        yield publisher, proxy.pause, proxy.resume
    finally:
        await publisher.close()
        await proxy.close()


class TestTwoRelays:
    async def test_two_relays_publish_each_row_once_and_in_order(self, stack) -> None:
        """Two relays of one service: the lock hands rows to one at a time, in seq order."""
        seen: list[str] = []

        async def record(delivery: Delivery) -> None:
            seen.append(delivery.message_id or "")

        await stack.broker.consume(
            QueueSpec(name="toy", bindings=(toy.TOY_EVENT,), prefetch=1), record
        )
        sent = [await toy.write_thing(stack.db, n) for n in range(300)]
        a, b = relay_for(stack, batch_size=25), relay_for(stack, batch_size=25)

        await asyncio.gather(a.publish_pending(), b.publish_pending())

        await wait_until(lambda: len(seen) >= 300)
        await asyncio.sleep(0.2)
        assert seen == [e.id for e in sent]


async def test_a_relay_is_woken_by_commits_of_other_processes_even_after_its_listen_drops(
    make_database,
) -> None:
    """PostgreSQL: the relay publishes what another process commits at once (NOTIFY), not at
    its poll; when its LISTEN connection is killed it reconnects and is woken again."""
    import asyncpg

    from cap_shared.db.session import Database

    db = await make_database("postgresql", "toy", None, toy.metadata)
    broker = MemoryBroker()
    await broker.start()
    await broker.declare_queue(QUEUE)
    relay = OutboxRelay(
        db=db, broker=broker, table=toy.tables.outbox, service="toy", poll_interval=30, linger=0
    )
    writer = Database(db.url)  # another engine: no in-process signal reaches the relay
    admin = await asyncpg.connect(db.url.set(drivername="postgresql").render_as_string(False))
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))

    async def listening() -> list[int]:
        rows = await admin.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND query LIKE 'LISTEN%'"
        )
        return [r["pid"] for r in rows]

    async def published_promptly(n: int) -> None:
        await toy.write_thing(writer, n)
        await wait_until_async(lambda: toy.pending_outbox(db), timeout=2)

    try:
        (pid,) = await _eventually(listening)
        await published_promptly(1)
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
        (new_pid,) = await _eventually(lambda: _others(listening, pid))
        assert new_pid != pid
        await published_promptly(2)
    finally:
        stop.set()
        await task
        await admin.close()
        await writer.dispose()
        await broker.close()


async def _others(listening, old: int) -> list[int]:
    return [p for p in await listening() if p != old]


async def _eventually(probe, timeout: float = 10.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (found := await probe()):
        assert loop.time() < deadline, "not within the deadline"
        await asyncio.sleep(0.05)
    return found
