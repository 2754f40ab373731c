"""E-mails and webhook calls in the trace of the request that caused them: the handler stores
its span's W3C context on the e-mail and delivery rows, the sending jobs (a trace of their own)
send each attempt in a span under that context, linked to the job's span; tracing off, nothing
is stored (docs/operations.md#traces). A real SMTP server and a real HTTP receiver."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiosmtpd.controller import Controller
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Span, SpanKind, StatusCode

from cap_notifications.mail import sender as mail
from cap_notifications.models import EmailMessage, WebhookDelivery
from cap_notifications.webhooks import breakers
from cap_notifications.webhooks import sender as webhooks
from cap_shared import telemetry
from cap_shared.jobs import JobContext, PeriodicJob, run_once
from cap_shared.testing.net import free_port
from cap_shared.testing.tracing import by_name, spans

from .conftest import Service, ok
from .test_notify import completed

__all__ = ["spans"]
EVENT = "diagnostic.completed.v1"
ADDRESS = "admin_a@coorace.example"


class Mailbox:
    """Accepts every message, after refusing as many as ``refusals`` says."""

    def __init__(self) -> None:
        self.received = 0
        self.refusals = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Réessayez plus tard"
        self.received += 1
        return "250 OK"


@pytest.fixture
def mailbox(service: Service) -> Iterator[Mailbox]:
    """A running SMTP server the service sends to (retries after 30 s)."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    service.settings.mail_transport = "smtp"
    service.settings.smtp_host, service.settings.smtp_port = "127.0.0.1", port
    service.settings.smtp_timeout_s = 5
    service.settings.mail_retry_delays_s = [30]
    try:
        yield box
    finally:
        controller.stop()


