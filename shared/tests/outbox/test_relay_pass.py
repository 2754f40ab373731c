"""One relay pass on PostgreSQL (issue 22: CPU per event): its turn taken with the BEGIN, the
rows read by a statement written once, and the confirmed rows marked with the COMMIT; the
guarantees unchanged (marked only once confirmed, in the pass's transaction)."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from cap_shared.db.pgconnection import ScopedConnection
from cap_shared.db.session import Database
from cap_shared.messaging import QueueSpec
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.outbox import OutboxRelay
from cap_shared.testing import toy

pytestmark = pytest.mark.postgres

QUEUE = QueueSpec(name="toy", bindings=(toy.TOY_EVENT,))


@pytest.fixture
async def db(make_database: Any) -> Database:
    database: Database = await make_database("postgresql", "toy", None, toy.metadata)
    return database


class Recording(MemoryBroker):
    """The in-memory broker, keeping the ids of the messages it confirmed, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.confirmed: list[str | None] = []

    async def publish_many(self, messages: Any, *, timeout: float = 5.0) -> Any:
        results = await super().publish_many(messages, timeout=timeout)
        self.confirmed += [
            m.message_id for m, r in zip(messages, results, strict=True) if r is None
        ]
        return results


@pytest.fixture
async def broker() -> Any:
    memory = Recording()
    await memory.start()
    await memory.declare_queue(QUEUE)
    yield memory
    await memory.close()


def relay_for(db: Database, broker: Recording, **kw: Any) -> OutboxRelay:
    return OutboxRelay(db=db, broker=broker, table=toy.tables.outbox, service="toy", **kw)


async def published_at(db: Database) -> list[Any]:
    t = toy.tables.outbox
    async with db.engine.connect() as conn:
        return list((await conn.execute(sa.select(t.c.published_at).order_by(t.c.seq))).scalars())


async def test_a_pass_takes_its_turn_with_begin_and_marks_its_rows_with_commit(
    db: Database, broker: Recording, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []
    execute = ScopedConnection.execute

    async def recording(self: ScopedConnection, query: str, *args: Any, **kw: Any) -> Any:
        sent.append(query)
        return await execute(self, query, *args, **kw)

    events = [await toy.write_thing(db, n) for n in range(3)]
    monkeypatch.setattr(ScopedConnection, "execute", recording)
    seen_unmarked: list[Any] = []

    async def after_publish(_seqs: Any) -> None:  # confirmed, not marked yet
        seen_unmarked.extend(await published_at(db))

    relay = relay_for(db, broker, after_publish=after_publish)
    assert await relay.publish_pending() == 3

    assert seen_unmarked == [None, None, None]
    assert all(at is not None for at in await published_at(db))
    assert broker.confirmed == [e.id for e in events]
    begins = [q for q in sent if q.startswith("BEGIN;")]
    assert any("pg_advisory_xact_lock" in q for q in begins), sent
    commits = [q for q in sent if q.endswith(";COMMIT;")]
    assert len(commits) == 1, sent
    assert "UPDATE" in commits[0], sent
    assert "published_at" in commits[0], sent
    assert not any(q.startswith("SELECT pg_advisory_xact_lock") for q in sent), sent


async def test_a_pass_whose_commit_fails_leaves_its_rows_to_publish_again(
    db: Database, broker: Recording
) -> None:
    """The mark rides with the COMMIT: a connection lost before it marks nothing, and the rows
    are published again by the next pass (a duplicate, never a loss)."""
    events = [await toy.write_thing(db, n) for n in range(2)]
    admin = await asyncpg.connect(db.url.set(drivername="postgresql").render_as_string(False))
    kills = {"left": 1}

    async def kill_the_pass(_seqs: Any) -> None:
        if kills["left"]:
            kills["left"] -= 1
            # the backend holding the relay's turn is the pass's own
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND objid = $1 AND granted",
                relay._lock_key,
            )

    relay = relay_for(db, broker, after_publish=kill_the_pass)
    try:
        with pytest.raises((sa.exc.DBAPIError, OSError)):
            await relay.publish_pending()
        assert await toy.pending_outbox(db) == 2
        assert await relay.publish_pending() == 2
    finally:
        await admin.close()
    assert await toy.pending_outbox(db) == 0
    assert broker.confirmed == [e.id for e in events] * 2


async def test_rows_due_later_wait_and_the_batch_size_holds(
    db: Database, broker: Recording
) -> None:
    events = [await toy.write_thing(db, n) for n in range(5)]
    t = toy.tables.outbox
    async with db.engine.begin() as conn:
        await conn.execute(
            sa.update(t)
            .where(t.c.event_id == events[1].id)
            .values(next_attempt_at=sa.func.now() + sa.text("interval '1 hour'"))
        )
    relay = relay_for(db, broker, batch_size=2)
    assert await relay.publish_pending() == 4
    assert broker.confirmed == [e.id for e in events if e is not events[1]]
    assert await toy.pending_outbox(db) == 1
