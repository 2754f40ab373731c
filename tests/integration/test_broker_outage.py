"""O1: API writes keep being accepted while the broker is away; the outbox catches up after,
without loss or duplicate effects, in both topologies."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from cap_shared.messaging.memory import MemoryBroker
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.testing.ledger import Ledger
from cap_shared.testing.services import RABBITMQ_URL
from cap_shared.testing.siret import make_siret
from cap_shared.testing.tcpproxy import TCPProxy
from cap_standalone.testing import Topology

EVENT = "identity.organisation.registered.v1"
SERVICES = ("diagnostic", "audit", "labelling", "notifications")
WRITES = 500


@pytest.mark.slow
async def test_writes_during_a_broker_outage_are_delivered_once_after_it(
    topology: Topology,
) -> None:
    gateway = topology.runtimes["gateway"]
    runs: Counter[tuple[str, str]] = Counter()
    for name in SERVICES:
        consumer = topology.runtimes[name].consumer
        original = consumer.handlers[EVENT]

        async def counted(session, env, payload, _original=original, _name=name) -> None:
            await _original(session, env, payload)
            runs[(_name, env.id)] += 1

        consumer.handlers[EVENT] = counted

    proxy = None
    if isinstance(gateway.broker, MemoryBroker):
        gateway.broker.set_available(False)
    else:
        target = make_url(RABBITMQ_URL.replace("amqp://", "postgresql://"))
        proxy = TCPProxy(target.host or "127.0.0.1", target.port or 5672)
        await proxy.start()
        url = RABBITMQ_URL.replace(
            f"{target.host}:{target.port or 5672}", f"127.0.0.1:{proxy.port}"
        )
        publisher = RabbitBroker(url, namespace=gateway.broker.namespace, reconnect_interval=0.5)
        await publisher.start()
        gateway.relay.broker = publisher
        gateway.relay.max_backoff = 1.0
        await proxy.pause()

    try:
        statuses = []
        for n in range(WRITES):
            body = {
                "siret": make_siret(1000 + n),
                "name": f"Structure {n}",
                "siae_types": ["ACI"],
                "region": "75",
            }
            statuses.append(
                (
                    await topology.client.post(
                        "/v1/organisations", json=body, headers=topology.admin
                    )
                ).status_code
            )
        assert statuses == [201] * WRITES  # the API never needed the broker
        status = await gateway.relay.status()
        assert status["pending"] >= WRITES  # (the administrator's account event may wait too)
        assert sum(runs.values()) == 0

        if proxy is not None:
            await proxy.resume()
        else:
            assert isinstance(gateway.broker, MemoryBroker)
            gateway.broker.set_available(True)
        started = time.monotonic()
        while (await gateway.relay.status())["pending"]:
            assert time.monotonic() - started < 60, "outbox did not catch up within 60 s"
            await asyncio.sleep(0.1)
        while sum(runs.values()) < WRITES * len(SERVICES):
            assert time.monotonic() - started < 60, f"consumers saw {sum(runs.values())}"
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
    finally:
        if proxy is not None:
            await gateway.relay.broker.close()
            await proxy.close()

    async with gateway.db.engine.connect() as conn:
        sent_ids = set(
            (
                await conn.execute(
                    sa.select(gateway.tables.outbox.c.event_id).where(
                        gateway.tables.outbox.c.event_type == EVENT
                    )
                )
            ).scalars()
        )
    for name in SERVICES:
        ledger = Ledger()
        ledger.record_sent(sent_ids)
        ledger.record_seen(
            event_id for (service, event_id), n in runs.items() if service == name for _ in range(n)
        )
        assert ledger.summary() == {
            "sent": WRITES,
            "seen": WRITES,
            "lost": 0,
            "unexpected": 0,
            "duplicated": 0,
        }, name
        runtime = topology.runtimes[name]
        async with runtime.db.engine.connect() as conn:
            assert (
                await conn.execute(sa.text("SELECT count(*) FROM organisation"))
            ).scalar_one() == WRITES
