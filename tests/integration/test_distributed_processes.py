"""The distributed topology as it is deployed: every role of every service is its own OS
process (the console scripts `make up` and the containers run), on PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest

from cap_shared.testing import services
from cap_shared.testing.auth import sign_in
from cap_shared.testing.fixtures import cleanup_rabbit, unique_namespace
from cap_shared.testing.siret import make_siret
from cap_standalone.platform import SERVICES

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(name: str, namespace: str, **extra: str) -> dict[str, str]:
    prefix = name.upper()
    env = dict(os.environ)
    env.update(
        {
            f"{prefix}_DATABASE_URL": services.database_url(
                f"cap_t_{services.worker_id()}_proc_{name}"
            ),
            f"{prefix}_BROKER_URL": services.RABBITMQ_URL,
            f"{prefix}_BROKER_NAMESPACE": namespace,
            f"{prefix}_LOG_LEVEL": "WARNING",
            f"{prefix}_RELAY_POLL_INTERVAL_S": "0.2",
        }
    )
    env.update({f"{prefix}_{k.upper()}": v for k, v in extra.items()})
    return env


async def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} not ready after {timeout}s")
            await asyncio.sleep(0.2)


@pytest.mark.slow
async def test_registration_flows_through_separate_processes() -> None:
    namespace = unique_namespace()
    names = ["gateway", *SERVICES]
    for name in names:
        await services.drop_database(f"cap_t_{services.worker_id()}_proc_{name}")
    migrations = [
        await asyncio.create_subprocess_exec(
            str(BIN / f"cap-{n}"), "migrate", env=service_env(n, namespace)
        )
        for n in names
    ]
    assert [await p.wait() for p in migrations] == [0] * len(names)  # migrate creates each database

    gateway_port, diagnostic_port = free_port(), free_port()
    probes = {n: free_port() for n in names}
    processes = [
        await asyncio.create_subprocess_exec(
            str(BIN / "cap-gateway"),
            "api",
            env=service_env(
                "gateway",
                namespace,
                port=str(gateway_port),
                diagnostic_url=f"http://127.0.0.1:{diagnostic_port}",
            ),
        ),
        # One service API too: it verifies tokens with keys fetched from the gateway's JWKS.
        await asyncio.create_subprocess_exec(
            str(BIN / "cap-diagnostic"),
            "api",
            env=service_env(
                "diagnostic",
                namespace,
                port=str(diagnostic_port),
                auth_jwks_url=f"http://127.0.0.1:{gateway_port}/.well-known/jwks.json",
            ),
        ),
        await asyncio.create_subprocess_exec(
            str(BIN / "cap-gateway"),
            "relay",
            env=service_env("gateway", namespace, probe_port=str(probes["gateway"])),
        ),
    ]
    processes += [
        await asyncio.create_subprocess_exec(
            str(BIN / f"cap-{n}"),
            "worker",
            env=service_env(n, namespace, probe_port=str(probes[n])),
        )
        for n in SERVICES
    ]
    try:
        await wait_ready(f"http://127.0.0.1:{gateway_port}/readyz")
        for name in names:
            await wait_ready(
                f"http://127.0.0.1:{probes[name]}/readyz"
            )  # worker/relay: database and broker

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway_port}") as client:
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
            await wait_ready(f"http://127.0.0.1:{diagnostic_port}/readyz")
            outbox = await client.get("/v1/ops/diagnostic/outbox", headers=admin)
            assert outbox.status_code == 200, outbox.text
            assert (await client.get("/v1/ops/diagnostic/outbox")).status_code == 401

        import asyncpg

        deadline = time.monotonic() + 30
        for name in SERVICES:
            conn = await asyncpg.connect(
                services.database_url(f"cap_t_{services.worker_id()}_proc_{name}")
            )
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
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        codes = [await asyncio.wait_for(p.wait(), 30) for p in processes]
        from cap_shared.messaging.rabbitmq import RabbitBroker
        from cap_standalone.platform import SERVICES as parts

        broker = RabbitBroker(services.RABBITMQ_URL, namespace=namespace)
        await broker.start()
        for part in parts.values():
            await broker.declare_queue(
                part.build_runtime(part.settings(broker_namespace=namespace)).queue
            )
        await cleanup_rabbit(broker)
        for name in names:
            await services.drop_database(f"cap_t_{services.worker_id()}_proc_{name}")
    # SIGTERM is a clean, prompt stop for every role. uvicorn re-raises the signal after its
    # graceful shutdown, so the two APIs report -15; our worker and relay loops exit 0.
    assert all(code in (0, -15) for code in codes[:2]), codes
    assert codes[2:] == [0] * (len(codes) - 2), codes
