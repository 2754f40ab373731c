"""The audit trail (cap_shared.audit): a hash chain appended in the change's transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from cap_shared import clock
from cap_shared.actor import acting_as, handling_event, running_job
from cap_shared.audit import GENESIS, AuditEntry, canonical_json, entry_hash, record_change
from cap_shared.audit.anchors import AnchorFile
from cap_shared.audit.chain import anchor_head, purge_before
from cap_shared.audit.verify import Verification, verify_chain
from cap_shared.clock import Clock, using
from cap_shared.db.session import Database
from cap_shared.testing import toy
from cap_shared.testing.fixtures import PgDatabases
from cap_shared.testing.statements import counting

LOG = toy.tables.audit_log


async def entries(db: Database) -> list[AuditEntry]:
    async with db.session() as session:
        rows = (await session.execute(sa.select(LOG).order_by(LOG.c.seq))).all()
    return [AuditEntry.of(r) for r in rows]


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_two_appends_chain(kind: str, make_database: Callable[..., Any]) -> None:
    db = await make_database(kind, "toy", None, toy.metadata)
    async with db.session() as session:
        await record_change(
            session,
            LOG,
            action="thing.created",
            record_type="thing",
            record_id="t1",
            after={"n": 1},
            on_behalf_of="org-1",
        )
    with acting_as(running_job("expire")):
        async with db.session() as session:
            await record_change(
                session,
                LOG,
                action="thing.updated",
                record_type="thing",
                record_id="t1",
                before={"n": 1},
                after={"n": 2},
            )
    first, second = await entries(db)
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert first.hash == entry_hash(GENESIS, first.values())
    assert second.hash == entry_hash(first.hash, second.values())
    assert (first.actor, first.actor_kind, first.on_behalf_of) == ("system", "system", "org-1")
    assert (second.actor, second.actor_kind) == ("job:expire", "job")
    assert (second.before, second.after) == ('{"n":1}', '{"n":2}')


async def test_a_handler_acts_as_its_service_for_the_consumed_event(
    make_database: Callable[..., Any],
) -> None:
    db = await make_database("sqlite", "toy", None, toy.metadata)
    with acting_as(handling_event("labelling", "evt-1")):
        async with db.session() as session:
            await record_change(
                session,
                LOG,
                action="thing.deleted",
                record_type="thing",
                record_id=7,
                before={"n": 2},
                event_id="evt-2",
            )
    (entry,) = await entries(db)
    assert (entry.actor, entry.consumed_event_id, entry.event_id) == (
        "service:labelling",
        "evt-1",
        "evt-2",
    )
    assert (entry.record_id, entry.after) == ("7", None)


# --- context ----------------------------------------------------------------------------------
async def test_a_request_records_its_verified_principal_and_request_id(
    make_database: Callable[..., Any],
) -> None:
    from asgi_correlation_id import correlation_id

    from cap_shared.db import rowsecurity
    from cap_shared.security.principal import Grant, Principal, Role

    db = await make_database("sqlite", "toy", None, toy.metadata)
    principal = Principal(
        subject="user:u-1",
        kind="user",
        grants=(Grant(Role.ADMIN),),
        client_id="cap-web",
        token_id="t",
        expires_at=clock.now(),
    )
    state = rowsecurity._request_state.set({"principal": principal})
    request = correlation_id.set("req-42")
    try:
        async with db.session() as session:
            await record_change(
                session, LOG, action="thing.created", record_type="thing", record_id="t"
            )
    finally:
        rowsecurity._request_state.reset(state)
        correlation_id.reset(request)
    (entry,) = await entries(db)
    assert (entry.actor, entry.actor_kind, entry.client_id, entry.request_id) == (
        "user:u-1",
        "user",
        "cap-web",
        "req-42",
    )


def test_values_are_serialised_canonically() -> None:
    class Colour(StrEnum):
        RED = "red"

    value = {
        "b": Decimal("1.50"),
        "a": date(2026, 12, 6),
        "c": Colour.RED,
        "d": datetime(2026, 12, 6, 10, 0, tzinfo=UTC),
        "é": [1, None],
    }
    assert canonical_json(value) == (
        '{"a":"2026-12-06","b":"1.50","c":"red","d":"2026-12-06T10:00:00+00:00","é":[1,null]}'
    )


# --- the transaction --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_a_rolled_back_change_leaves_no_entry_and_no_gap(
    kind: str, make_database: Callable[..., Any]
) -> None:
    db = await make_database(kind, "toy", None, toy.metadata)

    async def failing_change() -> None:
        async with db.session() as session:
            await session.execute(sa.insert(toy.thing).values(id="t1", n=1))
            await record_change(
                session, LOG, action="thing.created", record_type="thing", record_id="t1"
            )
            raise RuntimeError("the change fails after its entry was appended")

    with pytest.raises(RuntimeError):
        await failing_change()
    assert await entries(db) == []
    await append(db, 1)
    assert [e.seq for e in await entries(db)] == [1]
    assert verify_chain(await entries(db)).intact


async def test_concurrent_appends_stay_one_chain_on_postgresql(
    make_database: Callable[..., Any],
) -> None:
    db = await make_database("postgresql", "toy", None, toy.metadata)

    async def one(n: int) -> None:
        async with db.session() as session:
            await session.execute(sa.insert(toy.thing).values(id=f"t{n}", n=n))
            await record_change(
                session,
                LOG,
                action="thing.created",
                record_type="thing",
                record_id=f"t{n}",
                after={"n": n},
            )

    await asyncio.gather(*(one(n) for n in range(40)))
    chain = await entries(db)
    assert [e.seq for e in chain] == list(range(1, 41))  # 0 lost, 0 duplicated seq
    assert sorted(e.record_id for e in chain) == sorted(f"t{n}" for n in range(40))
    result = verify_chain(chain)
    assert result.intact, result.problems


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_appends_in_one_transaction_lock_and_read_the_head_once(
    kind: str, make_database: Callable[..., Any]
) -> None:
    db = await make_database(kind, "toy", None, toy.metadata)
    await append(db, 1)  # a chain from another transaction first

    async def change(session: Any, n: int) -> None:
        await record_change(
            session, LOG, action="thing.updated", record_type="thing", record_id="t", after={"n": n}
        )

    async with db.session() as session:
        await change(session, 2)
        with counting(db.engine) as sent:
            await change(session, 3)  # the lock is held, the head is the entry just appended
            await session.flush()
            await change(session, 4)
        # PostgreSQL: each INSERT is deferred to the next statement or the COMMIT (not a
        # statement of its own here); SQLite: the two INSERTs.
        assert len(sent) == (0 if kind == "postgresql" else 2), str(sent)
        # A savepoint rolled back takes its entry with it: the next one reads the head anew.
        savepoint = await session.begin_nested()
        await change(session, 99)
        await savepoint.rollback()
        await change(session, 5)
    async with db.session() as session:
        await change(session, 6)  # a new transaction reads the head anew
    chain = await entries(db)
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5, 6]
    assert [e.after for e in chain[1:]] == [f'{{"n":{n}}}' for n in (2, 3, 4, 5, 6)]
    result = verify_chain(chain)
    assert result.intact, result.problems


# --- tampering with SQL, found exactly --------------------------------------------------------
async def append(db: Database, count: int, *, start: int = 1) -> None:
    for n in range(start, start + count):
        async with db.session() as session:
            await record_change(
                session,
                LOG,
                action="thing.updated",
                record_type="thing",
                record_id="t",
                before={"n": n - 1},
                after={"n": n},
            )


@pytest.fixture
async def sql(pg_databases: PgDatabases) -> AsyncIterator[Callable[..., Awaitable[None]]]:
    """``await sql(db, *statements)``: run statements as the tables' owner, the way someone with
    the database's keys would tamper with the log (the services' role cannot UPDATE it)."""
    owners: list[Database] = []

    async def run(db: Database, *statements: str) -> None:
        if db.dialect == "postgresql":
            db = Database(pg_databases.owner_urls["toy"], pool_size=1, max_overflow=0)
            owners.append(db)
        async with db.engine.begin() as conn:
            for statement in statements:
                await conn.exec_driver_sql(statement)

    yield run
    for owner in owners:
        await owner.dispose()


async def test_the_services_role_cannot_rewrite_the_log(make_database: Callable[..., Any]) -> None:
    db = await make_database("postgresql", "toy", None, toy.metadata)
    await append(db, 2)
    async with db.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="permission denied"):
            await conn.exec_driver_sql("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
    assert verify_chain(await entries(db)).intact


def found(result: Verification) -> list[tuple[str, int, int, int | None]]:
    return [(p.kind, p.seq, p.last_seq, p.expected_seq) for p in result.problems]


SWAP = (  # the rows of seq {a} and {b} exchange their positions
    "UPDATE audit_log SET seq = -1 WHERE seq = {a}",
    "UPDATE audit_log SET seq = {a} WHERE seq = {b}",
    "UPDATE audit_log SET seq = {b} WHERE seq = -1",
)
TAMPERING: dict[str, tuple[list[str], list[tuple[str, int, int, int | None]]]] = {
    "content altered": (
        ["UPDATE audit_log SET after = '{\"n\":99}' WHERE seq = 4"],
        [("altered", 4, 4, None)],
    ),
    "actor altered": (
        ["UPDATE audit_log SET actor = 'user:someone-else' WHERE seq = 1"],
        [("altered", 1, 1, None)],
    ),
    "one removed": (["DELETE FROM audit_log WHERE seq = 5"], [("removed", 5, 5, None)]),
    "three removed": (
        ["DELETE FROM audit_log WHERE seq BETWEEN 3 AND 5"],
        [("removed", 3, 5, None)],
    ),
    "first removed": (["DELETE FROM audit_log WHERE seq = 1"], [("removed", 1, 1, None)]),
    "forged entry inserted": (
        [
            "INSERT INTO audit_log SELECT 11, occurred_at, action, record_type, record_id, "
            "'user:forger', actor_kind, client_id, on_behalf_of, request_id, event_id, "
            "consumed_event_id, before, after, hash, md5(hash) || md5(hash) FROM audit_log "
            "WHERE seq = 10"
        ],
        [("altered", 11, 11, None)],
    ),
    "entry copied to the end": (
        [
            "INSERT INTO audit_log SELECT 11, occurred_at, action, record_type, record_id, "
            "actor, actor_kind, client_id, on_behalf_of, request_id, event_id, "
            "consumed_event_id, before, after, prev_hash, hash || '' FROM audit_log "
            "WHERE seq = 3"
        ],
        [("reordered", 11, 11, 3)],
    ),
    "two swapped": (
        [s.format(a=3, b=7) for s in SWAP],
        [("reordered", 3, 3, 7), ("reordered", 7, 7, 3)],
    ),
    "neighbours swapped": (
        [s.format(a=5, b=6) for s in SWAP],
        [("reordered", 5, 5, 6), ("reordered", 6, 6, 5)],
    ),
    "altered, removed and reordered": (
        [
            "UPDATE audit_log SET before = NULL WHERE seq = 2",
            "DELETE FROM audit_log WHERE seq = 4",
            *(s.format(a=6, b=8) for s in SWAP),
        ],
        [
            ("altered", 2, 2, None),
            ("removed", 4, 4, None),
            ("reordered", 6, 6, 8),
            ("reordered", 8, 8, 6),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
async def test_verification_finds_exactly_the_rows_tampered_with_in_sql(
    case: str, sql: Callable[..., Awaitable[None]], make_database: Callable[..., Any]
) -> None:
    db = await make_database("postgresql", "toy", None, toy.metadata)
    await append(db, 10)
    assert verify_chain(await entries(db)).intact
    statements, expected = TAMPERING[case]
    await sql(db, *statements)
    result = verify_chain(await entries(db))
    assert found(result) == expected
    assert result.first_bad is not None
    assert result.first_bad.seq == expected[0][1]


async def test_an_entry_rewritten_with_a_new_hash_is_found_by_the_next_link(
    sql: Callable[..., Awaitable[None]],
    make_database: Callable[..., Any],
) -> None:
    db = await make_database("postgresql", "toy", None, toy.metadata)
    await append(db, 6)
    third = (await entries(db))[2]
    forged = {**third.values(), "after": '{"n":-1}'}
    await sql(
        db,
        f"UPDATE audit_log SET after = '{forged['after']}', "
        f"hash = '{entry_hash(third.prev_hash, forged)}' WHERE seq = 3",
    )
    assert found(verify_chain(await entries(db))) == [("altered", 3, 3, None)]


# --- anchors: truncation ----------------------------------------------------------------------
async def test_truncation_is_caught_by_the_anchor_only(
    sql: Callable[..., Awaitable[None]], make_database: Callable[..., Any], tmp_path: Path
) -> None:
    db = await make_database("postgresql", "toy", None, toy.metadata)
    store = AnchorFile.of(tmp_path, "toy")
    await append(db, 5)
    async with db.session() as session:
        first = await anchor_head(session, LOG, store)
        again = await anchor_head(session, LOG, store)  # nothing new: no second line
    assert first is not None
    assert first.seq == 5
    assert again is None
    await append(db, 3, start=6)
    async with db.session() as session:
        assert (await anchor_head(session, LOG, store)) is not None
    anchors, unreadable = await store.read()
    assert ([a.seq for a in anchors], unreadable) == ([5, 8], 0)

    await sql(db, "DELETE FROM audit_log WHERE seq >= 7")
    assert verify_chain(await entries(db)).intact  # the chain alone cannot tell
    result = verify_chain(await entries(db), anchors)
    assert found(result) == [("truncated", 7, 8, None)]
    assert result.anchors_checked == 1  # seq 5 still there and matching

    await sql(db, "DELETE FROM audit_log")  # everything: still truncated, from the start
    assert found(verify_chain(await entries(db), anchors)) == [("truncated", 1, 8, None)]


async def test_a_chain_rewritten_whole_differs_from_its_anchor(
    sql: Callable[..., Awaitable[None]], make_database: Callable[..., Any], tmp_path: Path
) -> None:
    db = await make_database("sqlite", "toy", None, toy.metadata)
    store = AnchorFile.of(tmp_path, "toy")
    await append(db, 4)
    async with db.session() as session:
        await anchor_head(session, LOG, store)
    # Entry 3 changed, then 3 and 4 re-hashed so that the chain is consistent again.
    chain = await entries(db)
    prev = chain[1].hash
    for entry in chain[2:]:
        values = {**entry.values(), "prev_hash": prev}
        if entry.seq == 3:
            values["after"] = '{"n":0}'
        values["hash"] = prev = entry_hash(prev, values)
        await sql(
            db,
            f"UPDATE audit_log SET after = '{values['after']}', prev_hash = '{values['prev_hash']}',"
            f" hash = '{values['hash']}' WHERE seq = {entry.seq}",
        )
    assert verify_chain(await entries(db)).intact
    anchors, _ = await store.read()
    assert [p.kind for p in verify_chain(await entries(db), anchors).problems] == ["altered"]


def test_a_torn_anchor_line_is_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "toy.jsonl"
    path.write_text('{"anchored_at":"x","chain":"c","hash":"h","seq":3}\n{"chain":"c","se')
    anchors, unreadable = asyncio.run(AnchorFile(path).read())
    assert ([a.seq for a in anchors], unreadable) == ([3], 1)


# --- retention --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_retention_purges_the_oldest_and_the_chain_still_verifies(
    kind: str,
    sql: Callable[..., Awaitable[None]],
    make_database: Callable[..., Any],
    tmp_path: Path,
) -> None:
    db = await make_database(kind, "toy", None, toy.metadata)
    store = AnchorFile.of(tmp_path, "toy")
    with using(Clock(timedelta(days=-3000))):
        await append(db, 4)
        async with db.session() as session:
            await anchor_head(session, LOG, store)  # an anchor of entries about to be purged
    await append(db, 3, start=5)
    chain_before = await entries(db)
    async with db.session() as session:
        purged = await purge_before(session, LOG, clock.now() - timedelta(days=2557))
    assert purged == 4
    kept = await entries(db)
    assert [e.seq for e in kept] == [5, 6, 7, 8]
    checkpoint = kept[-1]
    assert (checkpoint.action, checkpoint.actor) == ("audit_log.purged", "system")
    anchors, _ = await store.read()
    result = verify_chain(kept, anchors)
    assert result.intact, result.problems
    assert result.checkpoint is not None
    assert (result.checkpoint.through_seq, result.chain) == (4, chain_before[0].hash)
    async with db.session() as session:  # nothing more to purge: nothing written
        assert await purge_before(session, LOG, clock.now() - timedelta(days=2557)) == 0
    assert len(await entries(db)) == 4

    # Removing the first entry kept is still seen: the checkpoint says where the chain starts.
    await sql(db, "DELETE FROM audit_log WHERE seq = 5")
    assert found(verify_chain(await entries(db), anchors)) == [("removed", 5, 5, None)]


async def test_the_jobs_run_as_themselves_in_every_runtime(
    sql: Callable[..., Awaitable[None]], make_database: Callable[..., Any], tmp_path: Path
) -> None:
    from cap_shared.audit.jobs import ANCHOR_JOB, PURGE_JOB, audit_jobs
    from cap_shared.jobs import context_now, run_once
    from cap_shared.settings import BaseServiceSettings

    db = await make_database("sqlite", "toy", None, toy.metadata)
    settings = BaseServiceSettings(
        service_name="toy", audit_anchor_dir=str(tmp_path), audit_retention_days=2192
    )
    jobs = {j.name: j for j in audit_jobs(settings, LOG)}
    assert set(jobs) == {ANCHOR_JOB, PURGE_JOB}
    with using(Clock(timedelta(days=-2191))):  # inside the current cycle plus one: kept
        await append(db, 1)
    assert await run_once(db, jobs[PURGE_JOB], "toy", context_now(settings)) == 0
    await sql(db, "DELETE FROM audit_log")
    with using(Clock(timedelta(days=-2200))):
        await append(db, 2)
    assert await run_once(db, jobs[PURGE_JOB], "toy", context_now(settings)) == 2
    assert await run_once(db, jobs[ANCHOR_JOB], "toy", context_now(settings)) == 1
    (checkpoint,) = await entries(db)
    assert (checkpoint.seq, checkpoint.actor, checkpoint.actor_kind) == (
        3,
        "job:audit-purge",
        "job",
    )
    anchors, _ = await AnchorFile.of(tmp_path, "toy").read()
    assert [(a.seq, a.hash) for a in anchors] == [(3, checkpoint.hash)]


def test_a_retention_shorter_than_two_cycles_is_refused() -> None:
    from pydantic import ValidationError

    from cap_shared.settings import BaseServiceSettings

    with pytest.raises(ValidationError, match="audit_retention_days"):
        BaseServiceSettings(audit_retention_days=2191)
    assert BaseServiceSettings().audit_retention_days == 2557
