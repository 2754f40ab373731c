"""The fixtures' own promise: each test gets its PostgreSQL database empty, the sequences of its
tables restarted, whatever the previous test left — what ``TRUNCATE ... RESTART IDENTITY
CASCADE`` gave, without its cost (cap_shared.testing.fixtures.truncate_all)."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from cap_shared.db.session import Database
from cap_shared.testing.fixtures import PgDatabases, truncate_all

pytestmark = pytest.mark.postgres

METADATA = sa.MetaData()
PARENT = sa.Table(
    "fx_parent",
    METADATA,
    sa.Column("id", sa.Integer, sa.Identity(start=5), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)
CHILD = sa.Table(
    "fx_child",
    METADATA,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("parent_id", sa.ForeignKey("fx_parent.id"), nullable=False),
)


async def owner(pg_databases: PgDatabases) -> Database:
    url = await asyncio.to_thread(pg_databases.owner_url_for, "fixtures", None, METADATA)
    return Database(url, pool_size=1, max_overflow=0)


async def fill(db: Database) -> None:
    async with db.engine.begin() as conn:
        ids = (
            await conn.execute(
                sa.insert(PARENT).returning(PARENT.c.id), [{"name": "a"}, {"name": "b"}]
            )
        ).scalars()
        await conn.execute(sa.insert(CHILD), [{"parent_id": i} for i in ids])


async def first_ids(db: Database) -> tuple[int, int]:
    async with db.engine.begin() as conn:
        parent = (
            await conn.execute(sa.insert(PARENT).returning(PARENT.c.id), {"name": "c"})
        ).scalar_one()
        child = (
            await conn.execute(sa.insert(CHILD).returning(CHILD.c.id), {"parent_id": parent})
        ).scalar_one()
        return parent, child


async def counts(db: Database, *tables: str) -> list[int]:
    async with db.engine.connect() as conn:
        return [
            (await conn.execute(sa.text(f'SELECT count(*) FROM "{t}"'))).scalar_one()
            for t in tables
        ]


async def test_the_tables_are_emptied_children_first_and_their_sequences_restart(
    pg_databases: PgDatabases,
) -> None:
    db = await owner(pg_databases)
    try:
        await truncate_all(db, METADATA)
        await fill(db)
        await fill(db)
        await truncate_all(db, METADATA)
        assert await counts(db, "fx_parent", "fx_child") == [0, 0]
        # Where each sequence started (the identity's START 5, the serial's 1), as RESTART
        # IDENTITY does: ids a test sees do not depend on the tests before it.
        assert await first_ids(db) == (5, 1)
    finally:
        await truncate_all(db, METADATA)
        await db.dispose()


async def test_a_table_outside_the_metadata_that_refers_to_one_is_emptied_too(
    pg_databases: PgDatabases,
) -> None:
    db = await owner(pg_databases)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(
                sa.text("CREATE TABLE fx_outside (parent_id integer NOT NULL REFERENCES fx_parent)")
            )
        await fill(db)
        async with db.engine.begin() as conn:
            await conn.execute(sa.text("INSERT INTO fx_outside SELECT id FROM fx_parent"))
        await truncate_all(db, METADATA)  # the DELETE is refused: TRUNCATE ... CASCADE
        assert await counts(db, "fx_parent", "fx_child", "fx_outside") == [0, 0, 0]
        assert await first_ids(db) == (5, 1)
    finally:
        async with db.engine.begin() as conn:
            await conn.execute(sa.text("DROP TABLE IF EXISTS fx_outside"))
        await truncate_all(db, METADATA)
        await db.dispose()
