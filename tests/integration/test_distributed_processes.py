"""The distributed topology as it is deployed: every role of every service is its own OS
process (the console scripts `make up` and the containers run), on PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.testing import services
from cap_shared.testing.auth import sign_in
from cap_shared.testing.siret import make_siret
from cap_standalone.platform import SERVICES
from cap_standalone.processes import ProcessPlatform


@pytest.mark.slow
async def test_registration_flows_through_separate_processes(tmp_path: Path) -> None:
    # `cap-<part> migrate` creates each database (dropped first) and migrates it.
    platform = ProcessPlatform(tmp_path / "logs", migrate_in_process=False)
    await platform.start()
    stopped = False
    try:
        async with httpx.AsyncClient(base_url=platform.url) as client:
            body = {
                "siret": make_siret(77),
                "name": "Ressourcerie du Pays Basque",
                "siae_types": ["ACI"],
                "region": "75",
            }
            # Signed in at the gateway process; the services verify the token themselves with
            # the keys they fetch from the gateway's JWKS over HTTP.
            admin = await sign_in(client)
            created = await client.post("/v1/organisations", json=body, headers=admin)
            assert created.status_code == 201, created.text
            organisation_id = created.json()["id"]
            for name in SERVICES:
                outbox = await client.get(f"/v1/ops/{name}/outbox", headers=admin)
                assert outbox.status_code == 200, outbox.text
            assert (await client.get("/v1/ops/diagnostic/outbox")).status_code == 401

        deadline = time.monotonic() + 30
        for name in SERVICES:
            conn = await asyncpg.connect(services.database_url(platform.database(name)))
            try:
                while (
                    await conn.fetchval(
                        "SELECT count(*) FROM organisation WHERE id = $1", organisation_id
                    )
                    != 1
                ):
                    assert time.monotonic() < deadline, f"{name} never received the organisation"
                    await asyncio.sleep(0.1)
            finally:
                await conn.close()
        # Every process connects as the runtime role, which `migrate` (the tables' owner)
        # created: never as the owner, so row-level security applies to all of them.
        conn = await asyncpg.connect(services.POSTGRES_URL)
        try:
            users = await conn.fetch(
                "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = ANY($1::text[])",
                [platform.database(part) for part in platform.parts],
            )
        finally:
            await conn.close()
        assert {u["usename"] for u in users} == {services.APP_ROLE}
        codes = await platform.stop()
        stopped = True
    finally:
        if not stopped:
            print(platform.log_tails())
            await platform.stop()
    # Nothing of the platform is left on the broker: every queue its processes declared (with
    # their own retry delays) is gone.
    await assert_no_queues_left(platform)
    # SIGTERM is a clean, prompt stop for every role. uvicorn re-raises the signal after its
    # graceful shutdown, so the APIs (and the console and the front, ``web-serve`` and
    # ``front-serve``) report -15; our worker and relay loops exit 0.
    servers = ("-api", "-serve")
    apis = {n: c for n, c in codes.items() if n.endswith(servers)}
    others = {n: c for n, c in codes.items() if not n.endswith(servers)}
    assert {"web-serve", "front-serve"} <= set(apis), codes
    assert set(apis.values()) <= {0, -15}, codes
    assert set(others.values()) == {0}, codes


async def assert_no_queues_left(platform: ProcessPlatform) -> None:
    import aio_pika

    broker = RabbitBroker(services.RABBITMQ_URL, namespace=platform.namespace)
    names = []
    for name in SERVICES:
        spec = platform.queue(name)
        names += [broker.queue_name(spec), broker.dead_letter_queue_name(spec)]
        names += [broker.retry_queue_name(spec, d) for d in spec.retry_delays]
    connection = await aio_pika.connect(services.RABBITMQ_URL)
    try:
        left = []
        for name in names:
            channel = await connection.channel()
            try:
                await channel.declare_queue(name, passive=True)
            except aio_pika.exceptions.ChannelClosed:
                continue  # not found: the passive declare closes the channel
            left.append(name)
        assert left == [], f"queues left on the broker: {left}"
    finally:
        await connection.close()
