"""Async engines for PostgreSQL (asyncpg) and SQLite (aiosqlite), and the unit-of-work session."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.util import await_only

from cap_shared.db import rowsecurity
from cap_shared.db.pgconnection import ScopedConnection
from cap_shared.instrumentation import instrument_engine
from cap_shared.text import fold_or_none

logger = logging.getLogger(__name__)

#: Session.info key set by the outbox writer; after commit the relay is woken up.
OUTBOX_PENDING = "cap_outbox_pending"
#: Execution option of :meth:`Database.reader`'s connections: they only read.
READ_ONLY = "cap_read_only"


def normalise_url(url: str | URL) -> URL:
    """Pick the async driver for the URL's database (``postgresql://`` -> asyncpg...)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed


def create_engine(
    url: str | URL, *, pool_size: int = 10, max_overflow: int | None = None, echo: bool = False
) -> AsyncEngine:
    """An async engine; SQLite files get WAL, foreign keys, a busy timeout and write transactions."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(parsed, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    engine = create_async_engine(
        parsed,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        # SQLAlchemy's pre-ping costs three round trips per checkout on asyncpg (BEGIN, a
        # no-op, ROLLBACK): more than the rest of a small write. A closed connection (server
        # restarted, socket dropped) is caught below at no cost; one that fails later
        # invalidates the pool, and the error is retried (workers) or answered 503 (APIs).
        pool_pre_ping=False,
        pool_recycle=1800,
        # Statements ride with BEGIN (the row scope) and COMMIT (the outbox row): pgconnection.
        connect_args={"connection_class": ScopedConnection},
    )
    _discard_closed_connections(engine)
    _scope_transactions(engine)
    _run_deferred_first(engine)
    return engine


def _discard_closed_connections(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        raw = getattr(dbapi_connection, "_connection", None)
        is_closed = getattr(raw, "is_closed", None)
        if is_closed is not None and is_closed():
            # The pool retries the checkout with a new connection.
            raise sa.exc.DisconnectionError("connection closed by the server")


def _configure_sqlite(engine: AsyncEngine) -> None:
    # pysqlite's own transaction handling is turned off and every transaction starts with
    # BEGIN IMMEDIATE: concurrent writers then wait on busy_timeout instead of failing with
    # "database is locked" when a read transaction tries to upgrade to a write.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        # Accent- and case-insensitive matching for search on SQLite (no French stemming there).
        dbapi_connection.create_function("cap_fold", 1, fold_or_none, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A reader (Database.reader) begins nothing: each of its statements reads a snapshot of
        # its own (WAL mode: never blocked by the writer, never blocking it), and the statement
        # a transaction would cost (three calls through aiosqlite's thread) is saved.
        if not conn.get_execution_options().get(READ_ONLY, False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


#: ``Session.info`` key of sessions joined to an outer transaction (:meth:`Database.bound_to`).
JOINED = "cap_joined"


class CapSession(Session):
    """The platform's sessions (see :func:`_scope_joined_session`)."""


@event.listens_for(CapSession, "after_begin")
def _scope_joined_session(
    session: Session, _transaction: SessionTransaction, connection: sa.Connection
) -> None:
    # A session joined to a test's outer transaction begins no transaction of its own (a
    # savepoint): it sets its scope here. Other sessions got it from the engine's begin.
    if session.info.get(JOINED):
        rowsecurity.on_begin(connection)


def _scope_transactions(engine: AsyncEngine) -> None:
    # Every transaction on the engine (sessions and bare connections) starts with its row scope:
    # one set_config, who is asking, for PostgreSQL's row-level security.
    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        rowsecurity.on_begin(conn)


