"""The broker's own lines about a failing message (held, parked, retried, dead-lettered, the
dead letter recorded) carry its event id, event type and the request that caused it, as its
handler's lines do: on the in-memory broker and on real RabbitMQ."""

from __future__ import annotations

import logging
from dataclasses import replace

from cap_shared.logging import message_logging
from cap_shared.messaging import Broker, Delivery
from cap_shared.messaging.base import DependencyUnavailable
from cap_shared.testing.logs import CapturedLogs, captured_logs
from cap_shared.testing.messaging import KEY, Recorder, message, spec, wait_until

__all__ = ["captured_logs"]

recorded = logging.getLogger("cap.test.dead_letters")


async def _still_down(_budget: float) -> int | None:
    return None  # the dependency did not come back within the hold: parked


async def test_the_lines_of_a_failing_message_carry_its_event_and_request(
    broker: Broker, captured_logs: CapturedLogs
) -> None:
    def failure(delivery: Delivery) -> BaseException:
        if len(failing.deliveries) == 1:  # first: its database is down, and stays down
            return DependencyUnavailable("database unreachable", _still_down)
        return RuntimeError("db hiccup")

    failing = Recorder(fail=failure)

    async def keep(delivery: Delivery) -> None:
        recorded.error("dead letter kept: %s", delivery.message_id)

    queue = spec(retry_delays=(0.05,))  # two attempts, then the dead letter
    await broker.consume(queue, failing)
    await broker.consume_dead_letters(queue, keep)
    sent = replace(message(), correlation_id="req-7")
    await broker.publish(sent)

    def kept() -> bool:
        return any(line["logger"] == recorded.name for line in captured_logs.lines())

    await wait_until(kept, message="the dead letter kept")
    # Held then parked (an outage: not counted), retried, then dead-lettered.
    assert [d.attempt for d in failing.deliveries] == [1, 1, 2]
    lines = captured_logs.of("cap_shared.messaging.base") + captured_logs.of(recorded.name)
    by_kind = {
        kind: [line for line in lines if kind in line["message"]]
        for kind in ("holding", "parked", "retrying", "after 2 attempts", "dead letter kept")
    }
    assert {kind: len(found) for kind, found in by_kind.items()} == dict.fromkeys(by_kind, 1)
    for kind, (line,) in by_kind.items():
        fields = {k: line.get(k) for k in ("event_id", "event_type", "request_id")}
        assert fields == {
            "event_id": sent.message_id,
            "event_type": KEY,
            "request_id": "req-7",
        }, (kind, line)
    assert by_kind["retrying"][0]["level"] == "WARNING"
    assert by_kind["after 2 attempts"][0]["level"] == "ERROR"


async def test_a_line_outside_a_message_carries_no_event(captured_logs: CapturedLogs) -> None:
    """The binding is around the broker's lines only: nothing leaks into what follows."""
    with message_logging("e-1", KEY, "req-1"):
        recorded.warning("inside")
    recorded.warning("after")
    inside, after = captured_logs.of(recorded.name)
    assert (inside["event_id"], inside["event_type"], inside["request_id"]) == ("e-1", KEY, "req-1")
    assert not {"event_id", "event_type"} & after.keys()
    assert after["request_id"] == "-"
