"""Gateway test fixtures: the gateway on this worker's PostgreSQL database, rolled back per test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from limits import parse

from cap_gateway import main as gateway_main
from cap_gateway.config import Settings
from cap_gateway.models import metadata
from cap_shared.db.session import Database
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.testing.auth import sign_in
from cap_shared.testing.fixtures import PgDatabases
from cap_shared.testing.ratelimit import clear_of_window_edge

#: Test defaults: new signing keys sign at once, sign-in throttling out of the way.
TEST_SETTINGS = {
    "key_publish_lead_s": 0,
    "rate_limit_login": "1000/minute",
    "rate_limit_login_address": "1000/minute",
}


@pytest.fixture
async def gateway_factory(pg_databases: PgDatabases) -> AsyncIterator[Callable[..., Any]]:
    """``await gateway_factory(transports=..., **settings)`` -> (client, runtime), rolled back after."""
    url = await asyncio.to_thread(
        pg_databases.url_for, "gateway", gateway_main.MIGRATIONS, metadata
    )
    engine_db = Database(url)
    connection = await engine_db.engine.connect()
    transaction = await connection.begin()
    clients: list[httpx.AsyncClient] = []
    apps: list[Any] = []

    async def factory(
        transports: dict[str, Any] | None = None,
        app_options: dict[str, Any] | None = None,
        **settings: Any,
    ) -> tuple[httpx.AsyncClient, Any]:
        app_options = app_options or {}
        windows = [
            parse(value).get_expiry()
            for key, value in settings.items()
            if key.startswith("rate_limit_") and isinstance(value, str) and "/" in value
        ]
        if windows:  # a test of a limit: its requests must not straddle a window's edge
            await clear_of_window_edge(max(windows))
        broker = MemoryBroker()
        await broker.start()
        runtime = gateway_main.build_runtime(
            Settings(**{**TEST_SETTINGS, **settings}),
            db=Database.bound_to(url, connection),
            broker=broker,
        )
        await runtime.prepare()
        app = gateway_main.create_app(
            runtime, transports=transports, manage_runtime=False, **app_options
        )
        apps.append(app)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://cap.test"
        )
        clients.append(client)
        return client, runtime

    yield factory
    for client in clients:
        await client.aclose()
    for app in apps:
        await app.state.upstreams.aclose()
    await transaction.rollback()
    await connection.close()
    await engine_db.dispose()


@pytest.fixture
async def client(gateway_factory: Callable[..., Any]) -> httpx.AsyncClient:
    """A client on a gateway whose upstreams are unreachable (identity routes only)."""
    c, _runtime = await gateway_factory()
    return c  # type: ignore[no-any-return]


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> dict[str, str]:
    """``Authorization`` header of the bootstrap administrator (valid on every gateway of the
    test: they share the rolled-back database, hence the signing keys)."""
    return await sign_in(client)
