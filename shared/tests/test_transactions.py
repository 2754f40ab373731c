"""The platform's transactions on PostgreSQL (issue 22: CPU per event): the row scope sent with
BEGIN, the outbox row with COMMIT, and the inbox claim as one prepared statement whatever the
batch size."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import asyncpg
import pytest
import sqlalchemy as sa

from cap_shared import telemetry
from cap_shared.db import pgconnection, rowsecurity
from cap_shared.db.pgconnection import ScopedConnection
from cap_shared.db.session import Database
from cap_shared.inbox.consumer import _Item
from cap_shared.inbox.table import claim, claim_many
from cap_shared.outbox import add_event
from cap_shared.testing import toy
from cap_shared.testing.statements import counting
from cap_shared.testing.tracing import tracing_on

pytestmark = pytest.mark.postgres

SCOPE_NOW = sa.text(
    "SELECT current_setting('cap.organisations', true), current_setting('cap.regions', true)"
)


@pytest.fixture
async def db(make_database: Any) -> Database:
    database: Database = await make_database("postgresql", "toy", None, toy.metadata)
    return database


def _driver(connection: sa.Connection) -> Any:
    return connection.connection.driver_connection


async def test_the_scope_is_queued_at_begin_and_sent_with_it(db: Database) -> None:
    async with db.session() as session:
        connection = await session.connection()  # begun: the scope waits for the BEGIN
        driver = await connection.run_sync(_driver)
        assert isinstance(driver, ScopedConnection)
        assert driver._cap_prelude is not None
        assert not driver.is_in_transaction()
        # the first statement goes after "BEGIN;SELECT set_config(...)", in one transaction
        assert (await session.execute(SCOPE_NOW)).one() == ("*", "")
        assert driver._cap_prelude is None
        assert driver.is_in_transaction()
    # transaction-local: gone after the commit
    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert await raw.driver_connection.fetchval(
            "SELECT coalesce(current_setting('cap.organisations', true), '')"
        ) in ("", None)


@pytest.mark.parametrize(
    "organisations",
    ["a,b", "o'brien", "back\\slash", "é'\\'x", "'); DROP TABLE thing; --", ""],
)
async def test_any_scope_value_arrives_as_it_was(
    db: Database, organisations: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The values are written into the BEGIN's SQL: quotes and backslashes stay data."""
    scope = rowsecurity.RowScope(organisations, "11,84")
    monkeypatch.setattr(rowsecurity, "current_scope", lambda: scope)
    async with db.session() as session:
        assert (await session.execute(SCOPE_NOW)).one() == (organisations, "11,84")
        assert (await session.execute(sa.select(sa.func.count()).select_from(toy.thing))).one()


def test_a_nul_never_reaches_the_sql() -> None:
    with pytest.raises(ValueError, match="NUL"):
        pgconnection.literal("a\x00b")
    assert rowsecurity._joined(["a", "b\x00c", "d"]) == "a,d"  # left out: fails closed


async def test_a_statement_failing_after_begin_leaves_no_transaction_open(db: Database) -> None:
    url = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(url, connection_class=ScopedConnection)
    try:
        assert conn.begin_with("SELECT 1/0")
        with pytest.raises(asyncpg.DivisionByZeroError):
            await conn.transaction().start()
        assert not conn.is_in_transaction()
        # the connection goes on as new: a transaction, the statement sent alone when one is open
        transaction = conn.transaction()
        await transaction.start()
        assert not conn.begin_with("SELECT 1")
        assert await conn.fetchval("SELECT 2") == 2
        await transaction.rollback()
        assert not conn.is_in_transaction()
    finally:
        await conn.close()


async def test_a_failed_prelude_inside_the_engine_does_not_poison_the_pool(db: Database) -> None:
    db_one = Database(db.url, pool_size=1, max_overflow=0)
    try:
        async with db_one.engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            await conn.begin()
            driver.begin_with("SELECT 1/0")  # as if the scope's statement failed
            with pytest.raises(sa.exc.DBAPIError, match="division by zero"):
                await conn.execute(sa.text("SELECT 1"))
        async with db_one.session() as session:  # the same pooled connection, usable
            assert (await session.execute(SCOPE_NOW)).one() == ("*", "")
    finally:
        await db_one.dispose()


