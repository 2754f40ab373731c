"""The metrics every process gives on its ops port (never on its public one), as Prometheus
scrapes them: jobs, database pools, breakers, consumers, the outbox's age, dead letters,
requests per route template."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.main import SERVICE
from cap_shared import metrics
from cap_shared.breaker import Breakers
from cap_shared.clock import Clock, wall_now
from cap_shared.jobs import JobContext, PeriodicJob, run_once
from cap_shared.messaging import Broker, QueueSpec
from cap_shared.messaging.base import Delivery
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.opsport import ops_app, serving
from cap_shared.outbox import OutboxRelay
from cap_shared.testing import toy
from cap_shared.testing.auth import TestIssuer
from cap_shared.testing.fixtures import unique_namespace
from cap_shared.testing.metrics import ops_port, samples
from cap_shared.testing.net import free_port


def _service() -> str:
    """A service label of this test alone: its series start at nothing."""
    return f"t-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_a_job_run_shows_its_last_success_and_duration(
    kind: str, make_database: Callable[..., Any]
) -> None:
    db = await make_database(kind, "toy", None, toy.metadata)
    service = _service()
    # The service clock, a day ahead: the last success is its time, not the wall clock's.
    clock = Clock(timedelta(days=1))
    now = clock.now()
    context = JobContext(today=now.date(), now=now, settings=None, clock=clock)

    async def works(_session: AsyncSession, _context: JobContext) -> int:
        await asyncio.sleep(0.02)
        return 3

    async def breaks(_session: AsyncSession, _context: JobContext) -> int:
        raise RuntimeError("boom")

    async with ops_port() as scrape:
        assert await run_once(db, PeriodicJob("works", works), service, context) == 3
        with pytest.raises(RuntimeError):
            await run_once(db, PeriodicJob("breaks", breaks), service, context)
        text = await scrape.text()

    def value(name: str, **labels: str) -> float:
        return sum(s.value for s in samples(text, name, service=service, **labels))

    assert value("cap_job_last_success_timestamp_seconds", job="works") == now.timestamp()
    assert value("cap_job_last_success_timestamp_seconds", job="breaks") == 0  # no series
    assert value("cap_job_runs_total", job="works", outcome="ran") == 1
    assert value("cap_job_runs_total", job="breaks", outcome="failed") == 1
    assert value("cap_job_duration_seconds_count", job="works") == 1
    assert value("cap_job_duration_seconds_count", job="breaks") == 1
    assert value("cap_job_duration_seconds_sum", job="works") >= 0.02


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_the_pool_gauge_shows_a_connection_in_use_while_a_session_is_open(
    kind: str, make_database: Callable[..., Any]
) -> None:
    db = await make_database(kind, "toy", None, toy.metadata)
    service = _service()
    metrics.POOLS.watch(service, db.engine)
    pool: Any = db.engine.sync_engine.pool
    async with ops_port() as scrape:
        async with db.session() as session:
            await session.execute(sa.text("SELECT 1"))
            in_use = await scrape.value("cap_db_pool_connections", service=service, state="in_use")
        idle = await scrape.value("cap_db_pool_connections", service=service, state="idle")
        after = await scrape.value("cap_db_pool_connections", service=service, state="in_use")
        size = await scrape.value("cap_db_pool_size", service=service)
        overflow = await scrape.samples(
            "cap_db_pool_connections", service=service, state="overflow"
        )
    assert in_use >= 1
    assert after == 0
    assert idle >= 1
    assert size == pool.size() + pool._max_overflow
    assert [s.value for s in overflow] == [0]


async def test_the_breaker_state_is_read_at_each_scrape() -> None:
    service = _service()
    breakers = Breakers(failure_threshold=2, reset_after_s=60)
    metrics.BREAKERS.watch(service, "connector", breakers.items)
    breaker = breakers.for_key("sgs-tuv")
    now = [1000.0]
    breaker.clock = lambda: now[0]
    async with ops_port() as scrape:

        async def state() -> float:
            found = await scrape.samples("cap_breaker_state", service=service)
            assert [s.labels["breaker"] for s in found] == ["connector:sgs-tuv"]
            return found[0].value

        assert await state() == 0  # closed
        breaker.failure()
        breaker.failure()
        assert await state() == 2  # open
        now[0] += 61
        assert await state() == 1  # half-open: one trial call
        breaker.success()
        assert await state() == 0


async def test_consumers_count_while_subscribed(broker: Broker) -> None:
    name = f"q{uuid.uuid4().hex[:8]}"
    spec = QueueSpec(name=name, bindings=("toy.#",), prefetch=2)

    async def handler(_delivery: Delivery) -> None:
        return None

    async with ops_port() as scrape:
        assert await scrape.value("cap_event_consumers", queue=name) == 0
        handle = await broker.consume(spec, handler)
        dead = await broker.consume_dead_letters(spec, handler)
        assert await scrape.value("cap_event_consumers", queue=name) == 1
        assert await scrape.value("cap_event_consumers", queue=f"{name}.dlq") == 1
        await handle.cancel()
        await dead.cancel()
        assert await scrape.value("cap_event_consumers", queue=name) == 0
        assert await scrape.value("cap_event_consumers", queue=f"{name}.dlq") == 0


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_the_relay_keeps_the_outbox_age_and_dead_letters_current(
    kind: str, make_database: Callable[..., Any]
) -> None:
    """0 when the outbox is empty; the age of the oldest row while the broker is away (every
    pass, failed ones too); the dead letters not replayed."""
    db = await make_database(kind, "toy", None, toy.metadata)
    service = _service()
    broker = MemoryBroker(namespace=unique_namespace())
    await broker.start()
    await broker.declare_queue(QueueSpec(name="toy", bindings=("toy.#",)))
    relay = OutboxRelay(
        db=db,
        broker=broker,
        table=toy.tables.outbox,
        service=service,
        poll_interval=0.05,
        max_backoff=0.1,
        dead_letters=toy.tables.dead_letters,
    )
    stop = asyncio.Event()
    async with ops_port() as scrape:

        async def gauges() -> tuple[float, float, float]:
            return (
                await scrape.value("cap_outbox_pending", service=service),
                await scrape.value("cap_outbox_lag_seconds", service=service),
                await scrape.value("cap_dead_letters_pending", service=service),
            )

        task = asyncio.create_task(relay.run(stop))
        try:
            await _until(lambda: scrape.samples("cap_outbox_lag_seconds", service=service))
            assert await gauges() == (0, 0, 0)
            broker.set_available(False)  # the broker goes away: the rows wait, and age
            await toy.write_thing(db, 1)
            async with db.session() as session:
                await session.execute(sa.insert(toy.tables.dead_letters).values(**_dead_letter()))
            await _until(lambda: _aged(gauges, 0.3))
            pending, lag, dead = await gauges()
            assert (pending, dead) == (1, 1)
            assert lag >= 0.3
            broker.set_available(True)
            await _until(lambda: _is(gauges, (0, 0, 1)))
        finally:
            stop.set()
            await task
            await broker.close()


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_the_relay_status_counts_pending_failing_and_dead_letters_in_one_statement(
    kind: str, make_database: Callable[..., Any]
) -> None:
    """What ``/ops/outbox`` and the gauges show, read by one statement: the relay reads it at
    every poll, idle or not."""
    db = await make_database(kind, "toy", None, toy.metadata)
    service = _service()
    relay = OutboxRelay(
        db=db,
        broker=MemoryBroker(namespace=unique_namespace()),
        table=toy.tables.outbox,
        service=service,
        dead_letters=toy.tables.dead_letters,
    )
    assert await relay.status() == {"pending": 0, "oldest_age_seconds": 0, "failing": 0}
    events = [await toy.write_thing(db, n) for n in range(3)]
    outbox, dead_letters = toy.tables.outbox, toy.tables.dead_letters
    async with db.session() as session:
        await session.execute(  # one published, one failing to publish, one waiting
            sa.update(outbox)
            .where(outbox.c.event_id == events[0].id)
            .values(published_at=wall_now())
        )
        await session.execute(
            sa.update(outbox)
            .where(outbox.c.event_id == events[1].id)
            .values(last_error="unroutable")
        )
        await session.execute(sa.insert(dead_letters), [_dead_letter(), _dead_letter()])
        replayed = {**_dead_letter(), "replayed_at": wall_now()}
        await session.execute(sa.insert(dead_letters).values(**replayed))
    statements: list[str] = []

    def count(*args: Any) -> None:
        if "outbox_message" in args[2] or "dead_letter" in args[2]:  # not the BEGIN
            statements.append(args[2])

    sa.event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        status = await relay.status()
    finally:
        sa.event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert (status["pending"], status["failing"]) == (2, 1)
    assert 0 <= status["oldest_age_seconds"] < 60
    assert len(statements) == 1, statements
    async with ops_port() as scrape:
        assert await scrape.value("cap_outbox_pending", service=service) == 2
        assert await scrape.value("cap_dead_letters_pending", service=service) == 2


async def _aged(gauges: Callable[[], Any], seconds: float) -> bool:
    _pending, lag, _dead = await gauges()
    return bool(lag >= seconds)


async def _is(gauges: Callable[[], Any], expected: tuple[float, ...]) -> bool:
    return bool(await gauges() == expected)


async def _until(check: Callable[[], Any], timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "not within the time"
        await asyncio.sleep(0.05)


def _dead_letter() -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "queue": "toy",
        "message_key": uuid.uuid4().hex,
        "routing_key": "toy.thing.created.v1",
        "reason": "test",
        "headers": "{}",
        "body": b"{}",
        "dead_lettered_at": wall_now(),
    }


async def test_requests_are_counted_per_route_and_served_on_the_ops_port_only(
    tmp_path: Path,
) -> None:
    settings = SERVICE.settings()
    settings.database_url = f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}"
    runtime = SERVICE.build_runtime(settings, keys=TestIssuer().key_source())
    await runtime.migrate()
    app = SERVICE.create_app(runtime, manage_runtime=False)
    port = free_port()
    labels = {"service": runtime.name, "method": "GET", "route": "/healthz", "status": "200"}
    try:
        async with (
            serving(ops_app(runtime, needs_broker=False), "127.0.0.1", port),
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as ops,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as api,
        ):
            before = await _value(ops, "cap_http_requests_total", labels)
            assert (await api.get("/healthz")).status_code == 200
            assert (await api.get("/metrics")).status_code == 404  # not on the public port
            assert await _value(ops, "cap_http_requests_total", labels) == before + 1
            assert await _value(ops, "cap_http_request_seconds_count", labels) >= 1
            assert (await ops.get("/healthz")).json() == {"status": "ok", "service": "diagnostic"}
            ready = await ops.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {"database": "ok"}
    finally:
        await runtime.close()


async def _value(client: httpx.AsyncClient, name: str, labels: dict[str, str]) -> float:
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    found = samples(answer.text, name, **{k: v for k, v in labels.items() if k != "status"})
    if name.endswith("_total"):
        found = [s for s in found if s.labels.get("status") == labels["status"]]
    return sum(s.value for s in found)
