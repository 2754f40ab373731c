"""``Database.reader``: a read-only connection without an ORM session, for hot read paths. On
SQLite it takes no write lock: it reads what is committed while a writer holds the database, and
a writer is never kept waiting by it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa

metadata = sa.MetaData()
item = sa.Table("item", metadata, sa.Column("id", sa.String(10), primary_key=True))


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_a_reader_reads_what_is_committed_beside_a_writer(
    make_database: Any, kind: str
) -> None:
    db = await make_database(kind, "reader", None, metadata)
    async with db.session() as session:
        await session.execute(sa.insert(item).values(id="a"))
    async with db.session() as writer:  # holds the write lock (SQLite: BEGIN IMMEDIATE)
        await writer.execute(sa.insert(item).values(id="b"))
        async with db.reader() as reader:
            read = reader.execute(sa.select(item.c.id).order_by("id"))
            rows = await asyncio.wait_for(read, timeout=5)  # not blocked by the writer
            assert list(rows.scalars()) == ["a"]  # nothing uncommitted
        async with db.reader() as reader:  # a reader open meanwhile does not block the writer
            await reader.execute(sa.select(item.c.id))
            await asyncio.wait_for(writer.execute(sa.insert(item).values(id="c")), timeout=5)
    async with db.reader() as reader:
        assert list((await reader.execute(sa.select(item.c.id).order_by("id"))).scalars()) == [
            "a",
            "b",
            "c",
        ]
