"""Per-aggregate order (docs/domain/reliability.md O6): an event whose first attempt failed is
retried after a later event of the same aggregate has been delivered; the consumer still ends
with the latest state, and every effect happens once and in the aggregate's order.

On both topologies (PostgreSQL + RabbitMQ with its delay queues, SQLite + the in-memory broker),
for both policies of :mod:`cap_shared.inbox.order`."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa

from cap_shared.contracts.envelope import Envelope
from cap_shared.messaging import Delivery, QueueSpec
from cap_shared.outbox import OutboxRelay
from cap_shared.testing import toy
from cap_shared.testing.ledger import Ledger

RETRY = 0.4  # long enough for the later versions to be delivered before the retry comes back
QUEUE = QueueSpec(
    name="toy-order",
    bindings=(toy.TOY_CHANGED,),
    delivery_limit=10,
    retry_delays=(RETRY,) * 9,
    prefetch=32,
    handler_timeout=10,
)
THINGS, VERSIONS = 3, 4
FAILING = {1, 3}  # the versions whose first application attempt fails


class Recorder:
    """Every delivery in arrival order, and how many have finished (acked, retried or parked);
    the first delivery of each ``failing`` event fails (a transient failure: it is retried)."""

    def __init__(self, inner, failing: set[str]) -> None:
        self.inner = inner
        self.failing = failing
        self.arrivals: list[tuple[str, int]] = []
        self.finished: Counter[str] = Counter()

    async def __call__(self, delivery: Delivery) -> None:
        self.arrivals.append((delivery.message_id or "", delivery.attempt))
        try:
            if delivery.message_id in self.failing and delivery.attempt == 1:
                raise RuntimeError("transient failure of the first attempt")
            await self.inner(delivery)
        finally:
            self.finished[delivery.message_id or ""] += 1


async def settle(condition, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError("the consumer did not settle in time")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("policy", ["latest", "next"])
@pytest.mark.parametrize("batch_size", [1, 50], ids=["alone", "batched"])
async def test_a_retry_coming_back_after_a_later_event_is_applied_in_order(
    stack, policy, batch_size
) -> None:
    things = [str(uuid.uuid4()) for _ in range(THINGS)]
    sent = []  # in commit order: v1 of every thing, then v2…
    for n in range(1, VERSIONS + 1):
        for thing in things:
            sent.append(await toy.change_thing(stack.db, thing, n))
    assert [e.subjectversion for e in sent] == [v for v in range(1, 5) for _ in things]
    failing = {e.id for e in sent if e.subjectversion in FAILING}
    projection = toy.StateProjection()
    recorder = Recorder(
        toy.ordered_consumer(stack.db, projection, policy=policy, batch_size=batch_size), failing
    )
    await stack.broker.consume(QUEUE, recorder)
    relay = OutboxRelay(db=stack.db, broker=stack.broker, table=toy.tables.outbox, service="toy")
    assert await relay.publish_pending() == len(sent)

    by_id = {e.id: e for e in sent}
    final = {e.subject: e for e in sent if e.subjectversion == VERSIONS}
    if policy == "latest":
        # v1 and v3 failed and were overtaken: their late retries are skipped. A version in
        # between may be overtaken too (deliveries are handled concurrently), never the last.
        must = [e.id for e in final.values()]
        may = {e.id for e in sent if e.id not in failing}
    else:
        # Every version, each parked until its predecessor has been applied.
        must = [e.id for e in sent]
        may = set(must)

    async def quiet() -> bool:
        done = set(must) <= set(await toy.effects_in_order(stack.db, projection.consumer))
        retried = all(recorder.finished[i] >= 2 for i in failing)  # the late retries are back
        return done and retried and len(recorder.arrivals) == sum(recorder.finished.values())

    try:
        await settle(quiet)
    except AssertionError:
        effects = await toy.effects_in_order(stack.db, projection.consumer)
        raise AssertionError(
            f"effects {[by_id[i].subjectversion for i in effects]}, "
            f"arrivals {[(by_id[i].subjectversion, a) for i, a in recorder.arrivals]}"
        ) from None
    await asyncio.sleep(3 * RETRY)  # nothing more may arrive and take effect
    effects = await toy.effects_in_order(stack.db, projection.consumer)

    # The interleaving happened: each failed version's retry came after the next version's
    # first delivery.
    first = {i: recorder.arrivals.index((i, 1)) for i in by_id}
    for failed in failing:
        event = by_id[failed]
        later = next(
            e
            for e in sent
            if e.subject == event.subject and e.subjectversion == event.subjectversion + 1
        )
        retry = recorder.arrivals.index((failed, 2))
        assert first[later.id] < retry

    ledger = Ledger()
    ledger.record_sent(may)  # what may take effect: lost counts only what must
    ledger.record_seen(effects)
    assert ledger.unexpected == set()  # no late retry applied over a newer state
    assert ledger.duplicated == set()
    assert set(must) - set(effects) == set()  # lost
    assert len(effects) >= len(must)
    for thing in things:  # the aggregate's order
        versions = [by_id[i].subjectversion for i in effects if by_id[i].subject == thing]
        assert versions == sorted(versions)
    assert await toy.states(stack.db) == dict.fromkeys(
        final, (VERSIONS, VERSIONS)
    )  # the latest state, v4's


async def test_concurrent_writers_of_one_aggregate_get_consecutive_versions(stack) -> None:
    """The producer's side: 30 concurrent changes of one thing, every third rolled back, get
    versions 1..20 with no gap and no repeat, in the order their transactions committed."""
    thing = str(uuid.uuid4())

    async def change(n: int):
        try:
            return await toy.change_thing(stack.db, thing, n, fail_after_outbox=n % 3 == 0)
        except RuntimeError:
            return None

    recorded = [e for e in await asyncio.gather(*(change(n) for n in range(30))) if e]
    assert sorted(e.subjectversion for e in recorded) == list(range(1, 21))
    # The outbox's order (commit order of the rows) is the versions' order.
    async with stack.db.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(toy.tables.outbox.c.payload).order_by(toy.tables.outbox.c.seq)
        )
        published = [Envelope.from_json(row[0]).subjectversion or 0 for row in rows]
    assert published == list(range(1, 21))