def _run_deferred_first(engine: AsyncEngine) -> None:
    # Statements deferred to the COMMIT (ScopedConnection.defer) go before any other statement
    # of their transaction, so that everything after them sees what they did.
    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _before_execute(
        conn: sa.Connection, _cursor: Any, _statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        fairy = conn.connection
        driver = fairy.driver_connection
        if isinstance(driver, ScopedConnection) and driver.deferred:
            try:
                await_only(driver.run_deferred())
            except Exception as exc:
                # As the adapter reports a failed statement: a DBAPI error SQLAlchemy wraps.
                fairy.dbapi_connection._handle_exception(exc)  # type: ignore[union-attr]
                raise


class Database:
    """One service's database: engine, session factory and the outbox wake-up signal."""

    def __init__(
        self,
        url: str | URL,
        *,
        pool_size: int = 10,
        max_overflow: int | None = None,
        echo: bool = False,
    ) -> None:
        self.url = normalise_url(url)
        self.engine = create_engine(
            self.url, pool_size=pool_size, max_overflow=max_overflow, echo=echo
        )
        instrument_engine(self.engine)  # a span per statement when tracing is on
        self.sessionmaker = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=CapSession
        )
        self._outbox_signal: asyncio.Event | None = None
        self._bound: AsyncConnection | None = None
        self._companions: list[AsyncEngine] = []

    @classmethod
    def bound_to(cls, url: str | URL, connection: AsyncConnection) -> Database:
        """A Database whose sessions join ``connection``'s transaction through savepoints.

        For tests that roll everything back: a session "commit" releases a savepoint only.
        """
        db = cls.__new__(cls)
        db.url = normalise_url(url)
        db.engine = connection.engine
        db.sessionmaker = async_sessionmaker(
            bind=connection,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
            sync_session_class=CapSession,
            info={JOINED: True},
        )
        db._outbox_signal = None
        db._bound = connection
        db._companions = []
        return db

    @property
    def dialect(self) -> str:
        """``postgresql`` or ``sqlite``."""
        return self.url.get_backend_name()

    @property
    def outbox_signal(self) -> asyncio.Event:
        """Set after a commit that wrote outbox rows, so an in-process relay publishes at once."""
        if self._outbox_signal is None:
            self._outbox_signal = asyncio.Event()
        return self._outbox_signal

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits when the block succeeds, rolls back when it raises."""
        session = self.sessionmaker()
        try:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        except BaseException:
            # SQLAlchemy's own close: in a task of its own, carried to completion even if this
            # one is cancelled meanwhile (the connection must go back to the pool).
            await session.__aexit__(None, None, None)
            raise
        if session.sync_session.in_transaction():  # a safeguard: a commit leaves none open
            await session.__aexit__(None, None, None)
        else:
            # The commit gave the connection back to the pool: closing is bookkeeping only (no
            # I/O), done here rather than in a task and a greenlet of its own (the async
            # close's cost, about 20-30 us per transaction).
            session.sync_session.close()
        if session.info.pop(OUTBOX_PENDING, False):
            self.outbox_signal.set()

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncConnection]:
        """A connection for a few reads, without an ORM session (no identity map, no flush, no
        unit of work): for hot read-only paths. SQLite: no transaction, no write lock (each
        statement reads a snapshot of its own); PostgreSQL: a transaction scoped to the caller
        for row-level security like any other, rolled back at the end. For reads only: on
        SQLite a write would not wait for a rollback that never comes.

        Bound to a test's outer transaction (:meth:`bound_to`), it reads through that
        connection, with the caller's scope set as a session would set it.
        """
        if self._bound is not None:
            await self._bound.run_sync(rowsecurity.on_begin)
            yield self._bound
            return
        # Closing the connection rolls its transaction back (and the pool then skips its own).
        async with self.engine.connect() as connection:
            await connection.execution_options(**{READ_ONLY: True})
            yield connection

    async def session_dependency(self) -> AsyncIterator[AsyncSession]:
        """FastAPI dependency form of :meth:`session` (one unit of work per request)."""
        async with self.session() as session:
            yield session

    async def lock(self, session: AsyncSession, name: str) -> None:
        """Serialise ``name`` across processes until the transaction ends.

        PostgreSQL: a transaction-scoped advisory lock. SQLite: writers are already serialised
        (every transaction begins IMMEDIATE), so beginning the transaction now is enough.
        """
        if self.dialect == "postgresql":
            await session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(name))))
        else:
            await session.connection()

    async def try_lock(self, session: AsyncSession, name: str) -> bool:
        """Take ``name`` until the transaction ends if nobody holds it; whether it was taken.

        PostgreSQL: a non-blocking transaction-scoped advisory lock (``pg_try_advisory_xact_lock``).
        SQLite: always taken, once the transaction has begun (writers are serialised by the
        database: a second transaction waits for the first to commit, then sees what it wrote).
        """
        if self.dialect != "postgresql":
            await session.connection()
            return True
        taken = await session.execute(
            sa.select(sa.func.pg_try_advisory_xact_lock(sa.func.hashtext(name)))
        )
        return bool(taken.scalar_one())

    async def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    def attach(self, engine: AsyncEngine) -> None:
        """Dispose ``engine`` (another engine on this database, for a path of its own) with
        this database's."""
        self._companions.append(engine)

    async def dispose(self) -> None:
        """Close every pooled connection (the attached engines' too)."""
        for engine in self._companions:
            await engine.dispose()
        await self.engine.dispose()
