"""RabbitMQ under real faults on a throwaway node (docs/domain/reliability.md §7: M1, M2, M7,
M9, M11).

Each test runs the toy service's whole path — PostgreSQL outbox -> ``OutboxRelay`` (its own
connection) -> a throwaway RabbitMQ 3.10 node -> ``RabbitBroker`` consumer and dead-letter keeper
(the worker's connection) -> ``EventConsumer`` inbox -> effect rows — in a broker namespace of
its own, breaks the node (``stop_app``/``start_app``, SIGKILL, ``close_all_connections``, a
dead-letter queue that refuses, the broker's consumer timeout) and counts events the Jepsen way
(:class:`~cap_shared.testing.ledger.Ledger`: lost, duplicated effects, unexpected). Deliveries
are counted apart from effects: a redelivery the inbox absorbs is allowed, a second effect is not.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import aio_pika
import pytest
import sqlalchemy as sa

from cap_shared.db.session import Database
from cap_shared.deadletters import DeadLetters
from cap_shared.messaging import Delivery, PermanentError, QueueSpec
from cap_shared.messaging.base import ConsumerHandle
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.outbox import OutboxRelay
from cap_shared.testing import toy
from cap_shared.testing.fixtures import cleanup_rabbit, unique_namespace
from cap_shared.testing.ledger import Ledger
from cap_shared.testing.rabbit_node import RabbitNode

#: Generous: the node's start (in the first test) and each rabbitmqctl call take seconds, many
#: more on a loaded machine.
pytestmark = pytest.mark.timeout(300)

QUEUE = QueueSpec(
    name="toy",
    bindings=(toy.TOY_EVENT,),
    delivery_limit=4,
    retry_delays=(0.2, 0.5),
    prefetch=16,
    handler_timeout=10.0,
)


class Deliveries:
    """Wraps a handler: every delivery (redeliveries included) and how many have finished."""

    def __init__(self, inner: Callable[[Delivery], Any]) -> None:
        self.inner = inner
        self.seen: list[Delivery] = []
        self.finished = 0

    async def __call__(self, delivery: Delivery) -> None:
        self.seen.append(delivery)
        try:
            await self.inner(delivery)
        finally:
            self.finished += 1

    def duplicated(self) -> int:
        """Event ids delivered more than once (allowed: the inbox absorbs them)."""
        return sum(1 for n in Counter(d.message_id for d in self.seen).values() if n > 1)


class Poisoned(toy.EffectCounter):
    """The toy handler, failing for good on the events whose ``n`` is in ``poison``."""

    def __init__(self, poison: Callable[[int], bool]) -> None:
        super().__init__()
        self.poison = poison

    async def __call__(self, session, env, payload) -> None:  # type: ignore[no-untyped-def]
        if self.poison(payload.n):
            raise PermanentError(f"toy {payload.n} is poison")
        await super().__call__(session, env, payload)


@dataclasses.dataclass
class Stack:
    """The toy service's roles on the throwaway node: relay, consumer, dead-letter keeper —
    each with its own connection pool, as their processes have (``db`` is the API's)."""

    node: RabbitNode
    db: Database
    worker_db: Database
    namespace: str
    publisher: RabbitBroker  # the relay process's connection
    worker: RabbitBroker  # the worker process's connection: consumer + dead-letter keeper
    relay: OutboxRelay
    stop: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = dataclasses.field(default_factory=list)
    handles: list[ConsumerHandle] = dataclasses.field(default_factory=list)

    def run_relay(self) -> None:
        """The relay loop, as its process runs it."""
        self.tasks.append(asyncio.create_task(self.relay.run(self.stop)))

    async def consume(self, handler: Callable[[Delivery], Any], spec: QueueSpec = QUEUE) -> None:
        """The worker's consumer."""
        self.handles.append(await self.worker.consume(spec, handler))

    def keeper(self, spec: QueueSpec = QUEUE) -> DeadLetters:
        return DeadLetters(
            db=self.worker_db,
            broker=self.worker,
            table=toy.tables.dead_letters,
            spec=spec,
            service="toy",
        )

    async def keep_dead_letters(self, spec: QueueSpec = QUEUE) -> None:
        """The worker's dead-letter keeper (DLQ -> table)."""
        self.handles.append(await self.worker.consume_dead_letters(spec, self.keeper(spec).keep))

    async def write(self, n: int) -> str:
        """One business write with its event; the id of the committed event."""
        return (await toy.write_thing(self.db, n)).id

    def queue(self, spec: QueueSpec = QUEUE) -> str:
        return self.worker.queue_name(spec)

    def dlq(self, spec: QueueSpec = QUEUE) -> str:
        return self.worker.dead_letter_queue_name(spec)


@pytest.fixture
async def stack(rabbit_node: RabbitNode, make_database) -> AsyncIterator[Stack]:  # type: ignore[no-untyped-def]
    db = await make_database("postgresql", "toy", None, toy.metadata)
    worker_db = Database(db.url, pool_size=2, max_overflow=3)
    relay_db = Database(db.url, pool_size=1, max_overflow=1)
    namespace = unique_namespace()
    publisher = RabbitBroker(rabbit_node.url, namespace=namespace, reconnect_interval=0.5)
    worker = RabbitBroker(rabbit_node.url, namespace=namespace, reconnect_interval=0.5)
    await publisher.start()
    await worker.start()
    relay = OutboxRelay(
        db=relay_db,
        broker=publisher,
        table=toy.tables.outbox,
        service="toy",
        poll_interval=0.2,
        publish_timeout=3.0,
        max_backoff=0.5,
    )
    s = Stack(rabbit_node, db, worker_db, namespace, publisher, worker, relay)
    try:
        yield s
    finally:
        s.stop.set()
        for task in s.tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 10)
        for handle in s.handles:
            with contextlib.suppress(Exception):
                await handle.cancel()
        with contextlib.suppress(Exception):
            await rabbit_node.ensure_running()
        await publisher.close()
        with contextlib.suppress(Exception):
            await cleanup_rabbit(worker, rabbit_node.url)
        await worker_db.dispose()
        await relay_db.dispose()