async def test_claims_of_every_batch_size_share_one_prepared_statement(db: Database) -> None:
    inbox = toy.tables.inbox
    db_one = Database(db.url, pool_size=1, max_overflow=0)  # one connection: one statement cache
    try:
        ids = [str(uuid4()) for _ in range(15)]
        async with db_one.session() as session:
            start = 0
            for size in (1, 2, 3, 4, 5):
                events = [(i, toy.TOY_EVENT) for i in ids[start : start + size]]
                claimed = await claim_many(session, inbox, consumer="c", events=events)
                assert claimed == {i for i, _ in events}
                start += size
            # again, with one new id and a duplicate in the same batch: only the new one is claimed
            again = [(ids[0], toy.TOY_EVENT), ("new", toy.TOY_EVENT), ("new", toy.TOY_EVENT)]
            assert await claim_many(session, inbox, consumer="c", events=again) == {"new"}
            assert not await claim(
                session, inbox, consumer="c", event_id=ids[3], event_type=toy.TOY_EVENT
            )
            assert await claim(
                session, inbox, consumer="other", event_id=ids[3], event_type=toy.TOY_EVENT
            )
            prepared = (
                await session.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_prepared_statements "
                        "WHERE statement LIKE 'INSERT INTO inbox_message%'"
                    )
                )
            ).scalar_one()
            assert prepared == 1
    finally:
        await db_one.dispose()


async def _inbox_ids(db: Database, consumer: str) -> set[str]:
    inbox = toy.tables.inbox
    async with db.engine.connect() as conn:
        rows = await conn.execute(sa.select(inbox.c.event_id).where(inbox.c.consumer == consumer))
        return {row[0] for row in rows}


async def test_a_transactions_first_claim_goes_with_its_begin(db: Database) -> None:
    inbox = toy.tables.inbox
    ids = [str(uuid4()) for _ in range(3)]
    async with db.session() as session:
        with counting(db.engine) as sent:
            events = [(i, toy.TOY_EVENT) for i in ids]
            assert await claim_many(session, inbox, consumer="c", events=events) == set(ids)
        assert len(sent) == 0, str(sent)  # no statement of its own: it rode with the BEGIN
        # the claim ran before the transaction's next statement, which sees its rows
        count = sa.select(sa.func.count()).select_from(inbox).where(inbox.c.consumer == "c")
        assert (await session.execute(count)).scalar_one() == 3
    assert await _inbox_ids(db, "c") == set(ids)
    # a redelivery of them all: none claimed, still no statement of its own, nothing written
    async with db.session() as session:
        with counting(db.engine) as sent:
            events = [(i, toy.TOY_EVENT) for i in ids]
            assert await claim_many(session, inbox, consumer="c", events=events) == set()
        assert len(sent) == 0, str(sent)
    assert await _inbox_ids(db, "c") == set(ids)


async def test_the_claim_with_the_begin_is_prepared_once_per_connection(db: Database) -> None:
    inbox = toy.tables.inbox
    db_one = Database(db.url, pool_size=1, max_overflow=0)  # one connection
    try:
        for size in (1, 3, 2):
            ids = {str(uuid4()) for _ in range(size)}
            async with db_one.session() as session:
                events = [(i, toy.TOY_EVENT) for i in ids]
                assert await claim_many(session, inbox, consumer="c", events=events) == ids
        async with db_one.engine.connect() as conn:
            prepared = await conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_prepared_statements "
                    "WHERE name LIKE 'cap_deferred_%' AND statement LIKE '%INSERT INTO inbox_message%'"
                )
            )
            assert prepared.scalar_one() == 1
    finally:
        await db_one.dispose()


async def test_a_partly_handled_batch_claims_only_its_new_events(db: Database) -> None:
    inbox = toy.tables.inbox
    old, new = str(uuid4()), [str(uuid4()) for _ in range(2)]
    async with db.session() as session:
        assert await claim(session, inbox, consumer="c", event_id=old, event_type=toy.TOY_EVENT)
    async with db.session() as session:
        with counting(db.engine) as sent:
            events = [(i, toy.TOY_EVENT) for i in (new[0], old, new[1])]
            assert await claim_many(session, inbox, consumer="c", events=events) == set(new)
        assert len(sent) == 1, str(sent)  # which ids this transaction wrote: one read
    assert await _inbox_ids(db, "c") == {old, *new}


async def test_a_consumer_batch_sends_its_claim_with_the_begin(db: Database) -> None:
    handler = toy.EffectCounter()
    consumer = toy.toy_consumer(db, handler, batch_size=10, batch_handler=True)
    envelopes = [toy.envelope(n) for n in range(3)]
    items = [_Item(e, toy.ThingCreated.model_validate(e.data)) for e in envelopes]
    with counting(db.engine) as sent:
        await consumer._handle_batch(items)
    # the effects' one INSERT; the claim went with the BEGIN (it was a statement of its own)
    assert len(sent) == 1, str(sent)
    assert await toy.effects_by_event(db) == {e.id: 1 for e in envelopes}
    with counting(db.engine) as sent:
        await consumer._handle_batch(items)  # redelivered: claimed before, no effect again
    assert len(sent) == 0, str(sent)
    assert await toy.effects_by_event(db) == {e.id: 1 for e in envelopes}


# --- the outbox row, sent with the COMMIT ----------------------------------------------------
async def _outbox_ids(db: Database) -> list[str]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(sa.select(toy.tables.outbox.c.event_id))
        return sorted(row[0] for row in rows)


async def _deferred(session: Any) -> bool:
    connection = await session.connection()
    driver = await connection.run_sync(_driver)
    return bool(driver.deferred)


