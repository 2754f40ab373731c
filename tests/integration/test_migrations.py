"""Every service's Alembic history runs on both databases and matches its models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from cap_gateway import main as gateway_main
from cap_shared.db.session import Database
from cap_shared.migrate import downgrade, object_filter, upgrade
from cap_shared.testing import services
from cap_standalone.platform import SERVICES

BUILDERS: dict[str, Callable[..., Any]] = {
    name: part.build_runtime for name, part in SERVICES.items()
}
BUILDERS["gateway"] = gateway_main.build_runtime


async def fresh_database(kind: str, name: str, tmp_path) -> Database:
    if kind == "sqlite":
        return Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    db_name = f"cap_t_{services.worker_id()}_migrations_{name}"
    return Database(await services.recreate_database(db_name))


def schema_diff(connection: sa.Connection, metadata: sa.MetaData) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": object_filter(metadata)}
    )
    return compare_metadata(context, metadata)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
@pytest.mark.parametrize("name", sorted(BUILDERS))
async def test_migrations_upgrade_downgrade_and_match_the_models(
    name: str, kind: str, tmp_path
) -> None:
    runtime = BUILDERS[name]()
    metadata = runtime.tables.outbox.metadata
    db = await fresh_database(kind, name, tmp_path)
    # As `migrate` does: the row-level security policies and the runtime role's grants too (a
    # later migration must not trip on a policy that reads a column it changes).
    rls = {
        "metadata": metadata,
        "runtime_url": services.app_database_url(f"cap_t_{services.worker_id()}_migrations_{name}"),
    }
    try:
        await upgrade(db, runtime.migrations, **rls)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(schema_diff, metadata) == []
            tables = set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
        assert {"outbox_message", "inbox_message", "dead_letter", "organisation"} <= tables

        await downgrade(db, runtime.migrations, "base")
        async with db.engine.connect() as conn:
            left = set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
        assert left <= {"alembic_version"}

        await upgrade(db, runtime.migrations, **rls)  # and back up: reversible
        await upgrade(db, runtime.migrations, **rls)  # idempotent: a restart migrates nothing
    finally:
        await db.dispose()
        if kind == "postgresql":
            await services.drop_database(f"cap_t_{services.worker_id()}_migrations_{name}")


async def test_outbox_insert_notifies_listening_relays_at_commit_only() -> None:
    """The PostgreSQL trigger wakes relays of other processes; a rollback sends nothing."""
    import asyncio

    import asyncpg

    runtime = BUILDERS["diagnostic"]()
    name = f"cap_t_{services.worker_id()}_migrations_notify"
    db = Database(await services.recreate_database(name))
    listener = None
    try:
        await upgrade(db, runtime.migrations)
        received: list[str] = []
        listener = await asyncpg.connect(services.database_url(name))
        await listener.add_listener("cap_outbox", lambda *args: received.append(args[-1]))
        outbox = runtime.tables.outbox
        row = {
            "event_type": "a.b.v1",
            "routing_key": "a.b.v1",
            "payload": "{}",
            "created_at": sa.func.now(),
        }
        async with db.engine.connect() as conn:
            async with conn.begin() as tx:
                await conn.execute(sa.insert(outbox).values(event_id="rolled-back", **row))
                await tx.rollback()
            async with conn.begin():
                await conn.execute(sa.insert(outbox).values(event_id="one", **row))
                await conn.execute(sa.insert(outbox).values(event_id="two", **row))
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)
        assert received == ["outbox_message"]  # one notification for the committed transaction
    finally:
        if listener is not None:
            await listener.close()
        await db.dispose()
        await services.drop_database(name)


async def test_a_sqlite_database_holding_data_migrates_through_table_rebuilds(tmp_path) -> None:
    """A standalone database made before the diagnostic table was rebuilt (0009, 0010: batch
    migrations on SQLite) keeps its diagnostics and answers through the upgrade, and foreign keys
    are enforced again afterwards (``make run`` carries on with an older ``var/``)."""
    runtime = BUILDERS["diagnostic"]()
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    now = "'2026-11-20 10:00:00+00:00'"
    try:
        await upgrade(db, runtime.migrations, "0008")
        async with db.engine.begin() as conn:
            for statement in (
                "INSERT INTO organisation (id, siret, name, siae_types, region, registered_at, "
                f"created_at) VALUES ('o1', '12345678901234', 'A', '[]', '52', {now}, {now})",
                "INSERT INTO referential_version (id, urn, code, version, name, status, "
                f"published_on, document, created_at) VALUES ('r1', 'urn:x', 'CAP', 1, 'X', "
                f"'published', '2026-01-01', '{{}}', {now})",
                "INSERT INTO diagnostic (id, organisation_id, referential_id, kind, status, title, "
                "participants, revision, created_by, migrations, created_at) VALUES ('d1', 'o1', "
                f"'r1', 'self_assessment', 'in_progress', 't', '[]', 1, 'user:u1', '[]', {now})",
                "INSERT INTO answer (id, diagnostic_id, criterion_urn, not_applicable, evidence, "
                f"updated_by, created_at) VALUES ('a1', 'd1', 'urn:c', false, '[]', 'u1', {now})",
            ):
                await conn.execute(sa.text(statement))
        await upgrade(db, runtime.migrations)
        async with db.engine.connect() as conn:
            answers = (await conn.execute(sa.text("SELECT id, diagnostic_id FROM answer"))).all()
            assert [tuple(a) for a in answers] == [("a1", "d1")]
            assert await conn.run_sync(schema_diff, runtime.tables.outbox.metadata) == []
        with pytest.raises(sa.exc.IntegrityError):  # foreign keys enforced again
            async with db.engine.begin() as conn:
                await conn.execute(
                    sa.text(
                        "INSERT INTO answer (id, diagnostic_id, criterion_urn, not_applicable, "
                        f"evidence, updated_by, created_at) VALUES ('a2', 'nope', 'urn:c', false, "
                        f"'[]', 'u1', {now})"
                    )
                )
    finally:
        await db.dispose()
