"""A consumer's node SIGKILLed on a CPU-loaded machine: its connection fails over to a survivor
and it consumes again, even when aio-pika's restore of its channel fails there.

A CI run on a loaded machine (two runs at once on 2 cores) lost the consumer this way after a
failover: aio-pika's ``RobustChannel._on_close`` of the old connection failed with
``RuntimeError: ... closed`` and the queue had no consumer from then on. The load alone makes that
interleaving rare, so it is made certain (:class:`LateFailingRestore`); the broker's watchdog
(``cap_shared.messaging.watchdog``) must find the consumer and subscribe it again. Counted through
the outbox, the relay and the inbox: every event's effect exactly once, none lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from prometheus_client import REGISTRY

from cap_shared.messaging import Delivery, QueueSpec
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.outbox import OutboxRelay
from cap_shared.testing import toy
from cap_shared.testing.aio_pika_faults import LateFailingRestore
from cap_shared.testing.fixtures import unique_namespace
from cap_shared.testing.rabbit_cluster import RabbitCluster

logger = logging.getLogger(__name__)

QUEUE = QueueSpec(
    name="toy",
    bindings=(toy.TOY_EVENT,),
    delivery_limit=50,
    retry_delays=(0.2, 0.5, 1.0),
    prefetch=16,
    handler_timeout=10,
)
BEFORE, AFTER = 30, 30
#: Busy processes beside the test: two CI runs at once on 2 cores, and more.
LOAD = 4


@pytest.fixture
async def cluster() -> AsyncIterator[RabbitCluster]:
    """Three throwaway nodes, joined (a quorum queue keeps its majority when one dies)."""
    nodes = RabbitCluster(3, prefix="cap-w")
    try:
        await asyncio.to_thread(nodes.start)
        yield nodes
    finally:
        await asyncio.to_thread(nodes.remove)


@contextlib.contextmanager
def cpu_load(processes: int) -> Iterator[None]:
    """``processes`` busy loops at the test's own priority."""
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        yield
    finally:
        for proc in busy:
            proc.kill()
            proc.wait()


class Counted:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.count = 0

    async def __call__(self, delivery: Delivery) -> None:
        self.count += 1
        await self.inner(delivery)


async def effects_reach(db: Any, n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(await toy.effects_by_event(db)) < n:
        if time.monotonic() > deadline:
            got = len(await toy.effects_by_event(db))
            raise AssertionError(f"timed out after {timeout}s waiting for {n} effects: {got}")
        await asyncio.sleep(0.1)


@pytest.mark.timeout(300)
async def test_a_node_lost_under_cpu_load_the_consumer_fails_over_and_consumes_again(
    cluster: RabbitCluster, make_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = await make_database("postgresql", "toy", None, toy.metadata)
    fault = LateFailingRestore(monkeypatch)
    namespace = unique_namespace()
    leader, lost = cluster.nodes[0], cluster.nodes[1]
    brokers: list[RabbitBroker] = []

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

    try:
        relay_broker = await broker(leader)  # declares the queue: its leader on nodes[0]
        await relay_broker.declare_queue(QUEUE)
        queue = relay_broker.queue_name(QUEUE)
        relay = OutboxRelay(
            db=db, broker=relay_broker, table=toy.tables.outbox, service="toy", max_backoff=1.0
        )
        consumer = await broker(lost)
        handled = Counted(toy.toy_consumer(db, toy.EffectCounter()))
        handle: Any = await consumer.consume(QUEUE, handled)
        restored = REGISTRY.get_sample_value(
            "cap_event_consumers_restored_total", {"queue": QUEUE.name}
        )

        for n in range(BEFORE):
            await toy.write_thing(db, n)
        await relay.publish_pending()
        await effects_reach(db, BEFORE, timeout=60)

        with cpu_load(LOAD):
            fault.arm(handle.channel)
            killed_at = time.monotonic()
            await asyncio.to_thread(cluster.kill, lost)
            await asyncio.wait_for(fault.fired.wait(), 60)
            for n in range(BEFORE, BEFORE + AFTER):
                await toy.write_thing(db, n)
            await relay.publish_pending()
            await effects_reach(db, BEFORE + AFTER, timeout=60)
            resumed_s = time.monotonic() - killed_at

        # Each event's effect exactly once; one consumer of ours on the queue, on a survivor.
        effects = await toy.effects_by_event(db)
        assert len(effects) == BEFORE + AFTER
        assert set(effects.values()) == {1}
        assert await toy.pending_outbox(db) == 0
        assert consumer._connection is not None
        assert consumer._connection.url.port != lost.amqp_port
        row = await asyncio.to_thread(
            cluster.wait_for, queue, leader, lambda q: q["consumers"] == 1, what="1 consumer"
        )
        assert row["consumers"] == 1
        after = REGISTRY.get_sample_value(
            "cap_event_consumers_restored_total", {"queue": QUEUE.name}
        )
        assert (after or 0) == (restored or 0) + 1
        logger.warning(
            "failover under load: consuming again %.1fs after the kill, %d deliveries for %d "
            "events",
            resumed_s,
            handled.count,
            BEFORE + AFTER,
        )
    finally:
        for b in brokers:
            await b.close()
