"""Every query of the public registry."""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import aliased
from sqlmodel import col

from cap_labelling.models import Organisation, Recognition, RecognitionChange, tombstones
from cap_shared.db import rowsecurity
from cap_shared.db.session import Database
from cap_shared.instrumentation import instrument_engine
from cap_shared.sync import Deleted, DeltaSync

#: Delta sync: oldest change first (a status change, a reissue: the recognition's row changes).
SYNC = DeltaSync.timestamped("registry", "recognition", Recognition)

_renewal = aliased(Recognition, name="renewal")
#: A verification's public facts in one statement: the recognition, its holder, the number of
#: the recognition renewing it and its history, one row per change, oldest first. Built once.
VERIFICATION = (
    sa.select(
        col(Recognition.number),
        col(Recognition.scheme),
        col(Recognition.level),
        col(Recognition.status),
        col(Recognition.scope),
        col(Recognition.certification_body_id),
        col(Recognition.external_number),
        col(Recognition.decided_on),
        col(Recognition.effective_date),
        col(Recognition.expiry_date),
        col(Recognition.issued_on),
        col(Recognition.verification_code),
        col(Recognition.group_member_ids),
        col(Organisation.name),
        col(Organisation.region),
        col(Organisation.region_name),
        col(Organisation.siae_types),
        col(_renewal.number).label("renewed_by"),
        col(RecognitionChange.on),
        col(RecognitionChange.to_status),
        col(RecognitionChange.reason_code),
    )
    .select_from(Recognition)
    .outerjoin(Organisation, col(Organisation.id) == col(Recognition.organisation_id))
    .outerjoin(_renewal, col(_renewal.id) == col(Recognition.renewed_by_id))
    .outerjoin(RecognitionChange, col(RecognitionChange.recognition_id) == col(Recognition.id))
    .order_by(col(RecognitionChange.at), col(RecognitionChange.id))
)
VERIFICATION_BY_CODE = VERIFICATION.where(col(Recognition.verification_code) == sa.bindparam("key"))
VERIFICATION_BY_NUMBER = VERIFICATION.where(col(Recognition.number) == sa.bindparam("key"))
STRUCTURES = sa.select(
    col(Organisation.id),
    col(Organisation.name),
    col(Organisation.region),
    col(Organisation.region_name),
    col(Organisation.siae_types),
).where(col(Organisation.id).in_(sa.bindparam("ids", expanding=True)))


T = TypeVar("T")

#: How long an inline read waits for SQLite's lock before it goes through the thread instead
#: (a WAL reader waits only while the log is being recovered).
INLINE_BUSY_S = 0.02
_inline: weakref.WeakKeyDictionary[Database, sa.Engine | None] = weakref.WeakKeyDictionary()


