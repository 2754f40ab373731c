"""The consumer's PostgreSQL stopped for longer than the whole retry schedule.

Each test starts its own PostgreSQL 15 cluster (:mod:`cap_shared.testing.pg_cluster`: own port,
own data directory, removed afterwards) and stops it with ``pg_ctl stop -m fast`` while events
arrive through the machine's RabbitMQ (a namespace of its own). What must hold:

* an infrastructure outage never dead-letters an event and never counts an attempt: every event
  that arrived during the outage is handled exactly once when the database returns (ledger: 0
  lost, 0 duplicated effects, 0 unexpected), 0 dead letters, every delivery on attempt 1;
* the outbox relay and the periodic jobs survive the outage and resume (events written after
  the restart are published and handled; the job runs again);
* a real service's API (the diagnostic service) answers 503 problem+json with ``Retry-After``
  and the catalogued ``dependency-unavailable`` type while its database is down, and 200 again
  after the restart, on the same process (connections invalidated, no restart);
* the errors the driver really raises during the outage are classified as outages.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest
import sqlalchemy as sa

from cap_diagnostic import main as diagnostic_main
from cap_diagnostic.config import Settings as DiagnosticSettings
from cap_diagnostic.models import metadata as diagnostic_metadata
from cap_shared.db.outage import database_unreachable
from cap_shared.db.session import Database
from cap_shared.jobs import JobContext, PeriodicJob, run_periodically
from cap_shared.messaging.base import Delivery, OutgoingMessage, QueueSpec
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.outbox.relay import OutboxRelay
from cap_shared.problem_types.types import MEANINGS
from cap_shared.problems import PROBLEM_TYPE_BASE
from cap_shared.testing import services, toy
from cap_shared.testing.auth import TestIssuer
from cap_shared.testing.fixtures import cleanup_rabbit, create_schema, unique_namespace
from cap_shared.testing.ledger import Ledger
from cap_shared.testing.messaging import Recorder, wait_until
from cap_shared.testing.pg_cluster import PgCluster, PgTemplate, pg_cluster

#: Short retry schedule: an outage of OUTAGE_S outlasts it several times over.
RETRY_DELAYS = (0.2, 0.5, 1.0)
OUTAGE_S = 5.0
#: Events published while the database is down (more than the prefetch: most wait in the queue).
DURING = 120
BEFORE = 20
AFTER = 20


@pytest.fixture(scope="module")
def pg_template() -> Iterator[PgTemplate]:
    template = PgTemplate()
    try:
        yield template
    finally:
        template.remove()


@pytest.fixture
def cluster(pg_template: PgTemplate) -> Iterator[PgCluster]:
    with pg_cluster(pg_template) as started:
        yield started


async def create_database(cluster: PgCluster, name: str) -> str:
    conn = await asyncpg.connect(cluster.url(), timeout=10)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return cluster.url(name)


@pytest.fixture
async def rabbit() -> AsyncIterator[RabbitBroker]:
    broker = RabbitBroker(services.RABBITMQ_URL, namespace=unique_namespace())
    await broker.start()
    try:
        yield broker
    finally:
        await cleanup_rabbit(broker)


def toy_spec(**overrides: object) -> QueueSpec:
    values: dict[str, object] = {
        "name": "toy",
        "bindings": (toy.TOY_EVENT,),
        "delivery_limit": 5,
        "retry_delays": RETRY_DELAYS,
        "prefetch": 32,
        "handler_timeout": 5.0,
    }
    values.update(overrides)
    return QueueSpec(**values)  # type: ignore[arg-type]


def toy_message(n: int) -> tuple[str, OutgoingMessage]:
    env = toy.envelope(n)
    return env.id, OutgoingMessage(
        routing_key=env.type, body=env.to_json(), message_id=env.id, type=env.type
    )


@dataclass
class Worker:
    """The toy consumer on the throwaway cluster, with what it saw."""

    db: Database
    batch_size: int = 1
    attempts: list[tuple[str, int]] = field(default_factory=list)
    redelivered: list[bool] = field(default_factory=list)
    dead: Recorder = field(default_factory=Recorder)

    def __post_init__(self) -> None:
        self.consumer = toy.toy_consumer(self.db, toy.EffectCounter(), batch_size=self.batch_size)

    async def __call__(self, delivery: Delivery) -> None:
        self.attempts.append((delivery.message_id or "", delivery.attempt))
        self.redelivered.append(delivery.redelivered)
        await self.consumer(delivery)


async def effects(db: Database) -> dict[str, int]:
    try:
        return await toy.effects_by_event(db)
    except Exception:
        return {}


async def wait_for_effects(db: Database, count: int, timeout: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        seen = await effects(db)
        if len(seen) >= count or time.monotonic() > deadline:
            return seen
        await asyncio.sleep(0.1)


async def open_diagnostic(url: str) -> tuple[httpx.AsyncClient, Database, dict[str, str]]:
    """The diagnostic service's API on ``url`` (migrated, with its shipped referentials)."""
    db = Database(url, pool_size=2, max_overflow=2)
    await create_schema(db, diagnostic_main.MIGRATIONS, diagnostic_metadata)
    issuer = TestIssuer()
    runtime = diagnostic_main.build_runtime(
        DiagnosticSettings(), db=db, broker=MemoryBroker(), keys=issuer.key_source()
    )
    await runtime.load_reference_data()
    app = diagnostic_main.create_app(runtime, manage_runtime=False)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://diagnostic")
    headers = {"Authorization": f"Bearer {issuer.token(roles=[{'role': 'admin'}])}"}
    return client, db, headers


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["status"] == 503
    # The catalogued type (docs/problems: what it means, that Retry-After says when to retry).
    assert body["type"] == PROBLEM_TYPE_BASE + "dependency-unavailable", body
    assert "dependency-unavailable" in MEANINGS