async def test_the_outbox_row_goes_with_the_commit(db: Database) -> None:
    event = toy.envelope(1)
    async with db.session() as session:
        await session.execute(sa.insert(toy.thing).values(id=event.subject, n=1))
        await add_event(session, toy.tables.outbox, event)
        assert await _deferred(session)  # not sent yet: it rides with the COMMIT
    assert await _outbox_ids(db) == [event.id]
    assert await toy.pending_outbox(db) == 1


async def test_a_deferred_row_is_there_for_the_transactions_next_statement(db: Database) -> None:
    events = [toy.envelope(n) for n in range(3)]
    async with db.session() as session:
        await session.execute(sa.insert(toy.thing).values(id=events[0].subject, n=0))
        for event in events:
            await add_event(session, toy.tables.outbox, event)
        assert await _deferred(session)
        count = sa.select(sa.func.count()).select_from(toy.tables.outbox)
        assert (await session.execute(count)).scalar_one() == 3
        assert not await _deferred(session)
    assert await _outbox_ids(db) == sorted(e.id for e in events)


async def test_a_rolled_back_transaction_or_savepoint_drops_its_deferred_rows(
    db: Database,
) -> None:
    kept, in_savepoint, rolled_back = toy.envelope(1), toy.envelope(2), toy.envelope(3)

    async def write_then_fail() -> None:
        async with db.session() as session:
            await session.execute(sa.insert(toy.thing).values(id=rolled_back.subject, n=3))
            await add_event(session, toy.tables.outbox, rolled_back)
            raise RuntimeError("the business rule failed")

    async def fail_in_savepoint(session: Any) -> None:
        async with session.begin_nested():
            await add_event(session, toy.tables.outbox, in_savepoint)
            raise RuntimeError("this part failed")

    with pytest.raises(RuntimeError):
        await write_then_fail()
    async with db.session() as session:
        await session.execute(sa.insert(toy.thing).values(id=kept.subject, n=1))
        await add_event(session, toy.tables.outbox, kept)
        with pytest.raises(RuntimeError):
            await fail_in_savepoint(session)
    assert await _outbox_ids(db) == [kept.id]
    # the pooled connections go on: a new transaction records and commits as usual
    again = toy.envelope(4)
    async with db.session() as session:
        await session.execute(sa.insert(toy.thing).values(id=again.subject, n=4))
        await add_event(session, toy.tables.outbox, again)
    assert await _outbox_ids(db) == sorted([kept.id, again.id])


async def test_a_deferred_row_that_fails_fails_the_commit_and_nothing_is_written(
    db: Database,
) -> None:
    event = toy.envelope(1)
    db_one = Database(db.url, pool_size=1, max_overflow=0)

    async def write_twice() -> None:
        async with db_one.session() as session:
            await session.execute(sa.insert(toy.thing).values(id=event.subject, n=1))
            await add_event(session, toy.tables.outbox, event)
            await add_event(session, toy.tables.outbox, event)  # the same event id twice

    try:
        with pytest.raises(sa.exc.IntegrityError, match="outbox_message"):
            await write_twice()
        assert await _outbox_ids(db) == []
        async with db_one.engine.connect() as conn:
            count = sa.select(sa.func.count()).select_from(toy.thing)
            assert (await conn.execute(count)).scalar_one() == 0  # the business row went too
        # the same connection: its failed message's PREPARE is not reused under the same name
        async with db_one.session() as session:
            await session.execute(sa.insert(toy.thing).values(id=event.subject, n=1))
            await add_event(session, toy.tables.outbox, event)
        assert await _outbox_ids(db) == [event.id]
    finally:
        await db_one.dispose()


async def test_tracing_on_the_outbox_row_is_a_statement_with_its_span(db: Database) -> None:
    event = toy.envelope(1)
    with tracing_on() as exporter:
        traced = Database(db.url, pool_size=1, max_overflow=0)  # instrumented: tracing is on
        try:
            with telemetry.tracer().start_as_current_span("POST /things"):
                async with traced.session() as session:
                    await session.execute(sa.insert(toy.thing).values(id=event.subject, n=1))
                    await add_event(session, toy.tables.outbox, event)
                    assert not await _deferred(session)
            # tracing on, but this write in no recorded span (a request left out by the
            # sampler, a job): no span to keep, the row goes with the COMMIT
            unsampled = toy.envelope(2)
            async with traced.session() as session:
                await session.execute(sa.insert(toy.thing).values(id=unsampled.subject, n=2))
                await add_event(session, toy.tables.outbox, unsampled)
                assert await _deferred(session)
        finally:
            await traced.dispose()
    statements = [
        str((span.attributes or {}).get("db.statement", ""))
        for span in exporter.get_finished_spans()
    ]
    assert any(s.startswith("INSERT INTO outbox_message") for s in statements), statements
    assert await _outbox_ids(db) == sorted([event.id, unsampled.id])
