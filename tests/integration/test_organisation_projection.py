"""The foundation's end-to-end path, in both topologies: the gateway registers an organisation,
publishes ``identity.organisation.registered.v1`` through its outbox, and every service keeps it
in its own read model exactly once, whatever the redeliveries."""

from __future__ import annotations

import asyncio
from collections import Counter

import sqlalchemy as sa

from cap_shared.messaging import OutgoingMessage
from cap_shared.testing.messaging import wait_until
from cap_shared.testing.siret import make_siret
from cap_standalone.testing import Topology

EVENT = "identity.organisation.registered.v1"
SERVICES = ("diagnostic", "audit", "labelling", "notifications")


def count_handler_runs(topology: Topology) -> Counter[str]:
    """Wrap every service's handler of the event to count how many times it takes effect."""
    runs: Counter[str] = Counter()
    for name in SERVICES:
        consumer = topology.runtimes[name].consumer
        original = consumer.handlers[EVENT]

        async def counted(session, envelope, payload, _original=original, _name=name) -> None:
            await _original(session, envelope, payload)
            runs[_name] += 1

        consumer.handlers[EVENT] = counted
    return runs


async def read_model(topology: Topology, service: str, organisation_id: str) -> dict | None:
    runtime = topology.runtimes[service]
    table = runtime.tables.outbox.metadata.tables["organisation"]
    async with runtime.db.engine.connect() as conn:
        row = (
            (await conn.execute(sa.select(table).where(table.c.id == organisation_id)))
            .mappings()
            .first()
        )
    return dict(row) if row else None


async def wait_for_projection(
    topology: Topology, organisation_id: str, timeout: float = 15
) -> dict[str, dict]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        rows = {s: await read_model(topology, s, organisation_id) for s in SERVICES}
        if all(rows.values()):
            return rows  # type: ignore[return-value]
        if loop.time() > deadline:
            raise AssertionError(f"projection incomplete: {[s for s, r in rows.items() if not r]}")
        await asyncio.sleep(0.05)


async def test_registered_organisation_reaches_every_read_model_exactly_once(
    topology: Topology,
) -> None:
    runs = count_handler_runs(topology)
    body = {
        "siret": make_siret(1),
        "name": "Atelier Solidaire du Lauragais",
        "siae_types": ["ACI", "AI"],
        "region": "76",
        "delegation": "Coorace Occitanie",
    }

    response = await topology.client.post("/v1/organisations", json=body, headers=topology.admin)

    assert response.status_code == 201, response.text
    organisation = response.json()
    rows = await wait_for_projection(topology, organisation["id"])
    assert rows["diagnostic"]["siae_types"] == ["ACI", "AI"]
    assert rows["diagnostic"]["region"] == "76"
    assert rows["audit"]["siret"] == body["siret"]
    assert rows["labelling"]["region_name"] == "Occitanie"
    assert rows["labelling"]["delegation"] == "Coorace Occitanie"
    assert rows["notifications"]["name"] == body["name"]
    await wait_until(lambda: all(runs[s] == 1 for s in SERVICES))

    # Redeliveries: the same event published again three times, and an in-memory-broker restart
    # republishing its recent window. Each service has still taken effect once.
    gateway = topology.runtimes["gateway"]
    outbox = gateway.tables.outbox
    async with gateway.db.engine.connect() as conn:
        row = (await conn.execute(sa.select(outbox).where(outbox.c.event_type == EVENT))).one()
    duplicate = OutgoingMessage(
        routing_key=EVENT, body=row.payload.encode(), message_id=row.event_id, type=EVENT
    )
    for _ in range(3):
        await gateway.broker.publish(duplicate)
    gateway.relay.replay_window = 3600
    await gateway.relay.replay_recent()
    for name in SERVICES:
        queue = topology.runtimes[name].broker.queue_name(topology.runtimes[name].queue)
        await wait_until_async(lambda q=queue, n=name: topology.runtimes[n].broker.queue_depth(q))
    await asyncio.sleep(0.3)

    assert dict(runs) == dict.fromkeys(SERVICES, 1)
    for name in SERVICES:
        runtime = topology.runtimes[name]
        async with runtime.db.engine.connect() as conn:
            inbox = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(runtime.tables.inbox)
                    .where(
                        runtime.tables.inbox.c.event_type == "identity.organisation.registered.v1"
                    )
                )
            ).scalar_one()
            orgs = (await conn.execute(sa.text("SELECT count(*) FROM organisation"))).scalar_one()
        assert (inbox, orgs) == (1, 1), name


async def wait_until_async(depth, timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await depth() != 0:
        if loop.time() > deadline:
            raise AssertionError("queue not drained")
        await asyncio.sleep(0.02)
