"""Periodic jobs of a service (overdue detection, expiry reminders...), run by its worker.

Each job is a function of a session and a :class:`JobContext` (the runtime's clock and
settings), and must be idempotent: it may run again
after a crash, and several workers may be running. A transaction-scoped advisory lock makes one
worker run a job at a time; the job's own bookkeeping (e.g. "reminder sent for this due date")
keeps a second run from repeating its effects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.clock import Clock, current, using
from cap_shared.db.session import Database

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


async def run_once(
    db: Database, job: PeriodicJob, service: str, context: JobContext | None = None
) -> int:
    """Run ``job`` once, serialised across processes; what it reports."""
    context = context or context_now()
    with using(context.clock):
        async with db.session() as session:
            await db.lock(session, f"{service}:job:{job.name}")
            done = await job.body(session, context)
    if done:
        logger.info("job %s: %d item(s)", job.name, done)
    return done


async def run_periodically(
    db: Database,
    jobs: tuple[PeriodicJob, ...],
    service: str,
    stop: asyncio.Event,
    context: Callable[[], JobContext] = context_now,
) -> None:
    """Run every job at its interval until ``stop`` (a failed run is logged and retried later)."""

    async def loop(job: PeriodicJob) -> None:
        while not stop.is_set():
            try:
                await run_once(db, job, service, context())
            except Exception:
                logger.exception("job %s failed; next run in %ss", job.name, job.interval_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=job.interval_s)

    await asyncio.gather(*(loop(job) for job in jobs))
