"""Periodic jobs in traces: one span ``job <name>`` per attempt when tracing is on, the events
the job records belong to it; nothing when off."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared import telemetry
from cap_shared.db.session import Database
from cap_shared.jobs import JobContext, PeriodicJob, run_due
from cap_shared.outbox import add_event
from cap_shared.testing import toy
from cap_shared.testing.tracing import by_name, spans

__all__ = ["spans"]


async def remind(session: AsyncSession, context: JobContext) -> int:
    await add_event(session, toy.tables.outbox, toy.envelope(1))
    return 1


async def fail(session: AsyncSession, context: JobContext) -> int:
    raise RuntimeError("the job broke")


@pytest.fixture
async def db(make_database: Callable[..., Any]) -> Database:
    database: Database = await make_database("postgresql", "toy", None, toy.metadata)
    return database


async def payloads(db: Database) -> list[dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = (await conn.execute(sa.select(toy.tables.outbox.c.payload))).scalars().all()
    return [json.loads(row) for row in rows]


async def test_a_job_run_is_a_span_and_its_events_carry_it(
    db: Database, spans: InMemorySpanExporter
) -> None:
    await run_due(db, PeriodicJob("remind", remind), "toy", runs=toy.tables.job_runs)
    with pytest.raises(RuntimeError):
        await run_due(db, PeriodicJob("broken", fail), "toy", runs=toy.tables.job_runs)

    finished = spans.get_finished_spans()
    (ran,) = by_name(finished, "job remind")
    (broke,) = by_name(finished, "job broken")
    assert ran.parent is None
    assert ran.attributes == {
        "cap.job": "remind",
        "cap.service": "toy",
        "service": "toy",
    }
    assert broke.status.status_code is StatusCode.ERROR
    (event,) = await payloads(db)
    trace_id = format(ran.context.trace_id, "032x")
    span_id = format(ran.context.span_id, "016x")
    assert event["traceparent"].startswith(f"00-{trace_id}-{span_id}-")


async def test_tracing_off_a_job_records_nothing(db: Database) -> None:
    assert not telemetry.enabled()
    await run_due(db, PeriodicJob("remind", remind), "toy", runs=toy.tables.job_runs)
    (event,) = await payloads(db)
    assert "traceparent" not in event
