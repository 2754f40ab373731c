"""The simulated certification body's own clock: the one place the simulator reads the wall clock.

The simulator stands for an outside system, so it keeps its own time (it cannot use the
platform's ``cap_shared.clock``): webhook timestamps are real time, as receivers check them
against theirs; audit dates and decision dates default to its own today.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """The body's time, UTC."""
    return datetime.now(UTC)


def today() -> date:
    """The body's date (UTC)."""
    return now().date()
