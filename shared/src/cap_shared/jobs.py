"""Periodic jobs of a service (overdue detection, expiry reminders...), run by its worker.

Each job is a function of a session and a :class:`JobContext` (the runtime's clock and
settings), and must be idempotent: it may run again
after a crash, and several workers may be running. A transaction-scoped advisory lock makes one
worker run a job at a time; the job's own bookkeeping (e.g. "reminder sent for this due date")
keeps a second run from repeating its effects.

Each run is remembered in the service's ``job_run`` table (one row per job: when its last run
started, what it reported or why it failed, when it last succeeded), which the operator route
``GET /ops/jobs`` shows: whichever process ran it (the worker, or an operator's "run now"), the
row is in the service's database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.clock import Clock, current, using
from cap_shared.db.session import Database
from cap_shared.db.types import AwareDateTime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    """What a job reasons with: the runtime's time and its settings (never the environment)."""

    today: date
    now: datetime
    settings: Any
    #: The runtime's clock, installed while the job runs (what deeper code reads "now" from).
    clock: Clock = field(default_factory=current)


#: A job body: does its work in the session (committed by the runner), returns a count for logs.
JobBody = Callable[[AsyncSession, JobContext], Awaitable[int]]


@dataclass(frozen=True)
class PeriodicJob:
    """A job and how often it runs."""

    name: str
    body: JobBody
    interval_s: float = 3600.0


def context_now(settings: Any = None) -> JobContext:
    """A context on the current clock (the system clock outside a service runtime)."""
    clock = current()
    now = clock.now()
    return JobContext(today=now.date(), now=now, settings=settings, clock=clock)


JOB_RUN_TABLE = "job_run"
#: How much of a failure's message is kept.
_ERROR_CHARS = 2000


def job_run_table(metadata: sa.MetaData) -> sa.Table:
    """Define ``job_run`` in ``metadata`` (once per service): each job's last run."""
    return sa.Table(
        JOB_RUN_TABLE,
        metadata,
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("ran_at", AwareDateTime(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("items", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("succeeded_at", AwareDateTime(), nullable=True),
    )


@dataclass(frozen=True)
class LastRun:
    """A job's last run, as its ``job_run`` row keeps it."""

    ran_at: datetime
    duration_ms: int
    #: What it reported; None when it failed.
    items: int | None
    #: Why it failed; None when it succeeded.
    error: str | None
    #: When it last succeeded (this run, or an earlier one).
    succeeded_at: datetime | None


async def _record(
    session: AsyncSession,
    table: sa.Table,
    name: str,
    *,
    ran_at: datetime,
    duration_ms: int,
    items: int | None,
    error: str | None,
) -> None:
    values: dict[str, Any] = {
        "ran_at": ran_at,
        "duration_ms": duration_ms,
        "items": items,
        "error": error,
    }
    if error is None:
        values["succeeded_at"] = ran_at
    found = await session.execute(sa.select(table.c.name).where(table.c.name == name))
    if found.first() is None:
        await session.execute(sa.insert(table).values(name=name, **values))
    else:
        await session.execute(sa.update(table).where(table.c.name == name).values(**values))


async def last_runs(db: Database, table: sa.Table) -> dict[str, LastRun]:
    """Every job's last run, by name (a job never run has none)."""
    async with db.session() as session:
        rows = (await session.execute(sa.select(table))).mappings().all()
    return {
        row["name"]: LastRun(
            ran_at=row["ran_at"],
            duration_ms=row["duration_ms"],
            items=row["items"],
            error=row["error"],
            succeeded_at=row["succeeded_at"],
        )
        for row in rows
    }


async def run_once(
    db: Database,
    job: PeriodicJob,
    service: str,
    context: JobContext | None = None,
    *,
    runs: sa.Table | None = None,
) -> int:
    """Run ``job`` once, serialised across processes; what it reports. With ``runs`` (the
    service's ``job_run`` table), the run is remembered there: in the job's transaction when it
    succeeds, in one of its own when it fails (then the error is raised again)."""
    context = context or context_now()
    started = time.monotonic()
    try:
        with using(context.clock):
            async with db.session() as session:
                await db.lock(session, f"{service}:job:{job.name}")
                done = await job.body(session, context)
                if runs is not None:
                    await _record(
                        session,
                        runs,
                        job.name,
                        ran_at=context.now,
                        duration_ms=int((time.monotonic() - started) * 1000),
                        items=done,
                        error=None,
                    )
    except Exception as exc:
        if runs is not None:
            with contextlib.suppress(Exception):  # the job's own failure is what matters
                async with db.session() as session:
                    await _record(
                        session,
                        runs,
                        job.name,
                        ran_at=context.now,
                        duration_ms=int((time.monotonic() - started) * 1000),
                        items=None,
                        error=f"{type(exc).__name__}: {exc}"[:_ERROR_CHARS],
                    )
        raise
    if done:
        logger.info("job %s: %d item(s)", job.name, done)
    return done


async def run_periodically(
    db: Database,
    jobs: tuple[PeriodicJob, ...],
    service: str,
    stop: asyncio.Event,
    context: Callable[[], JobContext] = context_now,
    *,
    runs: sa.Table | None = None,
) -> None:
    """Run every job at its interval until ``stop`` (a failed run is logged and retried later);
    with ``runs``, each run is remembered there."""

    async def loop(job: PeriodicJob) -> None:
        while not stop.is_set():
            try:
                await run_once(db, job, service, context(), runs=runs)
            except Exception:
                logger.exception("job %s failed; next run in %ss", job.name, job.interval_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=job.interval_s)

    await asyncio.gather(*(loop(job) for job in jobs))
