"""Periodic jobs on several replicas: every worker runs the same loop, the job runs once per
interval across them (a non-blocking advisory lock, then the ``job_run`` record on the service
clock); an operator's "run now" still runs, after a run in progress."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.clock import Clock, wall_now
from cap_shared.db.session import Database
from cap_shared.jobs import JobContext, PeriodicJob, run_due, run_once, run_periodically
from cap_shared.testing import toy

RUNS = toy.tables.job_runs


@dataclass
class Recorder:
    """A job body that takes ``duration`` seconds and records who ran it and when (monotonic
    start and end, and the service time it ran with)."""

    duration: float = 0.0
    runs: list[tuple[str, float, float, datetime]] = field(default_factory=list)

    def body(self, replica: str) -> Callable[[AsyncSession, JobContext], Any]:
        async def run(session: AsyncSession, context: JobContext) -> int:
            started = time.monotonic()
            await asyncio.sleep(self.duration)
            self.runs.append((replica, started, time.monotonic(), context.now))
            return 1

        return run


def at(now: datetime) -> JobContext:
    """A job context whose clock says ``now``."""
    clock = Clock(now - wall_now())
    return JobContext(today=now.date(), now=now, settings=None, clock=clock)


@pytest.fixture(params=["postgresql", "sqlite"])
async def replicas(
    request: pytest.FixtureRequest, make_database: Callable[..., Any]
) -> AsyncIterator[tuple[Database, Database]]:
    """Two processes' connections to one service database (separate engines and pools)."""
    db = await make_database(request.param, "toy", None, toy.metadata)
    other = Database(db.url, pool_size=2, max_overflow=1)
    try:
        yield db, other
    finally:
        await other.dispose()


async def test_two_replicas_racing_run_the_job_once_then_skip_within_the_interval(
    replicas: tuple[Database, Database],
) -> None:
    a, b = replicas
    recorder = Recorder(duration=0.3)
    job_a = PeriodicJob("reminders", recorder.body("a"), interval_s=3600)
    job_b = PeriodicJob("reminders", recorder.body("b"), interval_s=3600)
    now = wall_now()
    # Both replicas' attempts at the same instant: one runs, the other skips (the lock is held
    # on PostgreSQL; on SQLite it waits for the commit, then finds the fresh record).
    done = await asyncio.gather(
        run_due(a, job_a, "toy", at(now), runs=RUNS),
        run_due(b, job_b, "toy", at(now + timedelta(milliseconds=5)), runs=RUNS),
    )
    assert sorted(done, key=lambda d: d is None) == [1, None], done
    assert len(recorder.runs) == 1
    # Later within the interval, on either replica: skipped (it ran 59 minutes ago).
    assert await run_due(b, job_b, "toy", at(now + timedelta(minutes=59)), runs=RUNS) is None
    assert await run_due(a, job_a, "toy", at(now + timedelta(minutes=59)), runs=RUNS) is None
    assert len(recorder.runs) == 1
    # One interval later: it runs again, once.
    later = now + timedelta(hours=1, seconds=1)
    done = await asyncio.gather(
        run_due(a, job_a, "toy", at(later), runs=RUNS),
        run_due(b, job_b, "toy", at(later), runs=RUNS),
    )
    assert sorted(done, key=lambda d: d is None) == [1, None], done
    assert len(recorder.runs) == 2


async def test_an_operators_run_now_always_runs_after_a_run_in_progress(
    replicas: tuple[Database, Database],
) -> None:
    a, b = replicas
    recorder = Recorder(duration=0.4)
    now = wall_now()
    job_a = PeriodicJob("reminders", recorder.body("worker"), interval_s=3600)
    job_b = PeriodicJob("reminders", recorder.body("operator"), interval_s=3600)
    worker = asyncio.create_task(run_due(a, job_a, "toy", at(now), runs=RUNS))
    await asyncio.sleep(0.1)  # the worker's run is under way
    assert await run_once(b, job_b, "toy", at(now + timedelta(seconds=1)), runs=RUNS) == 1
    assert await worker == 1
    (first, _, first_end, _), (second, second_start, _, _) = recorder.runs
    assert (first, second) == ("worker", "operator")
    assert second_start >= first_end, "the run now waited for the run in progress"
    # Run now again, within the interval: it still runs (it is an operator's order).
    assert await run_once(b, job_b, "toy", at(now + timedelta(seconds=2)), runs=RUNS) == 1
    assert len(recorder.runs) == 3
    # ...and its success counts as the interval's run for the workers.
    assert await run_due(a, job_a, "toy", at(now + timedelta(minutes=30)), runs=RUNS) is None
    assert len(recorder.runs) == 3


async def test_a_success_recorded_ahead_of_the_clock_does_not_silence_the_job(
    replicas: tuple[Database, Database],
) -> None:
    a, b = replicas
    recorder = Recorder()
    job = PeriodicJob("reminders", recorder.body("a"), interval_s=3600)
    now = wall_now()
    # An operator ran it on a clock moved a year ahead, then put the clock back.
    assert await run_once(a, job, "toy", at(now + timedelta(days=365)), runs=RUNS) == 1
    assert await run_due(b, job, "toy", at(now), runs=RUNS) == 1
    assert len(recorder.runs) == 2


async def test_a_failed_run_does_not_count_as_the_intervals_run(
    replicas: tuple[Database, Database],
) -> None:
    a, b = replicas
    recorder = Recorder()

    async def broken(session: AsyncSession, context: JobContext) -> int:
        raise RuntimeError("the plans table is locked")

    now = wall_now()
    with pytest.raises(RuntimeError):
        await run_due(a, PeriodicJob("reminders", broken), "toy", at(now), runs=RUNS)
    job = PeriodicJob("reminders", recorder.body("b"), interval_s=3600)
    assert await run_due(b, job, "toy", at(now + timedelta(seconds=1)), runs=RUNS) == 1


async def test_two_looping_replicas_run_the_job_once_per_interval(
    replicas: tuple[Database, Database],
) -> None:
    """Both replicas' loops (as two workers run them) for ~3.3 intervals: the runs are at least
    one interval apart on the service clock, and there are 3 or 4 of them, not 7 or 8."""
    a, b = replicas
    recorder = Recorder(duration=0.05)
    interval = 0.6
    stop = asyncio.Event()
    clock = Clock()

    def context() -> JobContext:
        now = clock.now()
        return JobContext(today=now.date(), now=now, settings=None, clock=clock)

    loops = [
        asyncio.create_task(
            run_periodically(
                db,
                (PeriodicJob("reminders", recorder.body(name), interval_s=interval),),
                "toy",
                stop,
                context,
                runs=RUNS,
            )
        )
        for name, db in (("a", a), ("b", b))
    ]
    await asyncio.sleep(interval * 3.3)
    stop.set()
    await asyncio.gather(*loops)
    times = [ran_with for _, _, _, ran_with in recorder.runs]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert 3 <= len(times) <= 4, recorder.runs
    assert min(gaps) >= interval, gaps
