"""M13: a 3-node RabbitMQ cluster on this machine, the quorum queue's leader SIGKILLed during
traffic, through the real outbox -> relay -> broker -> consumer -> inbox stack on PostgreSQL.

The relay and one consumer are connected to the leader's node, a second consumer (a replica of
the same service, sharing its inbox) to a follower. Both brokers list every node
(``BROKER_URL`` with the three URLs), so those on the killed node reconnect to a survivor.
Counted the Jepsen way: 0 lost, 0 duplicated effects, 0 unexpected; the queue elects a new
leader among the survivors, the killed node rejoins, both consumers are back on the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from cap_shared.messaging import Delivery, QueueSpec
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.outbox import OutboxRelay
from cap_shared.testing import toy
from cap_shared.testing.fixtures import unique_namespace
from cap_shared.testing.ledger import Ledger
from cap_shared.testing.rabbit_cluster import RabbitCluster

logger = logging.getLogger(__name__)

EVENTS = 1000
#: The leader is killed once this many effects are committed (mid-traffic).
KILL_AFTER = 150
WRITERS = 4
QUEUE = QueueSpec(
    name="toy",
    bindings=(toy.TOY_EVENT,),
    # A broker fault must never dead-letter an event: generous limits, short delays.
    delivery_limit=50,
    retry_delays=(0.2, 0.5, 1.0, 2.0, 5.0),
    prefetch=32,
    handler_timeout=10,
)


@pytest.fixture
async def cluster() -> AsyncIterator[RabbitCluster]:
    """Three throwaway nodes, joined; killed and deleted afterwards (also on failure)."""
    started = time.monotonic()
    nodes = RabbitCluster(3)
    try:
        await asyncio.to_thread(nodes.start)
        logger.warning("cluster of 3 started in %.1fs", time.monotonic() - started)
        yield nodes
    finally:
        await asyncio.to_thread(nodes.remove)


class Deliveries:
    """Counts every delivery a consumer replica gets (duplicates the inbox absorbs included)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.count = 0
        self.redelivered = 0

    async def __call__(self, delivery: Delivery) -> None:
        self.count += 1
        self.redelivered += delivery.redelivered
        await self.inner(delivery)


