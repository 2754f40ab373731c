"""The consumer watchdog's decisions, on fake consumers (no broker): when it resubscribes, when it
waits, how it backs off (cap_shared.messaging.watchdog)."""

from __future__ import annotations

import asyncio
import itertools

from cap_shared.messaging.watchdog import ConsumerWatchdog


class FakeConsumer:
    def __init__(self, queue: str, *, ok: bool = True, fails: int = 0) -> None:
        self.watched = f"consumer of {queue}"
        self.ok = ok
        self.fails = fails  # resubscriptions that raise before one succeeds
        self.attempts = 0
        self.restores = 0
        self.counted_as: list[bool] = []

    def working(self) -> bool:
        return self.ok

    def counted(self, on: bool) -> None:
        self.counted_as.append(on)

    async def restore(self) -> bool:
        self.attempts += 1
        if self.fails:
            self.fails -= 1
            raise ConnectionError("node gone")
        self.ok = True
        return True

    def restored(self) -> None:
        self.restores += 1


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def watchdog(consumers: list[FakeConsumer], up: list[bool] | None = None, **kw: object):  # type: ignore[no-untyped-def]
    state = up if up is not None else [True]
    return ConsumerWatchdog(lambda: consumers, connected=lambda: state[0], **kw)  # type: ignore[arg-type]


async def test_a_consumer_seen_stalled_twice_is_resubscribed_and_counted() -> None:
    stalled, fine = FakeConsumer("wd-a", ok=False), FakeConsumer("wd-b")
    dog = watchdog([stalled, fine])
    assert await dog.check() == 0  # first sight: aio-pika may still be restoring it
    assert stalled.attempts == 0
    assert await dog.check() == 1
    assert stalled.attempts == 1
    assert fine.attempts == 0
    assert stalled.counted_as == [False, True]  # out of cap_event_consumers while stalled
    assert (stalled.restores, fine.restores) == (1, 0)  # its warning and counter, once
    assert await dog.check() == 0  # consuming again: left alone


async def test_a_consumer_that_recovers_on_its_own_is_not_touched() -> None:
    consumer = FakeConsumer("wd-c", ok=False)
    dog = watchdog([consumer])
    await dog.check()
    consumer.ok = True  # aio-pika's restore finished in between
    await dog.check()
    consumer.ok = False  # a new stall starts its count again
    await dog.check()
    assert consumer.attempts == 0


async def test_nothing_is_checked_while_the_connection_is_down() -> None:
    consumer = FakeConsumer("wd-d", ok=False)
    up = [False]
    dog = watchdog([consumer], up)
    for _ in range(5):
        assert await dog.check() == 0
    assert consumer.attempts == 0
    up[0] = True
    await dog.check()
    assert await dog.check() == 1


async def test_a_failing_resubscription_backs_off_doubling_up_to_the_bound() -> None:
    consumer = FakeConsumer("wd-e", ok=False, fails=10)
    clock = Clock()
    dog = watchdog([consumer], grace=1.0, interval=5.0, max_backoff=8.0, clock=clock)
    tried_at: list[float] = []
    for _ in range(60):  # a check every 0.5 s for 30 s
        attempts = consumer.attempts
        await dog.check()
        if consumer.attempts > attempts:
            tried_at.append(clock.now)
        clock.now += 0.5
    gaps = [b - a for a, b in itertools.pairwise(tried_at)]
    assert gaps[:3] == [2.0, 4.0, 8.0]  # grace * 2**failures
    assert all(gap == 8.0 for gap in gaps[3:])  # bounded by max_backoff
    assert len(tried_at) <= 6


async def test_a_cancelled_consumer_leaves_no_state_behind() -> None:
    consumers = [FakeConsumer("wd-f", ok=False)]
    dog = watchdog(consumers)
    await dog.check()
    consumers.clear()
    await dog.check()
    assert dog._suspects == {}


async def test_a_kick_checks_after_the_grace_and_the_loop_is_never_tight() -> None:
    consumer = FakeConsumer("wd-g", ok=False)
    up = [False]
    dog = watchdog([consumer], up, interval=0.2, grace=0.05)
    checks = 0
    check = dog.check

    async def counting() -> int:
        nonlocal checks
        checks += 1
        return await check()

    dog.check = counting  # type: ignore[method-assign]
    dog.start()
    try:
        await asyncio.sleep(1.0)  # down: one check per interval
        assert checks <= 6
        up[0] = True
        dog.kick()
        await asyncio.sleep(0.5)  # kick, grace, check; grace, check: resubscribed
        assert consumer.attempts == 1
    finally:
        await dog.stop()