@pytest.mark.parametrize("batch_size", [1, 32], ids=["alone", "batched"])
async def test_postgres_outage_longer_than_the_retry_schedule(
    cluster: PgCluster, rabbit: RabbitBroker, batch_size: int
) -> None:
    started = time.monotonic()
    toy_url = await create_database(cluster, "toy")
    diag_url = await create_database(cluster, "diagnostic")
    db = Database(toy_url, pool_size=3, max_overflow=2)
    await create_schema(db, None, toy.metadata)
    client, diag_db, admin = await open_diagnostic(diag_url)
    spec = toy_spec()
    worker = Worker(db, batch_size)
    stop = asyncio.Event()
    ticks: list[float] = []

    async def tick(_session: object, _context: JobContext) -> int:
        ticks.append(time.monotonic())
        return 1

    relay = OutboxRelay(
        db=db,
        broker=rabbit,
        table=toy.tables.outbox,
        service="toy",
        poll_interval=0.2,
        max_backoff=0.5,
    )
    ledger = Ledger()
    handles = [
        await rabbit.consume(spec, worker),
        await rabbit.consume_dead_letters(spec, worker.dead),
    ]
    background = [
        asyncio.create_task(relay.run(stop)),
        asyncio.create_task(
            run_periodically(
                db,
                (PeriodicJob("tick", tick, interval_s=0.2),),
                "toy",
                stop,
                runs=toy.tables.job_runs,
            )
        ),
    ]
    try:
        # Before: events through the outbox (relay) and straight from another producer.
        for n in range(BEFORE // 2):
            ledger.record_sent([(await toy.write_thing(db, n)).id])
        for n in range(BEFORE // 2):
            event_id, message = toy_message(n)
            await rabbit.publish(message)
            ledger.record_sent([event_id])
        assert len(await wait_for_effects(db, BEFORE, 20)) == BEFORE
        assert (await client.get("/v1/referentials", headers=admin)).status_code == 200

        # The outage: longer than the whole retry schedule, events keep arriving.
        cluster.stop("fast")
        down_at = time.monotonic()
        unavailable = 0
        for n in range(DURING):
            event_id, message = toy_message(1000 + n)
            await rabbit.publish(message)
            ledger.record_sent([event_id])
        while time.monotonic() - down_at < OUTAGE_S:
            assert_unavailable(await client.get("/v1/referentials", headers=admin))
            unavailable += 1
            await asyncio.sleep(0.5)
        assert 2 * sum(RETRY_DELAYS) < OUTAGE_S
        assert worker.dead.deliveries == []
        assert await rabbit.queue_depth(rabbit.dead_letter_queue_name(spec)) == 0
        ticks_before_restart = len(ticks)

        cluster.start()
        up_at = time.monotonic()
        # The API heals on the same process (its pool's dead connections are discarded).
        ok = await client.get("/v1/referentials", headers=admin)
        assert ok.status_code == 200, ok.text
        # The relay resumes: events written after the restart are published and handled.
        for n in range(AFTER):
            ledger.record_sent([(await toy.write_thing(db, 2000 + n)).id])
        total = BEFORE + DURING + AFTER
        seen = await wait_for_effects(db, total, 60)
        drained_s = time.monotonic() - up_at
        for event_id, count in seen.items():
            ledger.record_seen([event_id] * count)
        await wait_until(lambda: len(ticks) > ticks_before_restart, 10, "a job run after restart")
        # Late redeliveries or duplicates would show up now.
        await asyncio.sleep(1.0)
        for event_id, count in (await effects(db)).items():
            extra = count - seen.get(event_id, 0)
            if extra:
                ledger.record_seen([event_id] * extra)

        summary = ledger.summary()
        print(
            f"\npostgres outage {OUTAGE_S}s, batch {batch_size}: {summary}, dead letters {len(worker.dead.deliveries)}"
            f", deliveries {len(worker.attempts)}, 503 answers {unavailable}, drained in "
            f"{drained_s:.2f}s, total {time.monotonic() - started:.1f}s"
        )
        assert summary == {
            "sent": total,
            "seen": total,
            "lost": 0,
            "unexpected": 0,
            "duplicated": 0,
        }, summary
        assert worker.dead.deliveries == []
        assert await rabbit.queue_depth(rabbit.dead_letter_queue_name(spec)) == 0
        # The outage counted no attempt: no event ever went round the retry schedule.
        assert {attempt for _, attempt in worker.attempts} == {1}
        assert unavailable >= 5
    finally:
        stop.set()
        for handle in handles:
            with contextlib.suppress(Exception):
                await handle.cancel()
        for task in background:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        await client.aclose()
        await db.dispose()
        await diag_db.dispose()


async def test_an_outage_past_the_hold_limit_parks_events_without_counting_attempts(
    cluster: PgCluster, rabbit: RabbitBroker
) -> None:
    """Held deliveries go round a delay queue (attempt unchanged) once held ``hold_limit``:
    the broker's consumer timeout is never reached and still nothing is dead-lettered."""
    db = Database(await create_database(cluster, "toy"), pool_size=2, max_overflow=2)
    await create_schema(db, None, toy.metadata)
    spec = toy_spec(hold_limit=0.5, prefetch=8)
    worker = Worker(db)
    ledger = Ledger()
    handles = [
        await rabbit.consume(spec, worker),
        await rabbit.consume_dead_letters(spec, worker.dead),
    ]
    try:
        cluster.stop("fast")
        for n in range(30):
            event_id, message = toy_message(n)
            await rabbit.publish(message)
            ledger.record_sent([event_id])
        await asyncio.sleep(3.0)
        cluster.start()
        seen = await wait_for_effects(db, 30, 30)
        await asyncio.sleep(0.5)
        for event_id, count in (await effects(db)).items():
            ledger.record_seen([event_id] * count)
        summary = ledger.summary()
        print(f"\nheld past the limit: {summary}, deliveries {len(worker.attempts)}")
        assert len(seen) == 30
        assert (summary["lost"], summary["duplicated"], summary["unexpected"]) == (0, 0, 0)
        assert worker.dead.deliveries == []
        # Some went round the delay queue (delivered more than once) and none counted it.
        assert len(worker.attempts) > 30
        assert {attempt for _, attempt in worker.attempts} == {1}
    finally:
        for handle in handles:
            with contextlib.suppress(Exception):
                await handle.cancel()
        await db.dispose()


async def test_a_worker_stopped_during_the_outage_parks_what_it_holds(
    cluster: PgCluster, rabbit: RabbitBroker
) -> None:
    """Stopping the consumer (a deploy during the outage) lets the held deliveries go round a
    delay queue, attempt unchanged, instead of returning them unacked: a quorum queue would
    count that toward its delivery limit. The next worker handles everything once."""
    db = Database(await create_database(cluster, "toy"), pool_size=2, max_overflow=2)
    await create_schema(db, None, toy.metadata)
    spec = toy_spec(prefetch=8)
    first, second = Worker(db), Worker(db)
    ledger = Ledger()
    handles = [await rabbit.consume(spec, first)]
    try:
        cluster.stop("fast")
        for n in range(30):
            event_id, message = toy_message(n)
            await rabbit.publish(message)
            ledger.record_sent([event_id])
        await wait_until(lambda: len(first.attempts) >= 8, 10, "held deliveries")
        await asyncio.sleep(0.5)
        stopping = time.monotonic()
        first.consumer.release_held()  # what ServiceRuntime.stop_consuming does
        await handles.pop().cancel()
        stopped_in = time.monotonic() - stopping
        cluster.start()
        handles += [
            await rabbit.consume(spec, second),
            await rabbit.consume_dead_letters(spec, second.dead),
        ]
        seen = await wait_for_effects(db, 30, 30)
        await asyncio.sleep(0.5)
        for event_id, count in (await effects(db)).items():
            ledger.record_seen([event_id] * count)
        summary = ledger.summary()
        print(f"\nworker stopped mid-outage in {stopped_in:.2f}s: {summary}")
        assert len(seen) == 30
        assert (summary["lost"], summary["duplicated"], summary["unexpected"]) == (0, 0, 0)
        assert second.dead.deliveries == []
        assert stopped_in < spec.handler_timeout
        # Nothing came back as a redelivery (which the delivery limit counts), no attempt counted.
        assert not any(second.redelivered)
        assert {attempt for _, attempt in first.attempts + second.attempts} == {1}
    finally:
        for handle in handles:
            with contextlib.suppress(Exception):
                await handle.cancel()
        await db.dispose()


async def test_the_errors_of_a_stopped_server_are_classified_as_outages(
    cluster: PgCluster,
) -> None:
    """What asyncpg and SQLAlchemy really raise: a connection cut by the shutdown mid-transaction,
    then connections refused while it is down."""
    db = Database(cluster.url(), pool_size=1, max_overflow=0)
    errors: list[BaseException] = []
    try:
        async with db.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
            await asyncio.to_thread(cluster.stop, "fast")
            try:
                await conn.execute(sa.text("SELECT 1"))
            except Exception as exc:
                errors.append(exc)
        for _ in range(2):
            try:
                async with db.session() as session:
                    await session.execute(sa.text("SELECT 1"))
            except Exception as exc:
                errors.append(exc)
        await asyncio.to_thread(cluster.start)
        await asyncio.to_thread(cluster.stop, "immediate")
        try:
            await db.ping()
        except Exception as exc:
            errors.append(exc)
    finally:
        await db.dispose()
    assert len(errors) == 4, errors
    assert [database_unreachable(e) for e in errors] == [True] * 4, [repr(e) for e in errors]
