"""Alembic per service, run programmatically on the service's async engine (both databases)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from cap_shared.db import rowsecurity
from cap_shared.db.session import Database, normalise_url

logger = logging.getLogger(__name__)


def alembic_config(script_location: Path, url: str | URL) -> Config:
    """An Alembic config for one service's migrations directory and database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option(
        "sqlalchemy.url",
        normalise_url(url).render_as_string(hide_password=False).replace("%", "%%"),
    )
    cfg.set_main_option(
        "file_template",
        "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s",
    )
    return cfg


async def upgrade(
    db: Database,
    script_location: Path,
    revision: str = "head",
    *,
    metadata: sa.MetaData | None = None,
    runtime_url: str | URL | None = None,
) -> None:
    """Apply migrations up to ``revision`` on ``db`` (sharing its async engine's connection).

    With ``metadata`` (PostgreSQL, up to ``head``): then, in the same transaction, the
    row-level security policies of its tables and the grants of ``runtime_url``'s role, created
    if missing (:mod:`cap_shared.db.rowsecurity`). Policies are dropped first when a migration
    is to run (one may change a column they read) and written again after it.
    """
    cfg = alembic_config(script_location, db.url)
    runtime = normalise_url(runtime_url) if runtime_url is not None else None

    def run(connection: sa.Connection) -> None:
        cfg.attributes["connection"] = connection
        postgres = connection.dialect.name == "postgresql"
        if postgres and (revision != "head" or _pending(cfg, connection)):
            rowsecurity.remove(connection)
        command.upgrade(cfg, revision)
        if postgres and metadata is not None and revision == "head":
            rowsecurity.apply(
                connection,
                metadata,
                runtime_role=runtime.username if runtime is not None else None,
                runtime_password=runtime.password if runtime is not None else None,
            )

    await _migrate(db, run)
    logger.info("database %s migrated to %s", db.url.render_as_string(hide_password=True), revision)


def _pending(cfg: Config, connection: sa.Connection) -> bool:
    """Whether a migration is to run (the database is not at the scripts' heads)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    current = set(MigrationContext.configure(connection).get_current_heads())
    return current != set(ScriptDirectory.from_config(cfg).get_heads())


async def downgrade(db: Database, script_location: Path, revision: str = "base") -> None:
    """Revert migrations down to ``revision`` (row-level security policies dropped first; the
    ``migrate`` of the release going back to writes its own again)."""
    cfg = alembic_config(script_location, db.url)

    def run(connection: sa.Connection) -> None:
        cfg.attributes["connection"] = connection
        if connection.dialect.name == "postgresql":
            rowsecurity.remove(connection)
        command.downgrade(cfg, revision)

    await _migrate(db, run)


async def ensure_database(url: str | URL) -> bool:
    """Create the PostgreSQL database of ``url`` if it does not exist; True if created."""
    parsed = make_url(str(url)) if not isinstance(url, URL) else url
    if not parsed.get_backend_name().startswith("postgresql"):
        return False
    import asyncpg

    name = parsed.database
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    conn = await asyncpg.connect(admin, timeout=10)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        await conn.execute(f'CREATE DATABASE "{name}"')
        logger.info("created database %s", name)
        return True
    finally:
        await conn.close()


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:  # noqa: ARG001 (Alembic hook signature)
    """Render our portable column types as plain SQLAlchemy ones in migration scripts."""
    from sqlmodel.sql.sqltypes import AutoString

    from cap_shared.db.types import AwareDateTime

    if type_ == "type" and isinstance(obj, AwareDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


#: ``metadata.info`` key: database-only objects the models do not declare (e.g. a PostgreSQL
#: generated ``tsvector`` column and its index), ignored when comparing models and schema.
DATABASE_ONLY = "database_only"


def object_filter(target: sa.MetaData) -> Any:
    """Autogenerate filter: skip reflected objects ``target`` lists as database-only
    (``"<table>.<column or index>"`` names in ``target.info["database_only"]``)."""
    skipped = set(target.info.get(DATABASE_ONLY, ()))

    def include_object(
        obj: Any, name: str | None, _type: str, reflected: bool, compare_to: Any
    ) -> bool:
        if not reflected or compare_to is not None:
            return True
        table = getattr(obj, "table", None)
        return table is None or f"{table.name}.{name}" not in skipped

    return include_object


def run_migrations_from_env(target_metadata: sa.MetaData) -> None:
    """Body of every service's ``migrations/env.py``: online, on the shared connection or a new one."""
    import asyncio

    from alembic import context

    config = context.config

    def do_run(connection: sa.Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
            render_item=render_item,
            include_object=object_filter(target_metadata),
        )
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            literal_binds=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    connection = config.attributes.get("connection")
    if connection is not None:
        do_run(connection)
        return

    async def run_async() -> None:
        db = Database(config.get_main_option("sqlalchemy.url") or "")
        try:
            async with db.engine.begin() as conn:
                await conn.run_sync(do_run)
        finally:
            await db.dispose()

    asyncio.run(run_async())


class ForeignKeyViolation(RuntimeError):
    """A SQLite migration left rows pointing at nothing (checked before its commit)."""


async def _migrate(db: Database, run: Any) -> None:
    """Run ``run`` (Alembic on a sync connection) in one transaction.

    On SQLite, a batch migration rebuilds a table (copy, drop, rename): with foreign keys
    enforced, dropping a table other rows point to fails as soon as it holds data. So, as
    Alembic's documentation advises, foreign keys are off while migrating (the pragma only takes
    effect outside a transaction, hence on the driver's connection before SQLAlchemy's BEGIN),
    checked with ``PRAGMA foreign_key_check`` before the commit, and back on afterwards.
    """
    async with db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            await _pragma(conn, "foreign_keys=OFF")
        try:
            await conn.run_sync(run)
            if sqlite:
                broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise ForeignKeyViolation(
                        f"the migration leaves rows pointing at nothing: {broken[:5]}"
                    )
            await conn.commit()
        finally:
            if sqlite:
                await conn.rollback()
                await _pragma(conn, "foreign_keys=ON")


async def _pragma(conn: AsyncConnection, pragma: str) -> None:
    """A PRAGMA on the driver's connection, outside any transaction."""
    raw = await conn.get_raw_connection()
    await raw.driver_connection.execute(f"PRAGMA {pragma}")  # type: ignore[union-attr]
