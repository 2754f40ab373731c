"""Pytest fixtures for every package: real PostgreSQL and RabbitMQ, or SQLite and memory.

Registered once by the repository's root ``conftest.py``. Each xdist worker gets its own
PostgreSQL databases (created and migrated once per session); tests that need committed data
empty them first (:func:`truncate_all`), tests that can work in one transaction roll it back.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from cap_shared.db import rowsecurity
from cap_shared.db.session import Database
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.migrate import upgrade
from cap_shared.testing import services
from cap_shared.testing.tcpproxy import TCPProxy


def unique_namespace() -> str:
    """A broker namespace no other test uses (exchanges and queues are prefixed with it)."""
    return f"t{uuid.uuid4().hex[:12]}"


class PgDatabases:
    """Per-worker PostgreSQL databases, one per (migrations directory) key, migrated once.

    Migrated as the owner; the services' side connects as the runtime role
    (:data:`services.APP_ROLE`), under row-level security, as in a deployment.
    """

    def __init__(self) -> None:
        self.urls: dict[str, str] = {}
        self.owner_urls: dict[str, str] = {}
        self.created: list[str] = []

    def url_for(self, key: str, migrations: Path | None, metadata: sa.MetaData) -> str:
        """The runtime role's URL of the database for ``key`` (created and migrated once)."""
        if key not in self.urls:
            name = f"cap_t_{services.worker_id()}_{key}".lower().replace("-", "_")
            runtime_url = services.app_database_url(name)

            async def create() -> str:
                url = await services.recreate_database(name)
                db = Database(url)
                try:
                    await create_schema(db, migrations, metadata, runtime_url=runtime_url)
                finally:
                    await db.dispose()
                return url

            self.owner_urls[key] = asyncio.run(create())
            self.urls[key] = runtime_url
            self.created.append(name)
        return self.urls[key]

    def owner_url_for(self, key: str, migrations: Path | None, metadata: sa.MetaData) -> str:
        """The owner's URL of the database for ``key`` (schema changes, emptying it)."""
        self.url_for(key, migrations, metadata)
        return self.owner_urls[key]

    def drop_all(self) -> None:
        """Drop every database this session created."""

        async def drop() -> None:
            for name in self.created:
                await services.drop_database(name)

        asyncio.run(drop())


async def create_schema(
    db: Database, migrations: Path | None, metadata: sa.MetaData, *, runtime_url: str | None = None
) -> None:
    """Migrate with Alembic when the service has migrations, else ``create_all`` (test schemas);
    then, on PostgreSQL, the row-level security policies and ``runtime_url``'s role grants."""
    if migrations is not None:
        await upgrade(db, migrations, metadata=metadata, runtime_url=runtime_url)
        return
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        if db.dialect == "postgresql":
            runtime = make_url(runtime_url) if runtime_url else None
            await conn.run_sync(
                lambda sync: rowsecurity.apply(
                    sync,
                    metadata,
                    runtime_role=runtime.username if runtime else None,
                    runtime_password=runtime.password if runtime else None,
                )
            )


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    """Session registry of this worker's PostgreSQL databases (dropped at the end)."""
    registry = PgDatabases()
    yield registry
    registry.drop_all()


#: Restart every sequence the named tables own (serial and identity columns) where it started,
#: as ``TRUNCATE ... RESTART IDENTITY`` does.
_RESTART_SEQUENCES = sa.text(
    "SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s "
    "JOIN pg_depend d ON d.objid = s.seqrelid AND d.deptype IN ('a', 'i') "
    "JOIN pg_class t ON t.oid = d.refobjid "
    "WHERE t.relname = ANY(:tables) AND t.relnamespace = current_schema()::regnamespace"
)


async def truncate_all(db: Database, metadata: sa.MetaData) -> None:
    """Empty every table of ``metadata`` and restart the sequences they own.

    DELETEs, the referring tables first: a test leaves a few rows, and deleting them takes
    milliseconds where a ``TRUNCATE`` of a service's 20-odd tables took about 300 ms on
    PostgreSQL here (a new file for each table and index), paid twice per database per test.
    The owner deletes, so row-level security does not hide rows from it. A table outside
    ``metadata`` that refers to one of them refuses a DELETE: then ``TRUNCATE ... CASCADE``.
    """
    names = [t.name for t in metadata.sorted_tables]
    try:
        async with db.engine.begin() as conn:
            for name in reversed(names):
                await conn.execute(sa.text(f'DELETE FROM "{name}"'))
            if db.dialect == "postgresql":
                await conn.execute(_RESTART_SEQUENCES, {"tables": names})
    except sa.exc.IntegrityError:
        if db.dialect != "postgresql":
            raise
        async with db.engine.begin() as conn:
            quoted = ", ".join(f'"{n}"' for n in names)
            await conn.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@asynccontextmanager