# helpers ------------------------------------------------------------------------------------
async def eventually(probe: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll the async ``probe`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = await probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.1)


async def steady_depth(node: RabbitNode, queue: str) -> int | None:
    """The queue's depth once it reads the same twice a second apart (None until then)."""
    first = await depth(node, queue)
    if not first:
        return None
    await asyncio.sleep(1.0)
    return first if await depth(node, queue) == first else None


async def effect_ledger(db: Database, sent: list[str]) -> Ledger:
    """Sent = committed events; seen = effect rows (a second row for one event is a duplicate)."""
    ledger = Ledger()
    ledger.record_sent(sent)
    for event_id, rows in (await toy.effects_by_event(db)).items():
        ledger.record_seen([event_id] * rows)
    return ledger


async def dead_letter_ledger(db: Database, poisoned: list[str]) -> tuple[Ledger, dict[str, Any]]:
    """Sent = poisoned events; seen = rows of the dead-letter table (``death_count`` each)."""
    t = toy.tables.dead_letters
    async with db.engine.connect() as conn:
        rows = (await conn.execute(sa.select(t.c.message_id, t.c.death_count, t.c.reason))).all()
    ledger = Ledger()
    ledger.record_sent(poisoned)
    for row in rows:
        ledger.record_seen([row.message_id] * row.death_count)
    return ledger, {row.message_id: row.reason for row in rows}


async def depth(node: RabbitNode, queue: str) -> int | None:
    """Ready messages in ``queue``, exact (a passive declare; ``list_queues`` counts of quorum
    queues are refreshed every few seconds); None while the queue is not available."""
    try:
        connection = await aio_pika.connect(node.url, timeout=5)
    except Exception:
        return None
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)
    except Exception:
        return None
    finally:
        await connection.close()


async def settled(stack: Stack, queue: str, *, consumers: int) -> dict[str, int]:
    """``rabbitmqctl list_queues`` once its counts (refreshed every few seconds for quorum
    queues) show ``queue`` empty with its ``consumers``."""
    expected = {"consumers": consumers, "messages": 0}

    async def probe() -> dict[str, int] | None:
        row = (await stack.node.list_queues()).get(queue)
        return row if row == expected else None

    return await eventually(probe, 30, f"{queue} empty with {consumers} consumer(s)")


async def handled(db: Database, n: int) -> bool:
    return len(await toy.effects_by_event(db)) >= n


async def kept(db: Database, n: int) -> bool:
    t = toy.tables.dead_letters
    async with db.engine.connect() as conn:
        return (await conn.execute(sa.select(sa.func.count()).select_from(t))).scalar_one() >= n


async def consumers_back(stack: Stack, spec: QueueSpec = QUEUE) -> bool:
    """``rabbitmqctl list_queues``: the queue and its dead-letter queue have their consumer."""
    queues = await stack.node.list_queues()
    return (
        queues.get(stack.queue(spec), {}).get("consumers") == 1
        and queues.get(stack.dlq(spec), {}).get("consumers") == 1
    )


def report(name: str, started: float, **counts: object) -> None:
    """The counts and time of a fault run (``pytest -s`` shows them; docs/testing.md quotes them)."""
    print(f"\n[{name}] {time.monotonic() - started:.1f}s {counts}")


# M1 ---------------------------------------------------------------------------------------
async def test_m1_stop_app_and_start_app_twice_while_1000_events_flow(stack: Stack) -> None:
    """M1: 1,000 events written at a steady pace while the broker application is stopped and
    started twice: 0 lost, 0 duplicated effects, 0 unexpected; the consumer and the keeper are
    back on their queues (``rabbitmqctl list_queues name consumers``) and the relay publishes
    again (nothing left in the outbox)."""
    started = time.monotonic()
    deliveries = Deliveries(toy.toy_consumer(stack.worker_db, toy.EffectCounter()))
    await stack.consume(deliveries)
    await stack.keep_dead_letters()
    stack.run_relay()
    sent: list[str] = []

    async def writer() -> None:
        for n in range(1000):
            sent.append(await stack.write(n))
            if n % 25 == 24:
                await asyncio.sleep(0.25)  # >= 10 s of traffic: the restarts fall inside it

    writing = asyncio.create_task(writer())

    async def written(n: int) -> bool:
        if writing.done():
            writing.result()  # a failed writer fails the test with its own error
        return len(sent) >= n

    during_outages: list[int] = []
    for threshold in (250, 600):
        await eventually(lambda t=threshold: written(t), 60, f"{threshold} writes")
        before = len(sent)
        await stack.node.stop_app()
        await asyncio.sleep(1.0)  # writes go on into the outbox meanwhile
        during_outages.append(len(sent) - before)
        await stack.node.start_app()
        await eventually(lambda: consumers_back(stack), 30, "consumers back after start_app")
        await eventually(_connections(stack.node, 2), 30, "relay and worker reconnected")
    await writing
    await eventually(lambda: handled(stack.db, 1000), 90, "1000 effects")
    await asyncio.sleep(0.5)  # let late redeliveries land: they must add no effect

    ledger = await effect_ledger(stack.db, sent)
    report(
        "M1",
        started,
        **ledger.summary(),
        deliveries=len(deliveries.seen),
        redelivered_ids=deliveries.duplicated(),
        written_during_outages=during_outages,
    )
    assert all(during_outages)  # the events did flow while the broker was stopped
    assert ledger.summary() == {
        "sent": 1000,
        "seen": 1000,
        "lost": 0,
        "unexpected": 0,
        "duplicated": 0,
    }
    await settled(stack, stack.queue(), consumers=1)
    await settled(stack, stack.dlq(), consumers=1)
    assert await toy.pending_outbox(stack.db) == 0  # the relay published after both restarts


# M2 ---------------------------------------------------------------------------------------
async def test_m2_sigkill_with_confirmed_messages_in_the_queue_loses_none(stack: Stack) -> None:
    """M2: 500 events confirmed into the quorum queue, the broker's VM SIGKILLed and started
    again on its data directory: the 500 are still there; 100 events written while it was dead
    wait in the outbox and are published after; every one takes effect exactly once."""
    started = time.monotonic()
    await stack.worker.declare_queue(QUEUE)
    confirmed = [await stack.write(n) for n in range(500)]
    assert await stack.relay.publish_pending() == 500  # every one confirmed by the broker
    assert await depth(stack.node, stack.queue()) == 500

    await stack.node.kill()
    killed = time.monotonic()
    written_while_dead = [await stack.write(n) for n in range(500, 600)]
    await stack.node.restart()
    restarted = time.monotonic()

    # The quorum queue elects its leader and replays its log after the listener opens.
    # Its count grows while the log is replayed (440 of 500 was seen once, under load): the
    # count that survived is the one that stays put for a second.
    survived = await eventually(
        lambda: steady_depth(stack.node, stack.queue()), 60, "the queue back"
    )
    recovered_at = time.monotonic()

    deliveries = Deliveries(toy.toy_consumer(stack.worker_db, toy.EffectCounter()))
    await stack.consume(deliveries)  # on the worker's connection, reconnected by itself
    stack.run_relay()  # the relay's connection too
    await eventually(lambda: handled(stack.db, 600), 60, "600 effects")
    await asyncio.sleep(0.3)

    ledger = await effect_ledger(stack.db, confirmed + written_while_dead)
    report(
        "M2",
        started,
        survived=survived,
        restart_s=round(restarted - killed, 1),
        recovery_s=round(recovered_at - restarted, 1),
        handled_s=round(time.monotonic() - recovered_at, 1),
        **ledger.summary(),
        deliveries=len(deliveries.seen),
    )
    assert survived == 500
    assert ledger.summary() == {
        "sent": 600,
        "seen": 600,
        "lost": 0,
        "unexpected": 0,
        "duplicated": 0,
    }
    assert await toy.pending_outbox(stack.db) == 0


# M9 ---------------------------------------------------------------------------------------
async def test_m9_close_all_connections_every_role_reconnects_and_resumes(stack: Stack) -> None:
    """M9: ``rabbitmqctl close_all_connections`` twice: the relay (publisher), the consumer and
    the dead-letter keeper reconnect by themselves (consumers back on both queues, two
    connections again) and go on: every good event takes effect once, every poisoned one is
    kept once in the dead-letter table."""
    started = time.monotonic()
    deliveries = Deliveries(toy.toy_consumer(stack.worker_db, Poisoned(lambda n: n % 10 == 0)))
    await stack.consume(deliveries)
    await stack.keep_dead_letters()
    stack.run_relay()
    good: list[str] = []
    poisoned: list[str] = []

    async def batch(first: int) -> None:
        for n in range(first, first + 100):
            (poisoned if n % 10 == 0 else good).append(await stack.write(n))
        await eventually(lambda: handled(stack.db, len(good)), 60, f"{len(good)} effects")
        await eventually(lambda: kept(stack.db, len(poisoned)), 60, "dead letters kept")

    await batch(0)
    for round_ in (1, 2):
        await stack.node.close_all_connections()
        await eventually(lambda: consumers_back(stack), 30, "consumers back")
        await eventually(_connections(stack.node, 2), 30, "relay and worker reconnected")
        await batch(round_ * 100)
    await asyncio.sleep(0.3)

    effects = await effect_ledger(stack.db, good)
    dead, reasons = await dead_letter_ledger(stack.db, poisoned)
    report(
        "M9",
        started,
        effects=effects.summary(),
        dead_letters=dead.summary(),
        deliveries=len(deliveries.seen),
    )
    assert effects.summary() == {
        "sent": 270,
        "seen": 270,
        "lost": 0,
        "unexpected": 0,
        "duplicated": 0,
    }
    assert dead.summary() == {"sent": 30, "seen": 30, "lost": 0, "unexpected": 0, "duplicated": 0}
    assert all("poison" in reason for reason in reasons.values())


def _connections(node: RabbitNode, n: int) -> Callable[[], Any]:
    async def probe() -> bool:
        return await node.connection_count() == n

    return probe


# M7 ---------------------------------------------------------------------------------------
async def test_m7_a_dead_letter_queue_that_refuses_loses_no_dead_letter(stack: Stack) -> None:
    """M7: the dead-letter queue refuses past 3 messages (policy ``max-length`` + ``overflow:
    reject-publish``) while 12 poisoned events die among 12 good ones, its keeper down. The DLQ
    takes 3 (or a few more: a quorum queue overshoots by the publishes under way); the others
    wait in the source queue (quorum at-least-once dead-lettering) instead of vanishing. Once the keeper runs and drains the DLQ
    — the limit still in place — every poisoned event reaches the dead-letter table: 0 lost
    (a duplicate in the DLQ would be allowed and is counted), and the good events take effect
    once."""
    started = time.monotonic()
    spec = dataclasses.replace(QUEUE, delivery_limit=3, retry_delays=(0.1,))
    await stack.worker.declare_queue(spec)
    pattern = f"^{re.escape(stack.dlq(spec))}$"
    await stack.node.set_policy(
        f"{stack.namespace}-dlq-limit", pattern, {"max-length": 3, "overflow": "reject-publish"}
    )
    try:
        deliveries = Deliveries(toy.toy_consumer(stack.worker_db, Poisoned(lambda n: n % 2 == 0)))
        await stack.consume(deliveries, spec)
        poisoned = [await stack.write(n) for n in range(0, 24, 2)]
        good = [await stack.write(n) for n in range(1, 24, 2)]
        stack.run_relay()
        await eventually(lambda: handled(stack.db, 12), 30, "12 good effects")

        async def refusing() -> tuple[int, int] | None:
            # Every poisoned event either in the DLQ or held back in the source queue.
            queues = await stack.node.list_queues()
            in_dlq = queues[stack.dlq(spec)]["messages"]
            held = queues[stack.queue(spec)]["messages"]
            return (in_dlq, held) if in_dlq >= 3 and in_dlq + held == 12 else None

        in_dlq_while_full, held_in_source = await eventually(refusing, 30, "the DLQ refusing")
        await asyncio.sleep(1.0)  # refused ones are retried meanwhile, and refused again
        assert await depth(stack.node, stack.dlq(spec)) == in_dlq_while_full

        await stack.keep_dead_letters(spec)  # the keeper comes back and drains the DLQ
        await eventually(lambda: kept(stack.db, 12), 60, "12 dead letters kept")
        await asyncio.sleep(1.5)
    finally:
        await stack.node.clear_policy(f"{stack.namespace}-dlq-limit")

    effects = await effect_ledger(stack.db, good)
    dead, _reasons = await dead_letter_ledger(stack.db, poisoned)
    report(
        "M7",
        started,
        in_dlq_while_full=in_dlq_while_full,
        held_in_source=held_in_source,
        effects=effects.summary(),
        dead_letters=dead.summary(),
        deliveries=len(deliveries.seen),
    )
    # It did refuse (a quorum queue overshoots its limit by the publishes already under way),
    # and every refused one waited in the source queue.
    assert 3 <= in_dlq_while_full < 12
    assert held_in_source == 12 - in_dlq_while_full
    assert dead.lost == set()
    assert dead.unexpected == set()
    assert effects.summary() == {
        "sent": 12,
        "seen": 12,
        "lost": 0,
        "unexpected": 0,
        "duplicated": 0,
    }


# M11 --------------------------------------------------------------------------------------
class SlowFirstTime:
    """Far slower than the handler timeout on each event's first attempt, then the toy consumer.

    The slowness comes before the consumer's transaction (a slow call to something else), so the
    timed-out attempt holds no inbox row the retry would wait for.
    """

    def __init__(self, inner: Callable[[Delivery], Any], *, unwind_s: float = 0.0) -> None:
        self.inner = inner
        self.unwind_s = unwind_s

    async def __call__(self, delivery: Delivery) -> None:
        if delivery.attempt == 1:
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                # Cleaning up takes a while too (a slow rollback, a network call's close).
                await asyncio.sleep(self.unwind_s)
                raise
        await self.inner(delivery)


@pytest.mark.parametrize("unwind_s", [0.0, 5.0], ids=["prompt-unwind", "slow-unwind"])
async def test_m11_our_handler_timeout_fires_before_the_brokers_consumer_timeout(
    stack: Stack, unwind_s: float
) -> None:
    """M11: a handler slower than its 1 s timeout, on a node whose consumer timeout is 4 s (the
    broker then closes the channel of a delivery left unacknowledged). Our timeout fires first:
    the message goes to its delay queue and is acked, so the broker never closes the channel
    (no delivery comes back ``redelivered``); it is handled on the second attempt, once. Also
    when the timed-out handler takes longer to unwind than the broker's timeout."""
    started = time.monotonic()
    spec = dataclasses.replace(QUEUE, name="slow", handler_timeout=1.0, retry_delays=(0.2,))
    consumer = toy.toy_consumer(stack.worker_db, toy.EffectCounter())
    deliveries = Deliveries(SlowFirstTime(consumer, unwind_s=unwind_s))
    await stack.consume(deliveries, spec)
    sent = [await stack.write(n) for n in range(5)]
    await stack.relay.publish_pending()
    await eventually(lambda: handled(stack.db, 5), 30, "5 effects")
    # Past the broker's timeout (and a channel tick) after the first deliveries: had a channel
    # been closed, its messages would have come back redelivered by now.
    await asyncio.sleep(stack.node.consumer_timeout_ms / 1000 + 1.5 + unwind_s)

    ledger = await effect_ledger(stack.db, sent)
    attempts = sorted(d.attempt for d in deliveries.seen)
    redelivered = sum(1 for d in deliveries.seen if d.redelivered)
    report(
        f"M11 {unwind_s}",
        started,
        **ledger.summary(),
        attempts=attempts,
        redelivered=redelivered,
    )
    assert ledger.summary() == {"sent": 5, "seen": 5, "lost": 0, "unexpected": 0, "duplicated": 0}
    assert attempts == [1] * 5 + [2] * 5  # timed out once, then handled
    assert redelivered == 0  # the broker never took a delivery back
    await settled(stack, stack.queue(spec), consumers=1)
    assert "delivery acknowledgement" not in stack.node.log_tail(1000)