async def eventually(
    count: Callable[[], Awaitable[int]], at_least: int, *, timeout: float, what: str
) -> None:
    """Poll ``count()`` until it reaches ``at_least``, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while (n := await count()) < at_least:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}: {n}/{at_least}")
        await asyncio.sleep(0.1)


@pytest.mark.timeout(300)
async def test_m13_the_quorum_queue_leader_killed_mid_traffic_loses_and_duplicates_nothing(
    cluster: RabbitCluster, make_database: Any
) -> None:
    db = await make_database("postgresql", "toy", None, toy.metadata)
    brokers: list[RabbitBroker] = []
    try:
        await leader_killed_mid_traffic(cluster, db, brokers)
    finally:
        for b in brokers:
            await b.close()


async def leader_killed_mid_traffic(
    cluster: RabbitCluster, db: Any, brokers: list[RabbitBroker]
) -> None:
    timings: dict[str, float] = {}
    namespace = unique_namespace()

    async def broker(first: Any) -> RabbitBroker:
        b = RabbitBroker(
            cluster.broker_url(first=first),
            namespace=namespace,
            reconnect_interval=0.3,
            connect_timeout=5,
        )
        await b.start()
        brokers.append(b)
        return b

    # Declared through the first node: RabbitMQ 3.10 puts the leader on the declaring node.
    setup = await broker(cluster.nodes[0])
    await setup.declare_queue(QUEUE)
    queue = setup.queue_name(QUEUE)
    row = await asyncio.to_thread(cluster.queue, queue, cluster.nodes[0])
    assert row["type"] == "quorum"
    # The replicas span the cluster (RabbitMQ's default group size, 3: one per node).
    assert sorted(row["members"]) == sorted(n.name for n in cluster.nodes)
    leader = cluster.node(row["leader"])
    follower = cluster.others(leader)[0]

    relay_broker = await broker(leader)
    on_leader = Deliveries(toy.toy_consumer(db, toy.EffectCounter(), batch_size=50))
    on_follower = Deliveries(toy.toy_consumer(db, toy.EffectCounter(), batch_size=50))

    async def count_effects() -> int:
        return len(await toy.effects_by_event(db))

    leader_consumer = await broker(leader)
    await leader_consumer.consume(QUEUE, on_leader)
    await (await broker(follower)).consume(QUEUE, on_follower)
    await asyncio.to_thread(
        cluster.wait_for, queue, follower, lambda q: q["consumers"] == 2, what="2 consumers"
    )

    relay = OutboxRelay(
        db=db,
        broker=relay_broker,
        table=toy.tables.outbox,
        service="toy",
        poll_interval=0.2,
        publish_timeout=3.0,
        max_backoff=1.0,
    )
    stop = asyncio.Event()
    ledger = Ledger()

    async def write(numbers: range, pause: float) -> None:
        for n in numbers[::WRITERS]:
            ledger.record_sent([(await toy.write_thing(db, n)).id])
            await asyncio.sleep(pause)

    async def write_all(numbers: range, pause: float = 0.0) -> None:
        # Concurrent writers, as several API processes would be.
        await asyncio.gather(*(write(numbers[i:], pause) for i in range(WRITERS)))

    began = time.monotonic()
    # Half the events wait in the outbox when the relay starts: its first pass fills the queue,
    # so the leader dies with messages queued and deliveries in flight, while the other half
    # is still being written and published.
    await write_all(range(EVENTS // 2))
    timings["first half written"] = time.monotonic() - began
    relay_task = asyncio.create_task(relay.run(stop))
    # At most 100 writes a second: the second half spans the kill even on a fast machine.
    writer = asyncio.create_task(write_all(range(EVENTS // 2, EVENTS), pause=0.04))
    try:
        await eventually(count_effects, KILL_AFTER, timeout=60, what="the first effects")
        written_at_kill = len(ledger.sent)
        killed_at = time.monotonic()
        await asyncio.to_thread(cluster.kill, leader)
        timings["kill"] = killed_at - began

        # A survivor leads the queue now; the killed node is a member still, offline.
        row = await asyncio.to_thread(
            cluster.wait_for,
            queue,
            follower,
            lambda q: q["leader"] != leader.name and q["leader"] in q["online"],
            what="a new leader",
        )
        timings["new leader"] = time.monotonic() - killed_at
        new_leader = row["leader"]
        assert leader.name not in row["online"]
        assert sorted(row["members"]) == sorted(n.name for n in cluster.nodes)

        restart = asyncio.create_task(asyncio.to_thread(cluster.start_node, leader))
        await writer
        await eventually(count_effects, EVENTS, timeout=120, what="every effect")
        timings["all effects"] = time.monotonic() - began
        await restart
        timings["node back"] = time.monotonic() - killed_at
    finally:
        stop.set()
        writer.cancel()
        with contextlib.suppress(BaseException):
            await writer
        await relay_task

    # The killed node rejoined: three replicas online, both consumer replicas on the queue.
    row = await asyncio.to_thread(
        cluster.wait_for,
        queue,
        follower,
        lambda q: len(q["online"]) == 3 and q["consumers"] == 2,
        what="3 replicas online and 2 consumers",
    )
    await asyncio.sleep(0.5)  # any straggling redelivery would show as a second effect
    effects = await toy.effects_by_event(db)
    for event_id, count in effects.items():
        ledger.record_seen([event_id] * count)
    dead_letters = await setup.queue_depth(setup.dead_letter_queue_name(QUEUE))
    pending = await toy.pending_outbox(db)
    deliveries = on_leader.count + on_follower.count
    summary = ledger.summary()
    logger.warning(
        "M13: %s; written before the kill %d, deliveries %d (%d absorbed by the inbox, "
        "%d flagged redelivered), on the leader's node %d, on the follower's %d; "
        "old leader %s, new %s; timings %s",
        summary,
        written_at_kill,
        deliveries,
        deliveries - EVENTS,
        on_leader.redelivered + on_follower.redelivered,
        on_leader.count,
        on_follower.count,
        leader.name,
        new_leader,
        {k: round(v, 1) for k, v in timings.items()},
    )
    assert summary == {
        "sent": EVENTS,
        "seen": EVENTS,
        "lost": 0,
        "unexpected": 0,
        "duplicated": 0,
    }
    assert pending == 0  # the relay published everything
    assert dead_letters == 0  # a node's death dead-letters nothing
    assert EVENTS // 2 <= written_at_kill < EVENTS  # the kill happened mid-traffic
    assert on_follower.count > 0
    assert on_leader.count > 0
    # The relay and the consumer that were on the killed node went on through a survivor.
    for moved in (relay_broker, leader_consumer):
        assert moved._connection is not None
        assert moved._connection.url.port != leader.amqp_port