async def database_factory(
    pg_databases: PgDatabases, tmp_path: Path
) -> AsyncIterator[Callable[[str, str, Path | None, sa.MetaData], Awaitable[Database]]]:
    """What :func:`make_database` yields, for any scope: the databases it opens are emptied
    again and closed when the block ends (a module-scoped topology uses it too)."""
    opened: list[Database] = []
    truncated: list[tuple[Database, sa.MetaData]] = []

    async def factory(
        kind: str, key: str, migrations: Path | None, metadata: sa.MetaData
    ) -> Database:
        if kind == "postgresql":
            url = await asyncio.to_thread(pg_databases.url_for, key, migrations, metadata)
            # Small pools: four xdist workers share the server's 100 connections.
            db = Database(url, pool_size=2, max_overflow=3)
            # Emptied as the owner: the runtime role's DELETE would see only its rows, and it
            # may not TRUNCATE.
            owner = Database(pg_databases.owner_urls[key], pool_size=1, max_overflow=0)
            opened.append(owner)
            await truncate_all(owner, metadata)
            truncated.append((owner, metadata))
        elif kind == "sqlite":
            db = Database(f"sqlite+aiosqlite:///{tmp_path / f'{key}.db'}")
            await create_schema(db, migrations, metadata)
        else:
            msg = f"unknown database kind {kind!r}"
            raise ValueError(msg)
        opened.append(db)
        return db

    try:
        yield factory
    finally:
        # What the test committed is removed too: the worker's next tests (rolled back in one
        # transaction) share these databases and must not find it.
        for db, metadata in truncated:
            with contextlib.suppress(Exception):  # the test's own failure is the one to report
                await truncate_all(db, metadata)
        for db in opened:
            await db.dispose()


@pytest.fixture
async def make_database(
    pg_databases: PgDatabases, tmp_path: Path
) -> AsyncIterator[Callable[[str, str, Path | None, sa.MetaData], Awaitable[Database]]]:
    """``await make_database(kind, key, migrations, metadata)`` -> an empty, migrated Database.

    ``kind`` is ``postgresql`` (this worker's database for ``key``, truncated, connected as the
    runtime role under row-level security, as the services are deployed) or ``sqlite``
    (a new file under the test's tmp_path, migrated). Without ``migrations`` the schema comes
    from ``metadata.create_all`` (infrastructure tests with their own tables).
    """
    async with database_factory(pg_databases, tmp_path) as factory:
        yield factory


@pytest.fixture
async def memory_broker() -> AsyncIterator[MemoryBroker]:
    """A started in-memory broker."""
    broker = MemoryBroker(namespace=unique_namespace())
    await broker.start()
    yield broker
    await broker.close()


@pytest.fixture
async def rabbit_broker() -> AsyncIterator[RabbitBroker]:
    """A RabbitMQ broker on the real server, with a namespace of its own (deleted afterwards)."""
    broker = RabbitBroker(services.RABBITMQ_URL, namespace=unique_namespace())
    await broker.start()
    yield broker
    await cleanup_rabbit(broker)


async def cleanup_rabbit(broker: RabbitBroker, url: str | None = None) -> None:
    """Delete every queue and exchange of the broker's namespace, then close it (``url``: the
    node to clean, the test server's unless given, e.g. a throwaway node of tests/faults)."""
    import aio_pika

    names = broker.declared_queue_names()
    await broker.close()  # consumers first, so the broker does not cancel them under our feet
    connection = await aio_pika.connect(url or services.RABBITMQ_URL)
    try:
        channel = await connection.channel()
        for name in names:
            try:
                await channel.queue_delete(name)
            except Exception:
                channel = await connection.channel()
        for name in (
            broker.exchange_name,
            broker.dead_letter_exchange_name,
            broker.retry_exchange_name,
        ):
            try:
                await channel.exchange_delete(name)
            except Exception:
                channel = await connection.channel()
    finally:
        await connection.close()


def rabbit_url_through(proxy: TCPProxy) -> str:
    """The test server's RabbitMQ URL (``RABBITMQ_URL``), its host and port those of ``proxy``."""
    target = make_url(services.RABBITMQ_URL.replace("amqp://", "postgresql://"))
    return services.RABBITMQ_URL.replace(
        f"{target.host}:{target.port or 5672}", f"127.0.0.1:{proxy.port}"
    )


@pytest.fixture
async def rabbit_proxy() -> AsyncIterator[TCPProxy]:
    """A TCP proxy in front of the test server's RabbitMQ (connect through
    :func:`rabbit_url_through`), to cut, pause or stall one client's connections while the
    server stays up for the other tests."""
    target = make_url(services.RABBITMQ_URL.replace("amqp://", "postgresql://"))
    tcp = TCPProxy(target.host or "127.0.0.1", target.port or 5672)
    await tcp.start()
    yield tcp
    await tcp.close()


@pytest.fixture(params=["memory", "rabbitmq"])
async def broker(request: pytest.FixtureRequest) -> AsyncIterator[MemoryBroker | RabbitBroker]:
    """Each test using it runs twice: on the in-memory broker and on real RabbitMQ."""
    if request.param == "memory":
        mem = MemoryBroker(namespace=unique_namespace())
        await mem.start()
        yield mem
        await mem.close()
    else:
        rabbit = RabbitBroker(services.RABBITMQ_URL, namespace=unique_namespace())
        await rabbit.start()
        yield rabbit
        await cleanup_rabbit(rabbit)
