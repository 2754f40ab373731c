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
from cap_standalone.processes import ROLES, ProcessPlatform


@pytest.mark.slow
@pytest.mark.timeout(600)  # 32 processes (two of each) to start, each importing its package
async def test_registration_flows_through_separate_processes(tmp_path: Path) -> None:
    # `cap-<part> migrate` creates each database (dropped first) and migrates it.
    platform = ProcessPlatform(tmp_path / "logs", migrate_in_process=False, replicas=1)
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
        await assert_metrics_on_ops_ports_only(platform)
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
    # graceful shutdown, so the consoles, the balancer and the front (role ``serve``) report
    # -15; the APIs (which handle it themselves, their ops port beside them) and our worker and
    # relay loops exit 0.
    # One of each here (the replicated platform is tests/integration/test_replicas.py's, in
    # make test-replicas): no balancer, one console, one front.
    roles = {p.name: p.role for p in platform.processes}
    apis = {n: c for n, c in codes.items() if roles[n] in {"api", "serve"}}
    others = {n: c for n, c in codes.items() if roles[n] not in {"api", "serve"}}
    assert {"web-serve-1", "front-serve-1", "gateway-api-1"} <= set(apis), codes
    assert {"diagnostic-worker-1", "notifications-relay-1"} <= set(codes), codes
    assert not {"balance-serve-1", "gateway-api-2"} & set(codes), codes
    assert set(apis.values()) <= {0, -15}, codes
    assert set(others.values()) == {0}, codes


async def assert_metrics_on_ops_ports_only(platform: ProcessPlatform) -> None:
    """Every process (APIs too) serves /healthz, /readyz and /metrics on its ops port; no API
    serves /metrics on its public port."""
    ops = [p for p in platform.processes if p.ops]
    assert {(p.part, p.role) for p in ops} == {
        (part, role) for part, roles in ROLES.items() for role in roles
    }
    async with httpx.AsyncClient(timeout=30) as http:
        for process in ops:
            for path in ("/healthz", "/readyz"):
                assert (await http.get(f"{process.ops}{path}")).status_code == 200, process.name
            scraped = await http.get(f"{process.ops}/metrics")
            assert scraped.status_code == 200, process.name
            assert "cap_db_pool_connections{" in scraped.text, process.name
        for part in platform.parts:
            for url in platform.replica_urls(part):
                assert (await http.get(f"{url}/metrics")).status_code == 404, url
        # The gateway API counted the requests it served; its ops port shows them.
        (gateway,) = platform.ops_urls("gateway")
        text = (await http.get(f"{gateway}/metrics")).text
        assert 'route="/v1/organisations"' in text


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