def _inline_engine(db: Database) -> sa.Engine | None:
    """SQLite files: a synchronous engine on the same file, for the registry's reads on the
    event loop's thread (see :func:`read_public`); None for PostgreSQL, a database in memory
    and a test's bound one."""
    if db.dialect != "sqlite" or db._bound is not None:
        return None
    if db in _inline:
        return _inline[db]
    url = db.engine.url
    engine: sa.Engine | None = None
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        engine = sa.create_engine(
            url.set(drivername="sqlite"),
            connect_args={"timeout": INLINE_BUSY_S, "check_same_thread": False},
            # One connection serves: a read takes it and gives it back without suspending.
            # Never a wait for one (it would block the loop): more are opened if ever needed.
            pool_size=1,
            max_overflow=-1,
        )

        @sa.event.listens_for(engine, "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # no transaction: a snapshot per statement
            dbapi_connection.execute("PRAGMA query_only=ON")

        # The statements' spans, as on the service's own engine (when tracing is on).
        instrument_engine(cast(Any, SimpleNamespace(sync_engine=engine)))
    _inline[db] = engine
    return engine


#: Connections of a PostgreSQL database's public engine (:func:`_public_engine`): a read holds
#: one for a single round trip. No overflow: a burst waits for one of them (a future each)
#: rather than opening connections that are closed again as soon as they are given back (the
#: service's pool's overflow: a connection's opening costs more than a hundred reads).
PUBLIC_POOL_SIZE = 5
_public: weakref.WeakKeyDictionary[Database, AsyncEngine | None] = weakref.WeakKeyDictionary()


def _public_engine(db: Database) -> AsyncEngine | None:
    """PostgreSQL: an engine on the service's database for the public registry's reads, whose
    connections hold the public routes' row scope (:data:`~cap_shared.db.rowsecurity.SYSTEM`)
    for their whole session, given when they are opened (no round trip), and only read
    (``default_transaction_read_only``); in autocommit: a read is its statement alone, one
    round trip, where a reader's is three (``BEGIN`` with the scope's ``set_config``, the
    statement, ``ROLLBACK``). Disposed with ``db``. None for SQLite and a test's bound one."""
    if db.dialect != "postgresql" or db._bound is not None:
        return None
    if db in _public:
        return _public[db]
    settings = {
        **rowsecurity.session_settings(rowsecurity.SYSTEM),
        "default_transaction_read_only": "on",
    }
    engine = create_async_engine(
        db.url,
        pool_size=PUBLIC_POOL_SIZE,
        max_overflow=0,
        pool_pre_ping=False,  # as the service's engine: a closed connection is caught below
        pool_recycle=1800,
        isolation_level="AUTOCOMMIT",
        connect_args={"server_settings": settings},
    )

    @sa.event.listens_for(engine.sync_engine, "checkout")
    def _discard_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        raw = getattr(dbapi_connection, "_connection", None)
        if raw is not None and raw.is_closed():
            raise sa.exc.DisconnectionError("connection closed by the server")

    instrument_engine(engine)  # the statements' spans, as on the service's own engine
    db.attach(engine)
    _public[db] = engine
    return engine


class PublicRepository:
    """The public registry's reads on a bare connection (no ORM session, no identity map):
    what a verification shows, in one statement. ``connection``: a reader's, or (SQLite) a
    synchronous one of :func:`read_public`."""

    def __init__(self, connection: AsyncConnection | sa.Connection) -> None:
        self.connection = connection

    async def _all(self, query: Any, params: dict[str, Any]) -> list[Any]:
        if isinstance(self.connection, sa.Connection):
            return list(self.connection.execute(query, params).all())
        return list((await self.connection.execute(query, params)).all())

    async def verification(
        self, *, code: str | None = None, number: str | None = None
    ) -> list[Any]:
        """The rows of the recognition with this verification code, or else this number: one
        per change of its history, oldest first (none if there is no such recognition)."""
        query, key = (
            (VERIFICATION_BY_CODE, code) if code is not None else (VERIFICATION_BY_NUMBER, number)
        )
        return await self._all(query, {"key": key})

    async def structures(self, ids: list[str]) -> dict[str, Any]:
        """Public facts of member structures, by id."""
        rows = await self._all(STRUCTURES, {"ids": sorted(set(ids))})
        return {row.id: row for row in rows}


def _busy(error: sa.exc.OperationalError) -> bool:
    message = str(error.orig).lower()
    return "locked" in message or "busy" in message


async def read_public(db: Database, read: Callable[[PublicRepository], Awaitable[T]]) -> T:
    """``read`` the public registry for one answer.

    PostgreSQL: on a connection of :func:`_public_engine`, outside any transaction (each
    statement reads a snapshot of its own, as in a reader's READ COMMITTED transaction), with
    the row scope a reader would set for a public route (the system's: public routes read
    across organisations); on a reader when the running code's scope is another.
    SQLite file: on a synchronous connection, on the event loop's own thread: an indexed read
    of a few rows takes tens of microseconds there, where aiosqlite's thread costs a wake-up
    and a hand-back of the GIL for each of the six calls of a read (cursor, execute, fetch,
    close, two rollbacks): most of a verification's CPU. Read only (``query_only``), no
    transaction (each statement reads a snapshot of its own, as the reader's do); when
    SQLite's lock is not had within :data:`INLINE_BUSY_S`, the reads go through the reader.
    """
    public = _public_engine(db)
    if public is not None and rowsecurity.current_scope() == rowsecurity.SYSTEM:
        async with public.connect() as connection:
            return await read(PublicRepository(connection))
    engine = _inline_engine(db)
    if engine is not None:
        try:
            with engine.connect() as connection:
                return await read(PublicRepository(connection))
        except sa.exc.OperationalError as error:
            if not _busy(error):
                raise
    async with db.reader() as connection:
        return await read(PublicRepository(connection))


class RegistryRepository:
    """Listed recognitions with their holders, by filters, number or verification code."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _filters(
        *,
        statuses: list[str] | None,
        scheme: str | None,
        level: str | None,
        region: str | None,
        siae_type: str | None,
    ) -> list[Any]:
        """The WHERE clauses of a search, on recognitions joined to their holders."""
        where: list[Any] = []
        if statuses:
            where.append(col(Recognition.status).in_(statuses))
        if scheme:
            where.append(col(Recognition.scheme) == scheme)
        if level:
            where.append(col(Recognition.level) == level)
        if region:
            where.append(col(Organisation.region) == region)
        if siae_type:
            # A JSON list: its text holds the quoted code (both databases).
            where.append(
                sa.cast(col(Organisation.siae_types), sa.Text).contains(
                    f'"{siae_type}"', autoescape=True
                )
            )
        return where

    async def matching(self, **filters: Any) -> list[tuple[Recognition, Organisation]]:
        """Every recognition matching the filters, with its holder."""
        joined = sa.join(
            Recognition, Organisation, col(Organisation.id) == col(Recognition.organisation_id)
        )
        query = sa.select(Recognition, Organisation).select_from(joined)
        rows = await self.session.execute(query.where(*self._filters(**filters)))
        return [(r, o) for r, o in rows.all()]

    async def changed_since(
        self, *, since: Any, cursor: str | None, limit: int, **filters: Any
    ) -> tuple[list[Recognition], list[Deleted], str | None]:
        """The recognitions matching the filters changed since ``since``, oldest first, and
        the deletions."""
        joined = sa.join(
            Recognition, Organisation, col(Organisation.id) == col(Recognition.organisation_id)
        )
        query = sa.select(Recognition).select_from(joined).where(*self._filters(**filters))
        return await SYNC.page(
            self.session, query, tombstones, since=since, cursor=cursor, limit=limit
        )

    async def numbers(self, ids: set[str]) -> dict[str, str]:
        """The public numbers of recognitions, by id."""
        if not ids:
            return {}
        query = sa.select(col(Recognition.id), col(Recognition.number)).where(
            col(Recognition.id).in_(sorted(ids))
        )
        return dict((await self.session.execute(query)).all())

    async def find(
        self, *, number: str | None = None, code: str | None = None
    ) -> Recognition | None:
        """The recognition with this verification code, or else this number, if any."""
        if code is not None:
            where = col(Recognition.verification_code) == code
        else:
            where = col(Recognition.number) == number
        return (await self.session.execute(sa.select(Recognition).where(where))).scalars().first()

    async def history(self, recognition_id: str) -> list[RecognitionChange]:
        """A recognition's changes, oldest first."""
        query = (
            sa.select(RecognitionChange)
            .where(col(RecognitionChange.recognition_id) == recognition_id)
            .order_by(col(RecognitionChange.at), col(RecognitionChange.id))
        )
        return list((await self.session.execute(query)).scalars().all())
