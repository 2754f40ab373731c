"""Operator routes every service and the gateway have (administrators only): dead letters, the
outbox, the periodic jobs (list, run one now), the process's clock and the audit trail (read,
filter, verify: docs/audit-trail.md).

Running a job now is an operation like any other: jobs are idempotent and serialised across
processes (:mod:`cap_shared.jobs`), so a run here only brings the next one forward. Moving the
clock is for development and test environments only (journeys, demos: "the follow-up audit is
now overdue"); it moves the clock of the process that serves the request, i.e. of the API
process, and the jobs run through these routes run on it. A worker process keeps its own clock.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)

from cap_shared.audit.chain import list_entries, verify_log
from cap_shared.audit.public import AuditEntryList, AuditEntryPublic, AuditVerificationPublic
from cap_shared.deadletters import DeadLetterList, DeadLetterPublic
from cap_shared.deps import RuntimeDep
from cap_shared.field_errors import FieldError
from cap_shared.jobs import last_runs, run_once
from cap_shared.messaging import BrokerUnavailable, PublishFailed
from cap_shared.pagination import (
    DEFAULT_PAGE_SIZE,
    Keyset,
    Page,
    PageCursor,
    PageLimit,
    field_key,
)
from cap_shared.problems import Forbidden, NotFound, ServiceUnavailable
from cap_shared.security import Allow, Role

#: How far the clock may be moved either way (a certification cycle is three years).
MAX_CLOCK_OFFSET = timedelta(days=3660)
_MAX_S = int(MAX_CLOCK_OFFSET.total_seconds())

# The offsets the clock routes take and give: ISO 8601 durations in days, hours (< 24), minutes
# and seconds (< 60), with a sign. Years, months and weeks are not taken (a year or a month has
# no fixed length, and JSON Schema's ``format: duration`` refuses "P1Y1D"), nor "PT36H": one
# spelling per offset. Patterns use [0-9], never \d (which takes any Unicode digit).
_HMS = (
    r"(?:(?:[01]?[0-9]|2[0-3])H(?:[0-5]?[0-9]M)?(?:[0-5]?[0-9](?:\.[0-9]{1,6})?S)?"
    r"|[0-5]?[0-9]M(?:[0-5]?[0-9](?:\.[0-9]{1,6})?S)?"
    r"|[0-5]?[0-9](?:\.[0-9]{1,6})?S)"
)
#: What ``PUT /clock`` takes as a string: within ±3660 days, exactly (0-3659 days and a time,
#: or 3660 days).
OFFSET_PATTERN = rf"^-?P(?:3660D|(?:[0-9]{{1,3}}|[12][0-9]{{3}}|3[0-5][0-9]{{2}}|36[0-5][0-9])D(?:T{_HMS})?|T{_HMS})$"
#: What ``GET /clock`` gives (the same spelling, any number of days).
DURATION_PATTERN = rf"^-?P(?:[0-9]+D(?:T{_HMS})?|T{_HMS})$"
_PARTS = re.compile(
    r"(?P<sign>-?)P(?:(?P<days>[0-9]+)D)?(?:T(?:(?P<hours>[0-9]+)H)?(?:(?P<minutes>[0-9]+)M)?"
    r"(?:(?P<seconds>[0-9]+(?:\.[0-9]+)?)S)?)?"
)
_OFFSET = re.compile(OFFSET_PATTERN)


def format_duration(value: timedelta) -> str:
    """``value`` as the clock routes spell it: "P45D", "-PT2H", "P1DT1H1M1.5S", "PT0S"."""
    sign = "-" if value < timedelta(0) else ""
    total = abs(value)
    hours, rest = divmod(total.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n) + (
        f"{seconds}.{total.microseconds:06d}".rstrip("0") + "S"
        if total.microseconds
        else (f"{seconds}S" if seconds else "")
    )
    if not total.days and not time:
        return "PT0S"
    return f"{sign}P{f'{total.days}D' if total.days else ''}{f'T{time}' if time else ''}"


def parse_offset(value: object) -> timedelta:
    """A clock offset from JSON: a string of :data:`OFFSET_PATTERN` or a number of seconds
    within ±:data:`MAX_CLOCK_OFFSET`; ValueError (a 422) for anything else."""
    if isinstance(value, str):
        if not _OFFSET.fullmatch(value):
            raise FieldError(
                "an ISO 8601 duration in days, hours, minutes and seconds (P45D, -PT2H, "
                f"P1DT12H), within {MAX_CLOCK_OFFSET.days} days either way",
                "Une durée ISO 8601 en jours, heures, minutes et secondes (P45D, -PT2H, "
                f"P1DT12H), à au plus {MAX_CLOCK_OFFSET.days} jours dans un sens ou l'autre",
            )
        parts = _PARTS.fullmatch(value)
        assert parts is not None  # the pattern above is stricter
        delta = timedelta(
            days=int(parts["days"] or 0),
            hours=int(parts["hours"] or 0),
            minutes=int(parts["minutes"] or 0),
            seconds=float(parts["seconds"] or 0),
        )
        return -delta if parts["sign"] else delta
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or abs(value) > _MAX_S:
            raise FieldError(
                f"a number of seconds within ±{_MAX_S}",
                f"Un nombre de secondes compris dans ±{_MAX_S}",
            )
        return timedelta(seconds=value)
    raise FieldError(
        "an ISO 8601 duration (P45D, -PT2H) or a number of seconds",
        "Une durée ISO 8601 (P45D, -PT2H) ou un nombre de secondes",
    )


#: A clock offset a caller sends: the schema declares exactly what :func:`parse_offset` takes.
OffsetIn = Annotated[
    timedelta,
    PlainValidator(parse_offset),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": OFFSET_PATTERN},
                {"type": "number", "minimum": -_MAX_S, "maximum": _MAX_S},
            ]
        },
        mode="validation",
    ),
]
#: A clock offset in an answer.
OffsetOut = Annotated[
    timedelta,
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN}, mode="serialization"),
]


class JobPublic(BaseModel):
    """A periodic job of this service and its last run (whichever process ran it)."""

    name: str
    interval_s: float = Field(description="How often the worker runs it")
    last_run_at: datetime | None = Field(
        default=None,
        description="When its last run started, on the clock it ran with; null if it never ran",
    )
    last_run_duration_ms: int | None = Field(
        default=None, ge=0, description="How long its last run took"
    )
    last_run_items: int | None = Field(
        default=None, description="What its last run reported; null if it failed or never ran"
    )
    last_run_error: str | None = Field(
        default=None, description="Why its last run failed; null if it succeeded or never ran"
    )
    last_success_at: datetime | None = Field(
        default=None, description="When it last ran without failing; null if it never did"
    )


class JobRun(BaseModel):
    """What one run of a job did."""

    job: str
    items: int = Field(description="What the job reports: items it changed or sent")
    ran_at: datetime = Field(description="The time it ran with (this process's clock)")


class ClockPublic(BaseModel):
    """The time this process reasons with."""

    now: datetime
    today: date
    offset: OffsetOut = Field(description="Shift from the wall clock (ISO 8601 duration)")
    adjustable: bool = Field(description="Whether the clock may be moved (development, test)")


class ClockUpdate(BaseModel):
    """Where to put this process's clock: an offset from the wall clock."""

    model_config = ConfigDict(extra="forbid")

    offset: OffsetIn = Field(
        description="Shift from the wall clock, within 3660 days either way: an ISO 8601 "
        "duration in days, hours, minutes and seconds (P45D, -PT2H, P1DT12H30M; no years, "
        "months or weeks) or a number of seconds; PT0S puts the clock back",
    )


