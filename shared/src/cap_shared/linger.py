"""When to wait for company: the outbox relay's and the consumer's short linger, only in a stream.

A relay pass or a consumer's transaction costs about as much for one event as for ten, so under a
steady stream of work it pays to wait a few milliseconds after a wake-up for the work close
behind (one claim, one publish, one commit for all of it). For the first event after a quiet
spell nothing is close behind: waiting is pure latency (the 5 ms lingers were about a third of
an event's low-load time across a hop, see docs/benchmarks.md). :class:`Linger` tells the two
apart by one fact: when the new work arrived, against the end of the last run that did work.
Work that arrived while a run was going on, or within ``most`` seconds after it, is a stream and
waits ``most``; work after a longer quiet goes at once, with whatever had already arrived.

Only a delay is decided here: what is published, claimed and committed, and in what order, does
not depend on it.
"""

from __future__ import annotations

import math


class Linger:
    """The linger of one loop (times are the event loop's clock, in seconds)."""

    def __init__(self, most: float) -> None:
        #: The longest wait, in a stream (0: never wait).
        self.most = most
        self._busy_until = -math.inf

    def delay(self, arrived: float) -> float:
        """How long to wait for company before handling work that arrived at ``arrived``."""
        if self.most > 0 and arrived <= self._busy_until + self.most:
            return self.most
        return 0.0

    def worked(self, ended: float) -> None:
        """A run that handled work ended at ``ended``."""
        self._busy_until = ended