class Receiver:
    """A webhook receiver: answers ``statuses`` in turn (then 200), keeps each call's headers."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.calls: list[dict[str, str]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        self.calls.append({k.lower(): v for k, v in request.headers.items()})
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    rec.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook?token=s3cret"
    try:
        yield rec
    finally:
        await runner.cleanup()


@pytest.fixture(autouse=True)
def fresh_breakers() -> Iterator[None]:
    breakers.BREAKERS.clear()
    yield
    breakers.BREAKERS.clear()


async def setup(service: Service, receiver: Receiver) -> None:
    """The structure's administrator (an e-mail at once for a completed diagnostic) and a
    subscription to the completion; 10:00 in Paris (no quiet hours)."""
    service.runtime.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    organisation = service.organisations["a"].id
    await service.add_person("admin_a", {"role": "member_admin", "organisation_id": organisation})
    ok(
        await service.client.post(
            "/v1/webhook-subscriptions",
            json={"name": "Partenaire", "url": receiver.url, "event_types": [EVENT]},
            headers=service.admin,
        ),
        201,
    )


async def handle_in_a_span(service: Service) -> Span:
    """The completion handled as the consumer does it: inside its CONSUMER span (ended)."""
    with telemetry.tracer().start_as_current_span(
        f"{EVENT} process", kind=SpanKind.CONSUMER
    ) as span:
        await service.deliver(completed(service.organisations["a"].id))
    return span


async def stored(service: Service, model: Any) -> list[Any]:
    async with service.runtime.db.session() as session:
        return list((await session.execute(sa.select(model))).scalars().all())


async def run_job(service: Service, name: str) -> int:
    """A sending job once, as the worker runs it (its ``job <name>`` span, a trace of its own)."""
    send = {"mail-deliveries": mail.send_due, "webhook-deliveries": webhooks.send_due}[name]
    now = service.runtime.clock.now()

    async def body(session: Any, context: JobContext) -> int:
        return await send(session, context.now, service.settings)

    return await run_once(
        service.runtime.db,
        PeriodicJob(name, body),
        "notifications",
        JobContext(today=now.date(), now=now, settings=service.settings),
    )


def traceparent_of(span: Span | ReadableSpan) -> str:
    context = span.get_span_context()
    assert context is not None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


def parent_id(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def ids(span: Span | ReadableSpan) -> tuple[int, int]:
    context = span.get_span_context()
    assert context is not None
    return context.trace_id, context.span_id


async def test_the_rows_keep_the_handlers_span_and_sending_continues_its_trace(
    service: Service, mailbox: Mailbox, receiver: Receiver, spans: InMemorySpanExporter
) -> None:
    await setup(service, receiver)
    handler = await handle_in_a_span(service)
    trace_id, handler_id = ids(handler)

    (email,) = await stored(service, EmailMessage)
    (delivery,) = await stored(service, WebhookDelivery)
    for row in (email, delivery):
        assert row.traceparent == traceparent_of(handler)
        assert row.tracestate is None  # the handler's span has none

    assert await run_job(service, "mail-deliveries") == 1
    assert await run_job(service, "webhook-deliveries") == 1
    assert mailbox.received == 1
    assert len(receiver.calls) == 1
    finished = spans.get_finished_spans()

    # e-mail: the handler's span -> email deliver -> smtp send, linked to the job's span
    (job,) = by_name(finished, "job mail-deliveries")
    assert job.context.trace_id != trace_id  # the job's run is a trace of its own
    (deliver,) = by_name(finished, "email deliver")
    (smtp,) = by_name(finished, "smtp send")
    assert deliver.context.trace_id == smtp.context.trace_id == trace_id
    assert parent_id(deliver) == handler_id
    assert parent_id(smtp) == deliver.context.span_id
    assert deliver.kind is SpanKind.INTERNAL
    assert [link.context.span_id for link in deliver.links] == [job.context.span_id]
    attributes = dict(deliver.attributes or {})
    assert attributes["cap.email.id"] == email.id
    assert attributes["cap.event.type"] == EVENT
    assert (attributes["cap.attempt"], attributes["cap.email.status"]) == (1, "sent")
    assert ADDRESS not in str(attributes)
    assert deliver.status.status_code is StatusCode.UNSET

    # webhook: the handler's span -> webhook deliver -> POST (client), sent on to the receiver
    (job,) = by_name(finished, "job webhook-deliveries")
    (deliver,) = by_name(finished, "webhook deliver")
    (post,) = by_name(finished, "POST")
    assert deliver.context.trace_id == post.context.trace_id == trace_id
    assert parent_id(deliver) == handler_id
    assert (parent_id(post), post.kind) == (deliver.context.span_id, SpanKind.CLIENT)
    assert [link.context.span_id for link in deliver.links] == [job.context.span_id]
    attributes = dict(deliver.attributes or {})
    assert attributes["cap.webhook.delivery_id"] == delivery.id
    assert (attributes["cap.webhook.outcome"], attributes["http.response.status_code"]) == (
        "delivered",
        200,
    )
    assert "s3cret" not in str(attributes) + str(dict(post.attributes or {}))
    assert receiver.calls[0]["traceparent"] == traceparent_of(post)


async def test_every_attempt_is_a_child_of_the_stored_context(
    service: Service, mailbox: Mailbox, receiver: Receiver, spans: InMemorySpanExporter
) -> None:
    await setup(service, receiver)
    mailbox.refusals = 1
    receiver.statuses = [503]
    handler = await handle_in_a_span(service)
    trace_id, handler_id = ids(handler)

    assert await run_job(service, "mail-deliveries") == 0  # refused: retried in 30 s
    await run_job(service, "webhook-deliveries")  # 503: retried on the schedule
    (delivery,) = await stored(service, WebhookDelivery)
    service.runtime.clock.advance(
        max(timedelta(seconds=31), delivery.next_attempt_at - service.runtime.clock.now())
    )
    assert await run_job(service, "mail-deliveries") == 1
    assert await run_job(service, "webhook-deliveries") == 1
    assert (mailbox.received, len(receiver.calls)) == (1, 2)

    finished = spans.get_finished_spans()
    for name, child, outcome in (
        ("email deliver", "smtp send", "cap.email.status"),
        ("webhook deliver", "POST", "cap.webhook.outcome"),
    ):
        first, second = sorted(by_name(finished, name), key=lambda s: s.start_time or 0)
        for attempt in (first, second):
            assert (attempt.context.trace_id, parent_id(attempt)) == (trace_id, handler_id)
            (sent,) = [
                s for s in by_name(finished, child) if parent_id(s) == attempt.context.span_id
            ]
            assert sent.context.trace_id == trace_id
        assert [dict(s.attributes or {})["cap.attempt"] for s in (first, second)] == [1, 2]
        assert first.status.status_code is StatusCode.ERROR
        assert second.status.status_code is StatusCode.UNSET
        assert dict(first.attributes or {})[outcome] in ("pending", "http_error")


async def test_a_row_queued_with_tracing_off_is_sent_under_the_jobs_span(
    service: Service, mailbox: Mailbox, receiver: Receiver, spans: InMemorySpanExporter
) -> None:
    await setup(service, receiver)
    provider = telemetry.provider()
    telemetry.install(None)  # the event handled while tracing was off
    try:
        await handle_in_a_span(service)
    finally:
        telemetry.install(provider)

    assert await run_job(service, "mail-deliveries") == 1
    finished = spans.get_finished_spans()
    (job,) = by_name(finished, "job mail-deliveries")
    (deliver,) = by_name(finished, "email deliver")
    assert parent_id(deliver) == job.context.span_id
    assert deliver.context.trace_id == job.context.trace_id
    assert not deliver.links


async def test_tracing_off_stores_no_context_and_sends_as_before(
    service: Service, mailbox: Mailbox, receiver: Receiver
) -> None:
    assert not telemetry.enabled()
    await setup(service, receiver)
    await service.deliver(completed(service.organisations["a"].id))

    (email,) = await stored(service, EmailMessage)
    (delivery,) = await stored(service, WebhookDelivery)
    for row in (email, delivery):
        assert (row.traceparent, row.tracestate) == (None, None)
    assert await run_job(service, "mail-deliveries") == 1
    assert await run_job(service, "webhook-deliveries") == 1
    assert mailbox.received == 1
    assert "traceparent" not in receiver.calls[0]
