"""Operator routes every service and the gateway have (administrators only): dead letters, the
outbox, the periodic jobs (list, run one now) and the process's clock.

Running a job now is an operation like any other: jobs are idempotent and serialised across
processes (:mod:`cap_shared.jobs`), so a run here only brings the next one forward. Moving the
clock is for development and test environments only (journeys, demos: "the follow-up audit is
now overdue"); it moves the clock of the process that serves the request, i.e. of the API
process, and the jobs run through these routes run on it. A worker process keeps its own clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from cap_shared.deadletters import DeadLetterList, DeadLetterPublic
from cap_shared.deps import RuntimeDep
from cap_shared.jobs import run_once
from cap_shared.messaging import BrokerUnavailable, PublishFailed
from cap_shared.problems import Forbidden, NotFound, ServiceUnavailable
from cap_shared.security import Allow, Role

#: How far the clock may be moved either way (a certification cycle is three years).
MAX_CLOCK_OFFSET = timedelta(days=3660)


class JobPublic(BaseModel):
    """A periodic job of this service."""

    name: str
    interval_s: float = Field(description="How often the worker runs it")


class JobRun(BaseModel):
    """What one run of a job did."""

    job: str
    items: int = Field(description="What the job reports: items it changed or sent")
    ran_at: datetime = Field(description="The time it ran with (this process's clock)")


class ClockPublic(BaseModel):
    """The time this process reasons with."""

    now: datetime
    today: date
    offset: timedelta = Field(description="Shift from the wall clock (ISO 8601 duration)")
    adjustable: bool = Field(description="Whether the clock may be moved (development, test)")


class ClockIn(BaseModel):
    """Where to put this process's clock: an offset from the wall clock."""

    model_config = ConfigDict(extra="forbid")

    offset: timedelta = Field(
        description="Shift from the wall clock, ISO 8601 duration (P45D, -PT2H) or seconds; "
        "PT0S puts the clock back",
        le=MAX_CLOCK_OFFSET,
        ge=-MAX_CLOCK_OFFSET,
    )


class ClockNotAdjustable(Forbidden):
    """The clock is the wall clock outside development and test."""

    code, title = "clock-not-adjustable", "The clock cannot be moved here"


def ops_router(*, prefix: str = "/ops", clock_adjustable: bool = False) -> APIRouter:
    """Operator routes: dead letters (list, show, replay), outbox status, jobs and clock.

    ``clock_adjustable``: whether ``PUT /clock`` may move the clock (development and test)."""
    router = APIRouter(prefix=prefix, tags=["ops"], dependencies=[Depends(Allow(Role.ADMIN))])

    @router.get("/dead-letters", response_model=DeadLetterList)
    async def list_dead_letters(
        rt: RuntimeDep,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        include_replayed: bool = False,
    ) -> DeadLetterList:
        """Dead-lettered messages of this service, newest first, with the reason."""
        return await rt.dead_letters.list(limit=limit, include_replayed=include_replayed)

    @router.get("/dead-letters/{dead_letter_id}", response_model=DeadLetterPublic)
    async def read_dead_letter(rt: RuntimeDep, dead_letter_id: str) -> DeadLetterPublic:
        """One dead letter with its headers and body."""
        return await rt.dead_letters.get(dead_letter_id)

    @router.post("/dead-letters/{dead_letter_id}/replay", response_model=DeadLetterPublic)
    async def replay_dead_letter(rt: RuntimeDep, dead_letter_id: str) -> DeadLetterPublic:
        """Send a dead letter back to this service's queue (after fixing its cause)."""
        try:
            await rt.ensure_broker()
            return await rt.dead_letters.replay(dead_letter_id)
        except (BrokerUnavailable, PublishFailed) as exc:
            raise ServiceUnavailable(f"the broker is unavailable: {exc}") from exc

    @router.get("/outbox")
    async def outbox_status(rt: RuntimeDep) -> dict[str, Any]:
        """Unpublished events, age of the oldest, and events failing to publish."""
        return await rt.relay.status()

    @router.get("/jobs", response_model=list[JobPublic])
    async def list_jobs(rt: RuntimeDep) -> list[JobPublic]:
        """The periodic jobs of this service and how often its worker runs them."""
        return [JobPublic(name=j.name, interval_s=j.interval_s) for j in rt.jobs]

    @router.post("/jobs/{name}/runs", response_model=JobRun)
    async def run_job(rt: RuntimeDep, name: str) -> JobRun:
        """Run a job once now, on this process's clock (it waits for a run in progress)."""
        job = next((j for j in rt.jobs if j.name == name), None)
        if job is None:
            raise NotFound(
                f"no job {name!r} in the {rt.name} service",
                extensions={"jobs": [j.name for j in rt.jobs]},
            )
        context = rt.job_context()
        items = await run_once(rt.db, job, rt.name, context)
        return JobRun(job=name, items=items, ran_at=context.now)

    def clock_of(rt: RuntimeDep) -> ClockPublic:
        now = rt.clock.now()
        return ClockPublic(
            now=now, today=now.date(), offset=rt.clock.offset, adjustable=clock_adjustable
        )

    @router.get("/clock", response_model=ClockPublic)
    async def read_clock(rt: RuntimeDep) -> ClockPublic:
        """The time this process reasons with (due dates, overdue detection, expiry)."""
        return clock_of(rt)

    @router.put("/clock", response_model=ClockPublic, responses={403: {}, 422: {}})
    async def set_clock(rt: RuntimeDep, data: ClockIn) -> ClockPublic:
        """Shift this process's clock from the wall clock (development and test only): what
        was due by then becomes due, on the next run of the jobs."""
        if not clock_adjustable:
            raise ClockNotAdjustable(
                f"the {rt.name} service runs on the wall clock outside development and test"
            )
        rt.clock.offset = data.offset
        return clock_of(rt)

    return router