class ClockNotAdjustable(Forbidden):
    """The clock is the wall clock outside development and test."""

    code, title = "clock-not-adjustable", "The clock cannot be moved here"
    title_fr = "L'horloge ne peut pas être déplacée ici"


class OutboxStatus(BaseModel):
    """What waits in this service's outbox."""

    pending: int = Field(ge=0, description="Events not yet published")
    oldest_age_seconds: float = Field(ge=0, description="Age of the oldest of them")
    failing: int = Field(ge=0, description="Of them, events whose last publication failed")


def ops_router(*, prefix: str = "/ops", clock_adjustable: bool = False) -> APIRouter:
    """Operator routes: dead letters (list, show, replay), outbox status, jobs and clock.

    ``clock_adjustable``: whether ``PUT /clock`` may move the clock (development and test)."""
    router = APIRouter(prefix=prefix, tags=["ops"], dependencies=[Depends(Allow(Role.ADMIN))])

    @router.get("/dead-letters", response_model=DeadLetterList)
    async def list_dead_letters(
        rt: RuntimeDep,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
        cursor: PageCursor = None,
        include_replayed: Annotated[
            bool, Query(description="Also the dead letters already replayed")
        ] = False,
    ) -> DeadLetterList:
        """Dead-lettered messages of this service, newest first, with the reason; ``total``
        counts those matching the filter."""
        return await rt.dead_letters.list(
            limit=limit, cursor=cursor, include_replayed=include_replayed
        )

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
            raise ServiceUnavailable(
                f"the broker is unavailable: {exc}",
                detail_fr=f"le courtier de messages est indisponible : {exc}",
            ) from exc

    @router.get("/outbox", response_model=OutboxStatus)
    async def outbox_status(rt: RuntimeDep) -> dict[str, Any]:
        """Unpublished events, age of the oldest, and events failing to publish."""
        return await rt.relay.status()

    @router.get("/jobs", response_model=Page[JobPublic])
    async def list_jobs(
        rt: RuntimeDep, limit: PageLimit = DEFAULT_PAGE_SIZE, cursor: PageCursor = None
    ) -> Page[JobPublic]:
        """The periodic jobs of this service, by name: how often its worker runs them, and their
        last run (when, how long, what it reported or why it failed, the last success)."""
        runs = await last_runs(rt.db, rt.tables.job_runs)
        jobs = []
        for j in rt.jobs:
            last = runs.get(j.name)
            jobs.append(
                JobPublic(
                    name=j.name,
                    interval_s=j.interval_s,
                    last_run_at=last.ran_at if last else None,
                    last_run_duration_ms=last.duration_ms if last else None,
                    last_run_items=last.items if last else None,
                    last_run_error=last.error if last else None,
                    last_success_at=last.succeeded_at if last else None,
                )
            )
        data, next_cursor = Keyset(f"{rt.name}.jobs", field_key("name", str)).slice(
            jobs, cursor=cursor, limit=limit
        )
        return Page[JobPublic](data=data, next_cursor=next_cursor)

    @router.post("/jobs/{name}/runs", response_model=JobRun)
    async def run_job(rt: RuntimeDep, name: str) -> JobRun:
        """Run a job once now, on this process's clock (it waits for a run in progress); the run
        is remembered as the job's last run."""
        job = next((j for j in rt.jobs if j.name == name), None)
        if job is None:
            raise NotFound(
                f"no job {name!r} in the {rt.name} service",
                detail_fr=f"aucune tâche {name!r} dans le service {rt.name}",
                extensions={"jobs": [j.name for j in rt.jobs]},
            )
        context = rt.job_context()
        items = await run_once(rt.db, job, rt.name, context, runs=rt.tables.job_runs)
        return JobRun(job=name, items=items, ran_at=context.now)

    @router.get("/audit-log", response_model=AuditEntryList)
    async def list_audit_log(
        rt: RuntimeDep,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
        cursor: PageCursor = None,
        record_type: Annotated[
            str | None, Query(max_length=64, description="Only this type of record")
        ] = None,
        record_id: Annotated[
            str | None, Query(max_length=200, description="Only this record (with its type)")
        ] = None,
        action: Annotated[
            str | None, Query(max_length=100, description='Only this action ("decision.taken")')
        ] = None,
        actor: Annotated[
            str | None, Query(max_length=200, description='Only this actor ("user:<id>")')
        ] = None,
        since: Annotated[
            AwareDatetime | None, Query(description="Changes at or after this instant")
        ] = None,
        until: Annotated[
            AwareDatetime | None, Query(description="Changes before this instant")
        ] = None,
    ) -> AuditEntryList:
        """This service's audit trail, newest first: who changed which regulated record, when,
        on whose behalf, before and after, with the request and event ids and the chain's
        hashes."""
        async with rt.db.session() as session:
            entries, next_cursor = await list_entries(
                session,
                rt.tables.audit_log,
                service=rt.name,
                limit=limit,
                cursor=cursor,
                record_type=record_type,
                record_id=record_id,
                action=action,
                actor=actor,
                since=since,
                until=until,
            )
        return AuditEntryList(
            data=[AuditEntryPublic.of(e) for e in entries], next_cursor=next_cursor
        )

    @router.get("/audit-log/verification", response_model=AuditVerificationPublic)
    async def verify_audit_log(rt: RuntimeDep) -> AuditVerificationPublic:
        """Recompute this service's hash chain now and compare it with its anchors: every
        entry altered, removed, reordered or truncated, and the first bad one (``intact``
        false); the CLI ``cap-<service> audit-verify`` does the same."""
        async with rt.db.session() as session:
            report = await verify_log(
                session,
                rt.tables.audit_log,
                service=rt.name,
                anchor_dir=rt.settings.audit_anchor_dir,
            )
        return AuditVerificationPublic.of(report)

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
    async def set_clock(rt: RuntimeDep, data: ClockUpdate) -> ClockPublic:
        """Shift this process's clock from the wall clock (development and test only): what
        was due by then becomes due, on the next run of the jobs."""
        if not clock_adjustable:
            raise ClockNotAdjustable(
                f"the {rt.name} service runs on the wall clock outside development and test",
                detail_fr=(
                    f"le service {rt.name} suit l'horloge réelle hors développement et test"
                ),
            )
        rt.clock.offset = data.offset
        return clock_of(rt)

    return router
