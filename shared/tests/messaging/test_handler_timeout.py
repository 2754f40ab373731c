"""The handler timeout (``consumer_handler_timeout_s``) is a hard deadline for the delivery.

It must settle the delivery (delayed retry + ack) before the broker's own consumer timeout would
close the channel, so it cannot wait for a cancelled handler that takes long to unwind
(tests/faults/test_rabbitmq_faults.py::test_m11_* shows the broker side on a real node).
"""

from __future__ import annotations

import asyncio
import time

from cap_shared.messaging import Delivery
from cap_shared.messaging.base import Outcome, run_handler
from cap_shared.testing.messaging import message, spec, wait_until


def _delivery(attempt: int = 1) -> Delivery:
    return Delivery(
        body=b"{}",
        routing_key="k",
        message_id="m1",
        correlation_id=None,
        headers={},
        redelivered=False,
        attempt=attempt,
        queue="q",
    )


class SlowToUnwind:
    """Never finishes in time, and takes ``unwind_s`` to give up once cancelled."""

    def __init__(self, unwind_s: float) -> None:
        self.unwind_s = unwind_s
        self.unwound = asyncio.Event()

    async def __call__(self, _delivery: Delivery) -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            await asyncio.sleep(self.unwind_s)
            self.unwound.set()
            raise


async def test_the_timeout_decides_at_its_deadline_not_when_the_handler_has_unwound() -> None:
    handler = SlowToUnwind(unwind_s=3.0)
    started = time.monotonic()
    decision = await run_handler(spec(handler_timeout=0.3), handler, _delivery())
    elapsed = time.monotonic() - started
    assert decision.outcome is Outcome.RETRY
    assert decision.reason == "handler timed out"
    assert elapsed < 1.5  # not 3.3 s
    assert not handler.unwound.is_set()  # still unwinding on its own...
    await asyncio.wait_for(handler.unwound.wait(), 5)  # ...and it does finish


async def test_a_handler_that_returns_or_raises_in_time_is_unaffected() -> None:
    async def fine(_d: Delivery) -> None:
        await asyncio.sleep(0.01)

    async def broken(_d: Delivery) -> None:
        raise ValueError("boom")

    assert (await run_handler(spec(), fine, _delivery())).outcome is Outcome.ACK
    failed = await run_handler(spec(), broken, _delivery())
    assert failed.outcome is Outcome.RETRY
    assert failed.reason == "ValueError: boom"


async def test_stopping_the_consumer_cancels_the_handler() -> None:
    handler = SlowToUnwind(unwind_s=0.0)
    task = asyncio.create_task(run_handler(spec(handler_timeout=30), handler, _delivery()))
    await asyncio.sleep(0.1)
    task.cancel()
    await asyncio.wait_for(handler.unwound.wait(), 2)


async def test_on_both_brokers_a_slow_unwinding_handler_is_retried_without_waiting(broker) -> None:
    """The retry of a timed-out delivery arrives while its first handler is still unwinding."""
    attempts: list[tuple[int, float]] = []
    slow = SlowToUnwind(unwind_s=4.0)

    async def handler(delivery: Delivery) -> None:
        attempts.append((delivery.attempt, time.monotonic()))
        if delivery.attempt == 1:
            await slow(delivery)

    await broker.consume(spec(handler_timeout=0.3, retry_delays=(0.05,)), handler)
    started = time.monotonic()
    await broker.publish(message())
    await wait_until(lambda: len(attempts) == 2, timeout=10)
    assert [a for a, _ in attempts] == [1, 2]
    assert attempts[1][1] - started < 3.0  # the first handler still had a second to unwind
