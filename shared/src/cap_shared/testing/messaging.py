"""Helpers of the broker contract tests (specs with short delays, recorders, polling)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import uuid4

from cap_shared.messaging import Delivery, OutgoingMessage, QueueSpec

KEY = "test.thing.happened.v1"


def spec(name: str = "svc", bindings: tuple[str, ...] = (KEY,), **overrides: object) -> QueueSpec:
    """A queue with short retry delays so failure paths run in milliseconds."""
    values: dict[str, object] = {
        "name": name,
        "bindings": bindings,
        "delivery_limit": 3,
        "retry_delays": (0.05, 0.1),
        "prefetch": 16,
        "handler_timeout": 5.0,
    }
    values.update(overrides)
    return QueueSpec(**values)  # type: ignore[arg-type]


def message(routing_key: str = KEY, **payload: object) -> OutgoingMessage:
    """A message with a fresh id."""
    return OutgoingMessage(
        routing_key=routing_key,
        body=json.dumps(payload).encode(),
        message_id=str(uuid4()),
        type=routing_key,
    )


@dataclass
class Recorder:
    """A handler that records deliveries and can be told to fail."""

    fail: Callable[[Delivery], BaseException | None] = lambda _d: None
    deliveries: list[Delivery] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    async def __call__(self, delivery: Delivery) -> None:
        """Record a delivery, then fail if told to."""
        self.deliveries.append(delivery)
        self.times.append(time.monotonic())
        error = self.fail(delivery)
        if error is not None:
            raise error

    def ids(self) -> list[str]:
        """The message ids delivered, in order."""
        return [d.message_id or "" for d in self.deliveries]


async def wait_until(
    predicate: Callable[[], bool], timeout: float = 10.0, message: str = "condition"
) -> None:
    """Poll ``predicate`` until true, or fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        await asyncio.sleep(0.01)
