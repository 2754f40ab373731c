"""Where the tests find PostgreSQL and RabbitMQ. They fail (never skip) when these are down."""

from __future__ import annotations

import asyncio
import os
import re

import asyncpg
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get(
    "CAP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
RABBITMQ_URL = os.environ.get("CAP_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
REDIS_URL = os.environ.get("CAP_TEST_REDIS_URL", "redis://127.0.0.1:6379")
#: The role the services connect as in tests: not the tables' owner, so row-level security
#: applies, as in a deployment. ``migrate`` creates it (login, no password: the test server
#: trusts local connections; set ``CAP_TEST_APP_PASSWORD`` otherwise).
APP_ROLE = os.environ.get("CAP_TEST_APP_ROLE", "cap_test_app")
APP_PASSWORD = os.environ.get("CAP_TEST_APP_PASSWORD") or None


def worker_id() -> str:
    """The pytest-xdist worker id (``gw0``...), or ``main`` without xdist; prefixed by
    ``CAP_TEST_NAMESPACE`` when set, so two checkouts can run their suites on one server at once."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    namespace = re.sub(r"[^a-z0-9]", "", os.environ.get("CAP_TEST_NAMESPACE", "").lower())
    return f"{namespace}_{worker}" if namespace else worker


def database_url(name: str) -> str:
    """URL of database ``name`` on the test server."""
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def app_database_url(name: str) -> str:
    """URL of database ``name`` as the services' runtime role (:data:`APP_ROLE`)."""
    return (
        make_url(POSTGRES_URL)
        .set(database=name, username=APP_ROLE, password=APP_PASSWORD)
        .render_as_string(hide_password=False)
    )


async def recreate_database(name: str) -> str:
    """Drop and create database ``name``; return its URL."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        msg = f"unsafe database name {name!r}"
        raise ValueError(msg)
    conn = await asyncpg.connect(POSTGRES_URL, timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return database_url(name)


async def drop_database(name: str) -> None:
    """Drop database ``name`` if it exists."""
    conn = await asyncpg.connect(POSTGRES_URL, timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def run(coro: object) -> object:
    """Run a coroutine from synchronous (session-scoped) fixture code."""
    return asyncio.run(coro)  # type: ignore[arg-type]
