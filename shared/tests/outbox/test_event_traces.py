"""One trace per request across the event pipeline: add_event -> relay -> consumer -> the next
event -> its consumer, on real PostgreSQL with both brokers (docs/operations.md#events)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy as sa
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared import clock, telemetry
from cap_shared.contracts.envelope import Envelope
from cap_shared.db.session import Database
from cap_shared.inbox import EventConsumer
from cap_shared.messaging import Broker, QueueSpec
from cap_shared.outbox import OutboxRelay, add_event
from cap_shared.testing import toy
from cap_shared.testing.messaging import wait_until
from cap_shared.testing.tracing import by_name, spans

__all__ = ["spans"]

FIRST = toy.TOY_EVENT
SECOND = toy.TOY_CHANGED


def queue(name: str, binding: str) -> QueueSpec:
    return QueueSpec(name=name, bindings=(binding,), retry_delays=(0.05, 0.05), handler_timeout=10)


def changed(thing_id: str) -> Envelope:
    return Envelope(
        id=str(uuid4()),
        source="/cap/toy",
        type=SECOND,
        time=clock.now(),
        subject=thing_id,
        data=toy.ThingChanged(thing_id=thing_id, n=2).model_dump(),
    )


class Chain:
    """Consumer A handles the first event and records the second; consumer B handles that."""

    def __init__(self, db: Database, *, failures: int = 0) -> None:
        self.db = db
        self.failures = failures
        self.done: list[str] = []

    async def first(self, session: AsyncSession, env: Envelope, payload: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("transient failure")
        await add_event(session, toy.tables.outbox, changed(payload.thing_id))

    async def second(self, session: AsyncSession, env: Envelope, payload: Any) -> None:
        self.done.append(env.id)

    def consumers(self, batch_size: int = 1) -> tuple[EventConsumer, EventConsumer]:
        common: dict[str, Any] = {"db": self.db, "inbox": toy.tables.inbox}
        a = EventConsumer(
            **common,
            consumer="toy-a",
            handlers={FIRST: self.first},
            models={FIRST: toy.ThingCreated},
            batch_size=batch_size,
        )
        b = EventConsumer(
            **common,
            consumer="toy-b",
            handlers={SECOND: self.second},
            models={SECOND: toy.ThingChanged},
            batch_size=batch_size,
        )
        return a, b


@pytest.fixture
async def db(make_database: Callable[..., Any]) -> Database:
    database: Database = await make_database("postgresql", "toy", None, toy.metadata)
    return database


async def run_chain(db: Database, broker: Broker, chain: Chain, write: Any, **kw: Any) -> None:
    a, b = chain.consumers(**kw)
    await broker.consume(queue("toy-a", FIRST), a)
    await broker.consume(queue("toy-b", SECOND), b)
    relay = OutboxRelay(
        db=db, broker=broker, table=toy.tables.outbox, service="toy", poll_interval=0.05
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await write()
        await wait_until(lambda: len(chain.done) == 1, timeout=20)
        await asyncio.sleep(0.05)  # the last spans end as the handlers return
    finally:
        stop.set()
        await task


def one(found: list[ReadableSpan]) -> ReadableSpan:
    assert len(found) == 1, [s.name for s in found]
    return found[0]


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


@pytest.mark.parametrize("batch_size", [1, 8], ids=["alone", "batched"])
async def test_request_events_and_their_consumers_form_one_trace(
    db: Database, broker: Broker, spans: InMemorySpanExporter, batch_size: int
) -> None:
    chain = Chain(db)

    async def request() -> None:
        with telemetry.tracer().start_as_current_span("POST /v1/things", kind=SpanKind.SERVER):
            await toy.write_thing(db, 1)

    await run_chain(db, broker, chain, request, batch_size=batch_size)

    finished = spans.get_finished_spans()
    root = one(by_name(finished, "POST /v1/things"))
    publish_1 = one(by_name(finished, f"{FIRST} publish"))
    process_1 = one(by_name(finished, f"{FIRST} process"))
    publish_2 = one(by_name(finished, f"{SECOND} publish"))
    process_2 = one(by_name(finished, f"{SECOND} process"))
    chain_spans = [root, publish_1, process_1, publish_2, process_2]
    assert {s.context.trace_id for s in chain_spans} == {root.context.trace_id}
    assert parent_of(publish_1) == root.context.span_id
    assert parent_of(process_1) == publish_1.context.span_id
    assert parent_of(publish_2) == process_1.context.span_id  # recorded by A's handler
    assert parent_of(process_2) == publish_2.context.span_id
    assert publish_1.kind is SpanKind.PRODUCER
    assert process_1.kind is SpanKind.CONSUMER
    assert process_1.attributes is not None
    assert process_1.attributes["messaging.system"] == "rabbitmq"
    assert process_1.attributes["messaging.destination.name"] == broker.queue_name("toy-a")
    assert process_1.attributes["cap.attempt"] == 1
    # Each relay batch is a trace of its own, which the publish spans link to.
    passes = by_name(finished, "outbox.relay")
    assert len(passes) >= 2
    assert all(p.parent is None and p.attributes["service"] == "toy" for p in passes)  # type: ignore[index]
    linked = {link.context.span_id for s in (publish_1, publish_2) for link in s.links}
    assert linked <= {p.context.span_id for p in passes}
    assert len(linked) == 2
    assert sum(p.attributes["rows"] for p in passes) >= 2  # type: ignore[index,misc]


async def test_each_retry_attempt_is_a_span_and_a_failure_is_an_error(
    db: Database, broker: Broker, spans: InMemorySpanExporter
) -> None:
    chain = Chain(db, failures=2)

    async def request() -> None:
        with telemetry.tracer().start_as_current_span("request"):
            await toy.write_thing(db, 1)

    await run_chain(db, broker, chain, request)

    finished = spans.get_finished_spans()
    root = one(by_name(finished, "request"))
    publish = one(by_name(finished, f"{FIRST} publish"))
    attempts = sorted(by_name(finished, f"{FIRST} process"), key=lambda s: s.start_time or 0)
    assert [s.attributes["cap.attempt"] for s in attempts] == [1, 2, 3]  # type: ignore[index]
    assert [s.status.status_code for s in attempts] == [
        StatusCode.ERROR,
        StatusCode.ERROR,
        StatusCode.UNSET,
    ]
    assert {s.context.trace_id for s in attempts} == {root.context.trace_id}
    assert {parent_of(s) for s in attempts} == {publish.context.span_id}
    # The second event comes from the attempt that succeeded.
    assert parent_of(one(by_name(finished, f"{SECOND} publish"))) == attempts[-1].context.span_id


async def test_a_bad_traceparent_is_ignored_never_dead_lettered(
    db: Database, broker: Broker, spans: InMemorySpanExporter
) -> None:
    chain = Chain(db)

    async def write_with_a_bad_traceparent() -> None:
        # Recorded outside any span, with a traceparent a foreign producer got wrong.
        event = toy.envelope(1)
        body = json.loads(event.to_json())
        body["traceparent"] = "00-not-a-trace-01"
        assert Envelope.model_validate(body).traceparent is None  # dropped, not rejected
        async with db.session() as session:
            await session.execute(sa.insert(toy.thing).values(id=event.subject, n=1))
            await session.execute(
                sa.insert(toy.tables.outbox).values(
                    event_id=event.id,
                    event_type=event.type,
                    routing_key=event.type,
                    payload=json.dumps(body),
                    created_at=clock.wall_now(),
                )
            )

    await run_chain(db, broker, chain, write_with_a_bad_traceparent)

    finished = spans.get_finished_spans()
    publish = one(by_name(finished, f"{FIRST} publish"))
    relay_pass = next(
        p
        for p in by_name(finished, "outbox.relay")
        if p.context.trace_id == publish.context.trace_id
    )
    assert parent_of(publish) == relay_pass.context.span_id  # no usable parent: under the pass
    assert parent_of(one(by_name(finished, f"{FIRST} process"))) == publish.context.span_id


async def test_tracing_off_records_nothing_and_events_carry_no_traceparent(
    db: Database, broker: Broker
) -> None:
    assert not telemetry.enabled()
    chain = Chain(db)
    recorded: list[Envelope] = []

    async def request() -> None:
        with telemetry.tracer().start_as_current_span("request"):
            recorded.append(await toy.write_thing(db, 1))

    await run_chain(db, broker, chain, request)

    async with db.engine.connect() as conn:
        payloads = (await conn.execute(sa.select(toy.tables.outbox.c.payload))).scalars().all()
    assert len(payloads) == 2
    assert all("traceparent" not in json.loads(p) for p in payloads)
    assert recorded[0].traceparent is None


def test_the_envelope_keeps_a_good_traceparent_and_drops_bad_ones() -> None:
    good = "00-" + "a" * 32 + "-" + "b" * 16 + "-01"
    base = json.loads(toy.envelope(1).to_json())
    assert (
        Envelope.model_validate({**base, "traceparent": good, "tracestate": "k=v"}).traceparent
        == good
    )
    for bad in (
        "00-" + "A" * 32 + "-" + "b" * 16 + "-01",  # uppercase
        "00-" + "0" * 32 + "-" + "b" * 16 + "-01",  # all-zero trace id
        "00-" + "a" * 32 + "-" + "0" * 16 + "-01",  # all-zero span id
        "ff-" + "a" * 32 + "-" + "b" * 16 + "-01",  # forbidden version
        "x" * 10_000,
        42,
    ):
        parsed = Envelope.model_validate({**base, "traceparent": bad, "tracestate": "k" * 600})
        assert parsed.traceparent is None
        assert parsed.tracestate is None
        assert "traceparent" not in json.loads(parsed.to_json())


async def test_a_request_the_sampler_left_out_makes_no_span_down_the_chain(
    db: Database, broker: Broker, spans: InMemorySpanExporter
) -> None:
    """Its events, their publishing and their handling record nothing, and the decision goes
    down the chain: the event the first handler records carries the request's trace, unsampled."""
    chain = Chain(db)
    trace_id = uuid4().hex
    caller = telemetry.remote_parent(f"00-{trace_id}-b7ad6b7169203331-00")
    assert caller is not None

    async def request() -> None:
        token = otel_context.attach(caller)
        try:
            await toy.write_thing(db, 1)
        finally:
            otel_context.detach(token)

    await run_chain(db, broker, chain, request)

    names = {s.name for s in spans.get_finished_spans()}
    assert not names & {f"{FIRST} publish", f"{FIRST} process", f"{SECOND} publish"}
    assert f"{SECOND} process" not in names
    async with db.engine.connect() as conn:
        payloads = (await conn.execute(sa.select(toy.tables.outbox.c.payload))).scalars().all()
    parents = {json.loads(p)["type"]: json.loads(p).get("traceparent") for p in payloads}
    for event_type in (FIRST, SECOND):
        version, found, _, flags = parents[event_type].split("-")
        assert (version, found, flags) == ("00", trace_id, "00"), event_type


