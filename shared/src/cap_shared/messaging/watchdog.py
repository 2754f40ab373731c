"""A watchdog over a broker's consumers, each one still subscribed on an open channel, and over
its publishing channel, still open.

aio-pika's robust connection reconnects (to the next node of a cluster) and restores every
channel and consumer it knew. The restore of one channel can fail once and never be retried: a
channel's close callback that runs late, after the reconnection, reopens the channel itself, and
when that reopen raises (aio-pika logs ``Callback <OneShotCallback: cb=RobustChannel._on_close>
error: RuntimeError: ... closed``) the channel stays closed. Nothing else would notice: the
connection is up, the other channels work, and the queue has no consumer from this process, a
silent stall (aio-pika issues #231, #563, #668 are of that kind). The publishing channel fails
the same way: every publish then raises ``BrokerUnavailable`` until the process restarts.

:class:`ConsumerWatchdog` checks everything it watches (:class:`Watched`: each consumer, the
publishing channel) after each reconnection and then every ``interval`` seconds while the
connection is up; one seen not working on two checks ``grace`` seconds apart is restored on a
new channel (:meth:`Watched.restore`: a consumer subscribed again, the publishing channel reopened
with its exchanges), with a warning and a counter (:meth:`Watched.restored`:
``cap_event_consumers_restored_total{queue}``, ``cap_broker_publisher_restored_total``). A
restore that fails is tried again after a delay doubling up to ``max_backoff``; while the
connection is down nothing is checked (aio-pika's reconnection is at work).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)


class Watched(Protocol):
    """What the watchdog looks after: a consumer, or the broker's publishing channel."""

    @property
    def watched(self) -> str:
        """What it is, in the watchdog's warnings (``consumer of <queue>``)."""
        ...

    def working(self) -> bool:
        """Its channel open (a consumer's subscribed on it); or nothing to look after
        (cancelled, closed)."""
        ...

    def counted(self, on: bool) -> None:
        """Count it, or not, in its gauge (a consumer in ``cap_event_consumers``)."""
        ...

    async def restore(self) -> bool:
        """Reopen it on a new channel unless it works again by now; True when it did. Raises
        when it could not."""
        ...

    def restored(self) -> None:
        """Report a restore :meth:`restore` did: its warning and its counter."""
        ...


@dataclass
class _Suspect:
    strikes: int = 0
    failures: int = 0
    not_before: float = 0.0


class ConsumerWatchdog:
    """Looks after ``consumers()`` (each consumer, and the publishing channel) while
    ``connected()`` says the connection is up."""

    def __init__(
        self,
        consumers: Callable[[], Sequence[Watched]],
        *,
        connected: Callable[[], bool],
        interval: float = 5.0,
        grace: float = 1.0,
        max_backoff: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.consumers = consumers
        self.connected = connected
        self.interval = interval
        self.grace = min(grace, interval)
        self.max_backoff = max_backoff
        self.clock = clock
        self._suspects: dict[int, _Suspect] = {}
        self._kicked = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def kick(self) -> None:
        """Check soon (after a reconnection)."""
        self._kicked.set()

    def start(self) -> None:
        """Run in the background until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run(), name="cap-watchdog")

    async def stop(self) -> None:
        """Stop the background checks."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        """Check after every kick, every ``interval``, and every ``grace`` while one is
        suspect; never in a tighter loop than ``grace``."""
        while True:
            delay = self.grace if self._suspects else self.interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kicked.wait(), timeout=delay)
            if self._kicked.is_set():
                self._kicked.clear()
                await asyncio.sleep(self.grace)  # aio-pika's own restore first
            try:
                await self.check()
            except Exception:  # the watchdog must outlive any surprise
                logger.exception("broker watchdog check failed")

    async def check(self) -> int:
        """One pass; how many were restored."""
        if not self.connected():
            return 0  # down: aio-pika reconnects; look again once it is back
        restored = 0
        watched = list(self.consumers())
        alive = {id(c) for c in watched}
        for key in list(self._suspects):
            if key not in alive:
                del self._suspects[key]
        for entry in watched:
            key = id(entry)
            if entry.working():
                self._suspects.pop(key, None)
                continue
            suspect = self._suspects.setdefault(key, _Suspect())
            suspect.strikes += 1
            if suspect.strikes < 2 or self.clock() < suspect.not_before:
                continue  # give aio-pika's restore its chance; or back off after a failure
            entry.counted(False)
            try:
                done = await entry.restore()
            except Exception as exc:
                suspect.failures += 1
                backoff = min(self.grace * 2**suspect.failures, self.max_backoff)
                suspect.not_before = self.clock() + backoff
                logger.warning(
                    "%s not working and could not be restored (%s: %s); next try in %.1fs",
                    entry.watched,
                    type(exc).__name__,
                    exc,
                    backoff,
                )
                continue
            del self._suspects[key]
            entry.counted(True)
            if done:
                restored += 1
                entry.restored()
        return restored
