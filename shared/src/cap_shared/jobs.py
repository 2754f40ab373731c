"""Periodic jobs of a service (overdue detection, expiry reminders...), run by its worker.

Each job is a function of a session and a :class:`JobContext` (the runtime's clock and
settings), and must be idempotent: it may run again after a crash, and several workers may be
running. The job's own bookkeeping (e.g. "reminder sent for this due date") keeps a second run
from repeating its effects.

Replicas: every worker of a service runs the same loop (:func:`run_periodically`), and the job
runs **once per interval** across them, not once per worker. Each periodic attempt
(:func:`run_due`) opens a transaction and takes a *non-blocking* transaction-scoped advisory
lock (``pg_try_advisory_xact_lock``): if another replica holds it, the attempt is skipped (that
replica is running the job). Holding the lock, it reads the job's ``job_run`` row and skips
when the job last succeeded less than its interval ago on the service clock (when the lock was
taken: a replica that waited for another's commit on SQLite sees that run as recent; a success recorded *after* ``now`` — a clock moved back — does not count, so a clock
put back never silences a job). The run and its record commit in that same transaction, which
is what releases the lock, so the next replica to take it sees the record. On SQLite (one
process) the database serialises the transactions and the record check does the rest.

An operator's "run now" (:func:`run_once`, ``POST /ops/jobs/<name>/runs``) always runs: it
*waits* for a run in progress (the blocking ``pg_advisory_xact_lock``) and then runs again,
whatever the last run was; its success counts as the interval's run for the workers.

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
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared import telemetry
from cap_shared.actor import acting_as, running_job
from cap_shared.clock import Clock, current, using
from cap_shared.db.session import Database
from cap_shared.db.types import AwareDateTime
from cap_shared.logging import job_logging
from cap_shared.metrics import JOB_LAST_SUCCESS, JOB_RUNS, JOB_SECONDS

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
    """Run ``job`` once now, serialised across processes (it waits for a run in progress);
    what it reports. With ``runs`` (the service's ``job_run`` table), the run is remembered
    there: in the job's transaction when it succeeds, in one of its own when it fails (then the
    error is raised again)."""
    done = await _run(db, job, service, context or context_now(), runs, periodic=False)
    assert done is not None  # a run now is never skipped
    return done


async def run_due(
    db: Database,
    job: PeriodicJob,
    service: str,
    context: JobContext | None = None,
    *,
    runs: sa.Table | None = None,
) -> int | None:
    """One periodic attempt of ``job``: what it reports, or None when it was skipped because
    another process is running it or (with ``runs``) it succeeded less than its interval ago on
    the context's clock. Several replicas calling this run the job once per interval."""
    return await _run(db, job, service, context or context_now(), runs, periodic=True)


async def _ran_recently(
    session: AsyncSession, runs: sa.Table, job: PeriodicJob, now: datetime
) -> bool:
    """Whether ``job`` succeeded within its interval before ``now`` (not after it)."""
    found = await session.execute(sa.select(runs.c.succeeded_at).where(runs.c.name == job.name))
    succeeded_at: datetime | None = found.scalar_one_or_none()
    if succeeded_at is None:
        return False
    return now - timedelta(seconds=job.interval_s) < succeeded_at <= now


async def _run(
    db: Database,
    job: PeriodicJob,
    service: str,
    context: JobContext,
    runs: sa.Table | None,
    *,
    periodic: bool,
) -> int | None:
    started = time.monotonic()
    lock = f"{service}:job:{job.name}"
    try:
        with (
            using(context.clock),
            acting_as(running_job(job.name)),
            job_logging(job.name),
            _span(job, service),
        ):
            async with db.session() as session:
                if not periodic:
                    await db.lock(session, lock)
                elif not await db.try_lock(session, lock):
                    logger.debug("job %s: running elsewhere, skipped", job.name)
                    JOB_RUNS.labels(service, job.name, "skipped").inc()
                    return None
                elif runs is not None and await _ran_recently(
                    # The time the lock was taken: on SQLite the transaction may have waited
                    # for another replica's run to commit, after the context was made.
                    session,
                    runs,
                    job,
                    max(context.now, context.clock.now()),
                ):
                    logger.debug("job %s: ran less than %ss ago, skipped", job.name, job.interval_s)
                    JOB_RUNS.labels(service, job.name, "skipped").inc()
                    return None
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
        JOB_RUNS.labels(service, job.name, "failed").inc()
        JOB_SECONDS.labels(service, job.name).observe(time.monotonic() - started)
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
    JOB_RUNS.labels(service, job.name, "ran").inc()
    JOB_SECONDS.labels(service, job.name).observe(time.monotonic() - started)
    JOB_LAST_SUCCESS.labels(service, job.name).set(context.now.timestamp())
    if done:
        logger.info("job %s: %d item(s)", job.name, done, extra={"job": job.name})
    return done


def _span(job: PeriodicJob, service: str) -> contextlib.AbstractContextManager[object]:
    """Tracing on: the span ``job <name>`` of one attempt (periodic: a trace of its own; run
    now: a child of the operator's request); the events the job records belong to it."""
    if not telemetry.enabled():
        return contextlib.nullcontext()
    return telemetry.tracer().start_as_current_span(
        f"job {job.name}",
        attributes={"cap.job": job.name, "cap.service": service, "service": service},
    )


async def run_periodically(
    db: Database,
    jobs: tuple[PeriodicJob, ...],
    service: str,
    stop: asyncio.Event,
    context: Callable[[], JobContext] = context_now,
    *,
    runs: sa.Table | None = None,
) -> None:
    """Attempt every job at its interval until ``stop`` (:func:`run_due`: skipped when another
    replica runs it or ran it within the interval; a failed run is logged and retried later);
    with ``runs``, each run is remembered there."""

    async def loop(job: PeriodicJob) -> None:
        while not stop.is_set():
            try:
                await run_due(db, job, service, context(), runs=runs)
            except Exception:
                logger.exception(
                    "job %s failed; next run in %ss",
                    job.name,
                    job.interval_s,
                    extra={"job": job.name},
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=job.interval_s)

    await asyncio.gather(*(loop(job) for job in jobs))
