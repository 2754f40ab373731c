"""Log lines as the process writes them (the handler configure_logging installs): one JSON object
per line, ISO 8601 UTC times, and the request, trace, event or job each line belongs to."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pythonjsonlogger.json import JsonFormatter

from cap_shared import telemetry
from cap_shared.clock import wall_now
from cap_shared.contracts.envelope import Envelope
from cap_shared.correlation import current_request_id
from cap_shared.db.session import Database
from cap_shared.inbox import EventConsumer
from cap_shared.jobs import PeriodicJob, context_now, run_once
from cap_shared.logging import JsonLineFormatter, event_logging, log_handler
from cap_shared.messaging.base import Delivery
from cap_shared.testing import toy
from cap_shared.testing.logs import CapturedLogs, captured_logs
from cap_shared.testing.tracing import spans

__all__ = ["captured_logs", "spans"]

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
log = logging.getLogger("cap.test.logging")


def utc_time(text: str) -> datetime:
    assert ISO_UTC.match(text), text
    parsed = datetime.fromisoformat(text)
    assert parsed.utcoffset() == timedelta(0)
    return parsed


def test_a_line_is_one_json_object_with_the_fields_and_an_iso_utc_time(
    captured_logs: CapturedLogs,
) -> None:
    before = wall_now()
    with captured_logs.request("req-1"):
        log.info("hello %s", "world")
    (line,) = captured_logs.of("cap.test.logging")
    assert {k: line[k] for k in ("level", "logger", "message", "service", "request_id")} == {
        "level": "INFO",
        "logger": "cap.test.logging",
        "message": "hello world",
        "service": "test",
        "request_id": "req-1",
    }
    assert before - timedelta(seconds=1) < utc_time(line["time"]) <= wall_now()
    # Outside a span, an event handler and a job: none of their fields.
    assert not {"trace_id", "span_id", "event_id", "event_type", "job"} & line.keys()


def test_an_exception_is_one_exc_info_field_on_the_same_line(
    captured_logs: CapturedLogs,
) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("it failed")
    raw = captured_logs.stream.getvalue()
    assert len(raw.splitlines()) == 1
    (line,) = captured_logs.of("cap.test.logging")
    assert line["level"] == "ERROR"
    assert line["exc_info"].startswith("Traceback")
    assert "ValueError: boom" in line["exc_info"]


def test_the_lean_json_path_writes_exactly_the_generic_formatters_line() -> None:
    handler = log_handler(json=True, service="test", stream=io.StringIO())
    formatter = handler.formatter
    assert isinstance(formatter, JsonLineFormatter)
    record = logging.getLogger("cap.access").makeRecord(
        "cap.access",
        logging.INFO,
        "(unknown file)",
        0,
        "%s %s %d %.1fms",
        ("GET", "/v1/x/{id}", 200, 1.5),
        None,
        extra={"method": "GET", "route": "/v1/x/{id}", "status": 200, "caller": "user"},
    )
    for bind in handler.filters:  # the request id and service, as the handler binds them
        assert isinstance(bind, logging.Filter)
        bind.filter(record)
    lean = formatter.format(record)
    generic = JsonFormatter.format(formatter, record)
    assert lean == generic
    assert list(json.loads(lean))[:6] == [
        "time", "level", "logger", "message", "request_id", "service"
    ]  # fmt: skip


def test_the_human_format_has_the_iso_utc_time_too() -> None:
    stream = io.StringIO()
    handler = log_handler(json=False, service="test", stream=stream)
    log.addHandler(handler)
    try:
        log.warning("plain")
    finally:
        log.removeHandler(handler)
    when, level, request, rest = stream.getvalue().split(" ", 3)
    utc_time(when)
    assert (level, request, rest) == ("WARNING", "[-]", "cap.test.logging: plain\n")


def test_in_a_span_a_line_has_its_trace_and_span_ids(
    captured_logs: CapturedLogs, spans: InMemorySpanExporter
) -> None:
    with telemetry.tracer().start_as_current_span("work") as span:
        log.info("inside")
    log.info("outside")
    inside, outside = captured_logs.of("cap.test.logging")
    context = span.get_span_context()
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    assert "trace_id" not in outside


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_a_handler_line_carries_the_event_and_the_request_that_caused_it(
    kind: str,
    make_database: Callable[..., Any],
    captured_logs: CapturedLogs,
    spans: InMemorySpanExporter,
) -> None:
    db: Database = await make_database(kind, "toy", None, toy.metadata)
    seen: list[str | None] = []
    spans_seen: list[tuple[str, str] | None] = []

    async def handler(_session: Any, envelope: Envelope, payload: toy.ThingCreated) -> None:
        seen.append(current_request_id())
        spans_seen.append(telemetry.current_ids())
        logging.getLogger("cap.test.handler").info("thing %d", payload.n)

    consumer = EventConsumer(
        db=db,
        inbox=toy.tables.inbox,
        consumer="toy-logs",
        handlers={toy.TOY_EVENT: handler},
        models={toy.TOY_EVENT: toy.ThingCreated},
    )
    event = toy.envelope(7).model_copy(update={"correlationid": "req-from-the-api"})
    delivery = Delivery(
        body=event.to_json(),
        routing_key=event.type,
        message_id=event.id,
        correlation_id=event.correlationid,
        headers={},
        redelivered=False,
        attempt=1,
        queue="toy-logs",
    )
    with telemetry.tracer().start_as_current_span("delivery"):
        await consumer(delivery)
    assert seen == ["req-from-the-api"]  # what the handler publishes carries it on
    assert current_request_id() is None  # and only while the handler runs
    (line,) = captured_logs.of("cap.test.handler")
    assert line["message"] == "thing 7"
    assert line["event_id"] == event.id
    assert line["event_type"] == toy.TOY_EVENT
    assert line["request_id"] == "req-from-the-api"
    # The span the handler runs in (the consumer's own, or the one around it here).
    assert spans_seen[0] is not None
    assert (line["trace_id"], line["span_id"]) == spans_seen[0]
    await db.dispose()


def test_a_batch_of_events_binds_their_type_and_their_common_request(
    captured_logs: CapturedLogs,
) -> None:
    one, two = toy.envelope(1), toy.envelope(2)
    same = [e.model_copy(update={"correlationid": "req-9"}) for e in (one, two)]
    with event_logging(same):
        log.info("both")
    with event_logging([one, two]):  # two requests: none of them is the batch's
        log.info("apart")
    both, apart = captured_logs.of("cap.test.logging")
    assert (both["event_type"], both["request_id"]) == (toy.TOY_EVENT, "req-9")
    assert "event_id" not in both
    assert apart["request_id"] == "-"


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
async def test_a_job_line_carries_the_job_and_a_request_id_of_its_run(
    kind: str, make_database: Callable[..., Any], captured_logs: CapturedLogs
) -> None:
    db: Database = await make_database(kind, "toy", None, toy.metadata)

    async def body(_session: Any, _context: Any) -> int:
        logging.getLogger("cap.test.job").info("working")
        return 3

    for _ in range(2):
        await run_once(db, PeriodicJob("tidy", body), "toy", context_now())
    first, second = captured_logs.of("cap.test.job")
    assert first["job"] == second["job"] == "tidy"
    assert first["request_id"] not in ("-", second["request_id"])
    # The runner's own summary of the run too.
    summaries = captured_logs.of("cap_shared.jobs")
    assert [(line["message"], line["job"]) for line in summaries] == [
        ("job tidy: 3 item(s)", "tidy")
    ] * 2
    await db.dispose()


def test_configure_logging_is_idempotent(captured_logs: CapturedLogs) -> None:
    from cap_shared.logging import configure_logging

    configure_logging(stream=io.StringIO(), service="other")
    log.info("still here")
    (line,) = captured_logs.of("cap.test.logging")
    assert line["service"] == "test"
