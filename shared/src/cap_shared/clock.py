"""The time a service reasons with: real by default, shifted on purpose in tests and demos.

Due dates, overdue detection and expiry all ask the runtime's clock, never ``datetime.now``
directly, so a journey test can move a service a few months ahead without waiting.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


class Clock:
    """Wall-clock time in UTC, plus an offset (zero in production)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        """Now, in UTC, shifted by the offset."""
        return datetime.now(UTC) + self.offset

    def today(self) -> date:
        """Today's date in UTC, shifted by the offset."""
        return self.now().date()

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward (or back) by ``delta``."""
        self.offset += delta
