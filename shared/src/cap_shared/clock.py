"""The time a service reasons with, and the one place the wall clock is read.

Two kinds of time, never mixed:

* **Service time** — what business rules, jobs, event handlers and record timestamps reason with:
  due dates, deadlines, eligibility windows, expiry, ``created_at``. It is the service runtime's
  :class:`Clock`: the wall clock in production, shifted on purpose in development and tests
  (``PUT /v1/ops/<service>/clock``, ``clock.set(...)``). The runtime installs its clock around
  everything it runs — each API request (:class:`ClockMiddleware`), each consumed event, each
  job — so code deep in a call chain reads it with :func:`now` / :func:`today`; code that is
  handed a ``Clock`` uses it directly.
* **Real time** — what protocols and infrastructure measure against *other* processes' wall
  clocks: token ``iat``/``exp`` and their refresh tokens, signing-key rotation, webhook
  timestamps (receivers reject a signature five minutes off), outbox and retry timing, broker
  headers, rate-limit windows. Those read :func:`wall_now` / :func:`wall_timestamp`, so a service
  whose clock is moved a year ahead still signs tokens other services accept.

This module is the only one that reads the wall clock: ruff's banned-API rule (TID251, in
``pyproject.toml``) refuses ``datetime.now``, ``datetime.utcnow``, ``date.today`` and
``time.time`` anywhere else. Durations are measured with ``time.monotonic``/``perf_counter``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from typing import Any


def wall_now() -> datetime:
    """Real time, UTC (protocols and infrastructure only; business rules use :func:`now`)."""
    return datetime.now(UTC)


def wall_timestamp() -> float:
    """Real time as POSIX seconds (what JWT libraries and rate limiters compare with)."""
    return time.time()


class Clock:
    """A service's time: the wall clock in UTC plus an offset (zero in production)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        """Now, in UTC, shifted by the offset."""
        return wall_now() + self.offset

    def today(self) -> date:
        """Today's date in UTC, shifted by the offset."""
        return self.now().date()

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward (or back) by ``delta``."""
        self.offset += delta

    def set(self, instant: datetime) -> None:
        """Put the clock at ``instant`` (aware); it runs on from there."""
        if instant.tzinfo is None:
            raise ValueError("a clock is set to an aware datetime")
        self.offset = instant - wall_now()


#: The clock of code that runs outside any service runtime (scripts, a bare handler call).
SYSTEM = Clock()

_current: ContextVar[Clock | None] = ContextVar("cap_clock", default=None)


def current() -> Clock:
    """The clock of the service running this code (the system clock outside any)."""
    return _current.get() or SYSTEM


def now() -> datetime:
    """The current service's time, UTC."""
    return current().now()


def today() -> date:
    """The current service's date (UTC)."""
    return current().today()


@contextmanager
def using(clock: Clock | None) -> Iterator[None]:
    """Run the block on ``clock`` (a service runtime's); ``None`` leaves the current one."""
    if clock is None:
        yield
        return
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)


class ClockMiddleware:
    """Pure ASGI middleware: every request of a service's app runs on that service's clock."""

    def __init__(self, app: Any, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Serve the request on this middleware's clock."""
        with using(self.clock):
            await self.app(scope, receive, send)
