"""Keyset pages, cursors bound to their list, and delta sync with tombstones, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from cap_shared.db.session import Database
from cap_shared.db.types import AwareDateTime
from cap_shared.pagination import (
    InvalidCursor,
    Keyset,
    created_page,
    decode_created_cursor,
    field_key,
    key,
    newest_first,
)
from cap_shared.sync import DeltaSync, record_deletion, tombstone_table

metadata = sa.MetaData()
item = sa.Table(
    "item",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("organisation_id", sa.String(36), nullable=False),
    sa.Column("rank", sa.Integer(), nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("updated_at", AwareDateTime(), nullable=False),
)
tombstone = tombstone_table(metadata)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["postgresql", "sqlite"])
async def db(request: pytest.FixtureRequest, make_database: Callable[..., Any]) -> Database:
    database: Database = await make_database(request.param, "pagination", None, metadata)
    return database


@pytest.fixture
async def rows(db: Database) -> list[dict[str, Any]]:
    """Nine items of org-a (three share each creation time) and three of org-b."""
    data = [
        {
            "id": f"a{i:02d}",
            "organisation_id": "org-a",
            "rank": i % 4,
            "created_at": T0 + timedelta(minutes=i // 3),
            "updated_at": T0 + timedelta(minutes=i // 3),
        }
        for i in range(9)
    ] + [
        {
            "id": f"b{i:02d}",
            "organisation_id": "org-b",
            "rank": 0,
            "created_at": T0,
            "updated_at": T0,
        }
        for i in range(3)
    ]
    async with db.sessionmaker() as session, session.begin():
        await session.execute(sa.insert(item), data)
    return data


NEWEST = newest_first("toy.items", item.c.created_at, item.c.id)


async def walk(db: Database, keyset: Keyset, query: sa.Select[Any], limit: int) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(50):
        async with db.sessionmaker() as session:
            page, cursor = await keyset.fetch(
                session, query, cursor=cursor, limit=limit, scalars=False
            )
        assert len(page) <= limit
        seen += [r.id for r in page]
        if cursor is None:
            return seen
    raise AssertionError("the pages never ended")


class TestKeysetPages:
    async def test_every_item_once_in_order(self, db: Database, rows: list[dict[str, Any]]) -> None:
        query = sa.select(item).where(item.c.organisation_id == "org-a")
        seen = await walk(db, NEWEST, query, limit=2)
        expected = [
            r["id"]
            for r in sorted(rows, key=lambda r: (r["created_at"], r["id"]), reverse=True)
            if r["organisation_id"] == "org-a"
        ]
        assert seen == expected

    async def test_mixed_directions(self, db: Database, rows: list[dict[str, Any]]) -> None:
        keyset = Keyset(
            "toy.by-rank",
            key(item.c.rank, int),
            key(item.c.created_at, datetime, descending=True),
            key(item.c.id, str),
        )
        seen = await walk(db, keyset, sa.select(item), limit=5)
        expected = [
            r["id"]
            for r in sorted(
                sorted(rows, key=lambda r: r["id"]),
                key=lambda r: (r["rank"], -r["created_at"].timestamp()),
            )
        ]
        assert seen == expected

    async def test_limit_larger_than_the_list(
        self, db: Database, rows: list[dict[str, Any]]
    ) -> None:
        async with db.sessionmaker() as session:
            page, cursor = await NEWEST.fetch(
                session, sa.select(item), cursor=None, limit=200, scalars=False
            )
        assert len(page) == len(rows)
        assert cursor is None


class TestCursors:
    def test_a_cursor_of_another_list_is_refused(self) -> None:
        other = newest_first("toy.others", item.c.created_at, item.c.id)
        cursor = other.encode([T0, "a01"])
        with pytest.raises(InvalidCursor, match="another list"):
            NEWEST.decode(cursor)

    @pytest.mark.parametrize("cursor", ["garbage", "a.b", "", "eyJ4IjoxfQ", "%%%.%%%"])
    def test_a_garbled_cursor_is_refused(self, cursor: str) -> None:
        if not cursor:
            assert NEWEST.decode(cursor) is None  # empty: the first page
            return
        with pytest.raises(InvalidCursor):
            NEWEST.decode(cursor)

    def test_an_edited_cursor_is_refused(self) -> None:
        body, check = NEWEST.encode([T0, "a01"]).split(".")
        with pytest.raises(InvalidCursor):
            NEWEST.decode(body[:-2] + "AA." + check)

    def test_values_of_the_wrong_type_are_refused(self) -> None:
        forged = Keyset("toy.items", field_key("created_at", str), field_key("id", str))
        with pytest.raises(InvalidCursor, match="order"):
            NEWEST.decode(forged.encode(["2026-12-01", "a01"]))

    def test_round_trip(self) -> None:
        assert NEWEST.decode(NEWEST.encode([T0, "a01"])) == (T0, "a01")

    def test_older_helpers_still_bind_a_list(self) -> None:
        class Row:
            def __init__(self, i: int) -> None:
                self.id, self.created_at = f"r{i}", T0 - timedelta(minutes=i)

        page, cursor = created_page([Row(i) for i in range(3)], 2, list_name="toy.rows")
        assert [r.id for r in page] == ["r0", "r1"]
        assert decode_created_cursor(cursor, list_name="toy.rows") == (
            T0 - timedelta(minutes=1),
            "r1",
        )
        with pytest.raises(InvalidCursor):
            decode_created_cursor(cursor)


class TestInMemory:
    def test_pages_a_sorted_list(self) -> None:
        keyset = Keyset("toy.names", field_key("name", str), field_key("id", str))
        items = [{"name": n, "id": str(i)} for i, n in enumerate("cabbadc")]
        seen, cursor = [], None
        while True:
            page, cursor = keyset.slice(items, cursor=cursor, limit=3)
            seen += page
            if cursor is None:
                break
        assert seen == sorted(items, key=lambda i: (i["name"], i["id"]))

    def test_descending(self) -> None:
        keyset = Keyset("toy.n", field_key("n", int, descending=True), field_key("id", str))
        items = [{"n": n, "id": str(i)} for i, n in enumerate([1, 3, 2, 3])]
        page, cursor = keyset.slice(items, cursor=None, limit=2)
        assert [i["id"] for i in page] == ["1", "3"]
        page, cursor = keyset.slice(items, cursor=cursor, limit=2)
        assert [i["id"] for i in page] == ["2", "0"]
        assert cursor is None


SYNC = DeltaSync("toy.items", "item", item.c.updated_at, item.c.id)


async def sync_walk(
    db: Database, since: datetime, limit: int, organisation: str = "org-a"
) -> tuple[list[str], list[str]]:
    changed: list[str] = []
    deleted: list[str] = []
    cursor = None
    for _ in range(50):
        async with db.sessionmaker() as session:
            data, gone, cursor = await SYNC.page(
                session,
                sa.select(item).where(item.c.organisation_id == organisation),
                tombstone,
                since=since,
                cursor=cursor,
                limit=limit,
                tombstone_scope=lambda column: column == organisation,
                scalars=False,
            )
        assert len(data) + len(gone) <= limit
        changed += [r.id for r in data]
        deleted += [d.id for d in gone]
        if cursor is None:
            return changed, deleted
    raise AssertionError("the pages never ended")


class TestDeltaSync:
    async def test_changes_and_tombstones_since(
        self, db: Database, rows: list[dict[str, Any]]
    ) -> None:
        later = T0 + timedelta(hours=1)
        async with db.sessionmaker() as session, session.begin():
            await session.execute(
                sa.update(item).where(item.c.id.in_(["a00", "a04"])).values(updated_at=later)
            )
            await session.execute(sa.delete(item).where(item.c.id.in_(["a01", "a05", "b00"])))
            await record_deletion(
                session,
                tombstone,
                resource="item",
                ids=["a01", "a05"],
                organisation_id="org-a",
                at=later,
            )
            await record_deletion(
                session, tombstone, resource="item", ids=["b00"], organisation_id="org-b", at=later
            )
        for limit in (1, 2, 3, 10):
            changed, deleted = await sync_walk(db, later, limit)
            assert changed == ["a00", "a04"]
            assert deleted == ["a01", "a05"]  # never org-b's
        changed, deleted = await sync_walk(db, T0, 4)
        assert sorted(changed) == sorted(
            r["id"]
            for r in rows
            if r["organisation_id"] == "org-a" and r["id"] not in {"a01", "a05"}
        )
        assert deleted == ["a01", "a05"]
        assert await sync_walk(db, later + timedelta(seconds=1), 5) == ([], [])
        assert await sync_walk(db, later, 5, organisation="org-b") == ([], ["b00"])

    async def test_a_change_and_a_deletion_at_one_instant(
        self, db: Database, rows: list[dict[str, Any]]
    ) -> None:
        async with db.sessionmaker() as session, session.begin():
            await record_deletion(
                session,
                tombstone,
                resource="item",
                ids=["a00"],
                organisation_id="org-a",
                at=T0,
            )
        changed, deleted = await sync_walk(db, T0, 1)
        assert changed == [f"a{i:02d}" for i in range(9)]
        assert deleted == ["a00"]

    def test_a_plain_cursor_does_not_page_the_stream(self) -> None:
        with pytest.raises(InvalidCursor, match="another list"):
            SYNC.keyset.decode(NEWEST.encode([T0, "a01"]))