async def test_a_delivery_without_trace_headers_hangs_under_its_envelope_parsed_once(
    db: Database, spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Headers without a traceparent (a relay with tracing off): the CONSUMER span's parent is
    the envelope's, and the body is parsed once (by the consumer), not again for tracing."""
    from cap_shared.messaging import Delivery
    from cap_shared.messaging import tracing as messaging_tracing

    handled: list[str] = []

    async def handler(session: AsyncSession, env: Envelope, payload: Any) -> None:
        handled.append(env.id)

    consumer = EventConsumer(
        db=db,
        inbox=toy.tables.inbox,
        consumer="toy-a",
        handlers={FIRST: handler},
        models={FIRST: toy.ThingCreated},
    )
    trace_id, span_id = "ab" * 16, "cd" * 8
    event = toy.envelope(1).model_copy(update={"traceparent": f"00-{trace_id}-{span_id}-01"})
    parses: list[bytes | str] = []
    real = Envelope.from_json.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Envelope], body: bytes | str) -> Envelope:
        parses.append(body)
        return real(cls, body)  # type: ignore[no-any-return]

    monkeypatch.setattr(Envelope, "from_json", classmethod(counted))

    def no_second_parse(body: bytes | str) -> dict[str, str]:
        raise AssertionError("the body parsed again for tracing")

    monkeypatch.setattr(messaging_tracing, "_envelope_context", no_second_parse)
    await consumer(
        Delivery(
            body=event.to_json(),
            routing_key=FIRST,
            message_id=event.id,
            correlation_id=None,
            headers={},
            redelivered=False,
            attempt=1,
            queue="toy-a",
            type=FIRST,
        )
    )
    assert handled == [event.id]
    assert len(parses) == 1
    process = one(by_name(spans.get_finished_spans(), f"{FIRST} process"))
    assert process.parent is not None
    assert f"{process.parent.trace_id:032x}" == trace_id
    assert f"{process.parent.span_id:016x}" == span_id
