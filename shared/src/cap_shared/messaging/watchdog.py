"""A watchdog over a broker's consumers: each one still subscribed on an open channel.

aio-pika's robust connection reconnects (to the next node of a cluster) and restores every
channel and consumer it knew. The restore of one channel can fail once and never be retried: a
channel's close callback that runs late, after the reconnection, reopens the channel itself, and
when that reopen raises (aio-pika logs ``Callback <OneShotCallback: cb=RobustChannel._on_close>
error: RuntimeError: ... closed``) the channel stays closed. Nothing else would notice: the
connection is up, the other channels work, and the queue has no consumer from this process, a
silent stall (aio-pika issues #231, #563, #668 are of that kind).

:class:`ConsumerWatchdog` checks every consumer after each reconnection and then every
``interval`` seconds while the connection is up; a consumer seen without its subscription on two
checks ``grace`` seconds apart is subscribed again (:meth:`Watched.resubscribe`), with a
warning and ``cap_event_consumers_restored_total{queue}``. A resubscription that fails is tried
again after a delay doubling up to ``max_backoff``; while the connection is down nothing is
checked (aio-pika's reconnection is at work).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from cap_shared import metrics

logger = logging.getLogger(__name__)


class Watched(Protocol):
    """A consumer the watchdog looks after."""

    @property
    def watched_queue(self) -> str:
        """The queue it consumes (its metric label)."""
        ...

    def consuming(self) -> bool:
        """Subscribed, on an open channel (or cancelled: nothing to look after)."""
        ...

    def counted(self, on: bool) -> None:
        """Count it, or not, in ``cap_event_consumers``."""
        ...

    async def resubscribe(self) -> bool:
        """Subscribe again on a new channel (same queue, handler and prefetch) unless it is
        consuming again by now; True when it did. Raises when it could not."""
        ...


@dataclass
class _Suspect:
    strikes: int = 0
    failures: int = 0
    not_before: float = 0.0


class ConsumerWatchdog:
    """Looks after ``consumers()`` while ``connected()`` says the connection is up."""

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
        """Check after every kick, every ``interval``, and every ``grace`` while a consumer is
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
                logger.exception("consumer watchdog check failed")

    async def check(self) -> int:
        """One pass; how many consumers were subscribed again."""
        if not self.connected():
            return 0  # down: aio-pika reconnects; look again once it is back
        restored = 0
        watched = list(self.consumers())
        alive = {id(c) for c in watched}
        for key in list(self._suspects):
            if key not in alive:
                del self._suspects[key]
        for consumer in watched:
            key = id(consumer)
            if consumer.consuming():
                self._suspects.pop(key, None)
                continue
            suspect = self._suspects.setdefault(key, _Suspect())
            suspect.strikes += 1
            if suspect.strikes < 2 or self.clock() < suspect.not_before:
                continue  # give aio-pika's restore its chance; or back off after a failure
            consumer.counted(False)
            try:
                done = await consumer.resubscribe()
            except Exception as exc:
                suspect.failures += 1
                backoff = min(self.grace * 2**suspect.failures, self.max_backoff)
                suspect.not_before = self.clock() + backoff
                logger.warning(
                    "consumer of %s not subscribed and could not subscribe again "
                    "(%s: %s); next try in %.1fs",
                    consumer.watched_queue,
                    type(exc).__name__,
                    exc,
                    backoff,
                )
                continue
            del self._suspects[key]
            consumer.counted(True)
            if done:
                restored += 1
                metrics.EVENT_CONSUMERS_RESTORED.labels(queue=consumer.watched_queue).inc()
                logger.warning(
                    "consumer of %s had lost its channel or subscription and aio-pika did not "
                    "restore it; subscribed again on a new channel",
                    consumer.watched_queue,
                )
        return restored
