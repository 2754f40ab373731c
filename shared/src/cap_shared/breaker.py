"""A circuit breaker for calls to another organisation's system (one per remote endpoint).

Closed: calls go through; ``failure_threshold`` consecutive failures open it. Open: calls are
refused at once (the work stays queued and is retried later) until ``reset_after_s`` has passed;
then one trial call is let through (half-open): success closes it, failure opens it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass
class CircuitBreaker:
    """One remote endpoint's breaker: closed, open, or half-open for one trial call."""

    failure_threshold: int = 5
    reset_after_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    _trial: bool = field(default=False, repr=False)

    @property
    def state(self) -> str:
        """ "closed", "open" or "half_open" (open, and the reset delay has passed)."""
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock() - self.opened_at >= self.reset_after_s else "open"

    def allow(self) -> bool:
        """Whether a call may be made now (the half-open state lets one trial through)."""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self._trial:
            self._trial = True
            return True
        return False

    def success(self) -> None:
        """A call succeeded: close the breaker and forget the failures."""
        self.failures, self.opened_at, self._trial = 0, None, False

    def failure(self) -> None:
        """A call failed: count it, and open the breaker at the threshold or after a failed trial."""
        self.failures += 1
        self._trial = False
        if self.failures >= self.failure_threshold or self.opened_at is not None:
            self.opened_at = self.clock()


@dataclass
class Breakers:
    """One breaker per key (e.g. per certification body)."""

    failure_threshold: int = 5
    reset_after_s: float = 60.0
    #: Seconds that only go forward; a test passes a clock it moves by hand.
    clock: Callable[[], float] = time.monotonic
    _by_key: dict[str, CircuitBreaker] = field(default_factory=dict)

    def for_key(self, key: str) -> CircuitBreaker:
        """The breaker of ``key`` (made on first use)."""
        if key not in self._by_key:
            self._by_key[key] = CircuitBreaker(
                self.failure_threshold, self.reset_after_s, clock=self.clock
            )
        return self._by_key[key]

    def items(self) -> Iterator[tuple[str, CircuitBreaker]]:
        """Every breaker made so far, with its key (what ``cap_breaker_state`` reports)."""
        return iter(list(self._by_key.items()))
