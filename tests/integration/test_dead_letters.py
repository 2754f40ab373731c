"""Malformed events never crash or block a consumer: they are dead-lettered with the reason,
listed for operators through the gateway, and replayable once their cause is fixed."""

from __future__ import annotations

import json
from uuid import uuid4

from cap_shared.clock import wall_now
from cap_shared.messaging import OutgoingMessage
from cap_shared.testing.auth import create_user
from cap_shared.testing.siret import make_siret
from cap_standalone.testing import Topology

EVENT = "identity.organisation.registered.v1"


def envelope(data: dict, event_type: str = EVENT) -> bytes:
    return json.dumps(
        {
            "specversion": "1.0",
            "id": str(uuid4()),
            "source": "/cap/test",
            "type": event_type,
            "time": wall_now().isoformat(),
            "data": data,
        }
    ).encode()


def organisation_data(n: int) -> dict:
    return {
        "organisation_id": str(uuid4()),
        "siret": make_siret(n),
        "name": f"Structure {n}",
        "siae_types": ["EI"],
        "region": "53",
        "region_name": "Bretagne",
        "registered_at": wall_now().isoformat(),
    }


async def dead_letters(topology: Topology, service: str) -> list[dict]:
    response = await topology.client.get(f"/v1/ops/{service}/dead-letters", headers=topology.admin)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def eventually(predicate, timeout: float = 15) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def test_malformed_events_are_dead_lettered_with_the_reason_and_do_not_block(
    topology: Topology,
) -> None:
    broker = topology.runtimes["gateway"].broker
    bad = {
        "bad-json": b"{not json",
        "missing-field": envelope({k: v for k, v in organisation_data(1).items() if k != "siret"}),
        "unknown-type": envelope(
            organisation_data(2), event_type="identity.organisation.renamed.v9"
        ),
    }
    for key, body in bad.items():
        await broker.publish(
            OutgoingMessage(routing_key=EVENT, body=body, message_id=key, type=EVENT)
        )
    good = organisation_data(3)
    await broker.publish(
        OutgoingMessage(routing_key=EVENT, body=envelope(good), message_id=str(uuid4()), type=EVENT)
    )

    async def all_dead() -> bool:
        counts = [
            len(await dead_letters(topology, s))
            for s in ("diagnostic", "audit", "labelling", "notifications")
        ]
        return counts == [3, 3, 3, 3]

    await eventually(all_dead)
    letters = {d["message_id"]: d for d in await dead_letters(topology, "diagnostic")}
    assert letters["bad-json"]["reason"].startswith("permanent: malformed envelope")
    assert "siret: Field required" in letters["missing-field"]["reason"]
    assert (
        "unknown event type 'identity.organisation.renamed.v9'" in letters["unknown-type"]["reason"]
    )
    assert letters["bad-json"]["body"] == "{not json"
    assert letters["missing-field"]["attempts"] == 1  # permanent: never retried
    # The good event behind them is handled too.
    runtime = topology.runtimes["diagnostic"]
    from cap_diagnostic.models import Organisation
    from cap_shared.readmodel import ReadModelRepository

    async def good_handled() -> bool:
        async with runtime.db.session() as session:
            found = await ReadModelRepository(session, Organisation).get(good["organisation_id"])
            return found is not None

    await eventually(good_handled)


async def test_dead_letter_is_replayed_once_its_cause_is_fixed(topology: Topology) -> None:
    runtime = topology.runtimes["audit"]
    consumer = runtime.consumer
    original = consumer.handlers[EVENT]
    broken = {"on": True}

    async def flaky(session, env, payload) -> None:
        if broken["on"]:
            raise RuntimeError("audit database constraint bug")
        await original(session, env, payload)

    consumer.handlers[EVENT] = flaky
    data = organisation_data(4)
    await topology.runtimes["gateway"].broker.publish(
        OutgoingMessage(routing_key=EVENT, body=envelope(data), message_id=str(uuid4()), type=EVENT)
    )

    async def dead() -> bool:
        return len(await dead_letters(topology, "audit")) == 1

    await eventually(dead)
    [letter] = await dead_letters(topology, "audit")
    assert "RuntimeError: audit database constraint bug" in letter["reason"]
    assert letter["attempts"] == runtime.queue.max_attempts

    broken["on"] = False
    replay = await topology.client.post(
        f"/v1/ops/audit/dead-letters/{letter['id']}/replay", headers=topology.admin
    )
    assert replay.status_code == 200, replay.text
    assert replay.json()["replay_count"] == 1

    from cap_audit.models import Organisation
    from cap_shared.readmodel import ReadModelRepository

    async def projected() -> bool:
        async with runtime.db.session() as session:
            return (
                await ReadModelRepository(session, Organisation).get(data["organisation_id"])
                is not None
            )

    await eventually(projected)
    assert await dead_letters(topology, "audit") == []
    again = await topology.client.post(
        f"/v1/ops/audit/dead-letters/{letter['id']}/replay", headers=topology.admin
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"


async def test_ops_routes_deny_by_default(standalone: Topology) -> None:
    assert (await standalone.client.get("/v1/ops/diagnostic/dead-letters")).status_code == 401
    wrong = await standalone.client.get(
        "/v1/ops/diagnostic/dead-letters", headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401
    committee = await create_user(standalone.client, standalone.admin, role="committee")
    forbidden = await standalone.client.get("/v1/ops/diagnostic/dead-letters", headers=committee)
    assert forbidden.status_code == 403
    gateway_outbox = await standalone.client.get("/v1/ops/gateway/outbox", headers=standalone.admin)
    assert gateway_outbox.status_code == 200
    assert set(gateway_outbox.json()) == {"pending", "oldest_age_seconds", "failing"}
    assert (await standalone.client.get("/v1/ops/gateway/outbox")).status_code == 401
    unknown = await standalone.client.get("/v1/ops/payroll/dead-letters", headers=standalone.admin)
    assert unknown.status_code == 404
    missing = await standalone.client.post(
        f"/v1/ops/diagnostic/dead-letters/{uuid4()}/replay", headers=standalone.admin
    )
    assert missing.status_code == 404
