"""Spans of the event pipeline (tracing on only: callers check ``telemetry.enabled()`` first).

One trace per request: the request's span is recorded in each event's envelope
(``traceparent``, by :func:`cap_shared.outbox.add_event`); the relay publishes the event in a
PRODUCER span ``"<event type> publish"`` whose *parent* is that context, and puts the publish
span's ``traceparent`` in the AMQP message headers; the consumer handles it in a CONSUMER span
``"<event type> process"`` whose parent is the headers' context (else the envelope's), and the
events its handler records carry that span, and so on down the chain.

The relay's own pass (``outbox.relay``) is a trace of its own, one per batch of rows it
publishes: each publish span *links* to it (a pass publishes the events of many requests, so it
cannot be the parent of all of them without merging their traces). An event recorded outside
any span has no ``traceparent``: its publish span is then a child of the pass.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode

from cap_shared import telemetry
from cap_shared.contracts.envelope import TRACESTATE_MAX_LENGTH
from cap_shared.messaging.base import Delivery, OutgoingMessage
from cap_shared.telemetry import TRACEPARENT_PATTERN

TRACE_HEADERS = ("traceparent", "tracestate")
#: ``messaging.system``: RabbitMQ, which the in-memory broker stands in for.
SYSTEM = "rabbitmq"


def trace_context(source: dict[str, Any]) -> dict[str, str]:
    """The well-formed ``traceparent`` (and its ``tracestate``) of ``source`` (headers, an
    envelope as a dict); empty when it has none or a bad one: a bad one is ignored."""
    parent = source.get("traceparent")
    if isinstance(parent, bytes):
        parent = parent.decode(errors="replace")
    if not isinstance(parent, str) or not TRACEPARENT_PATTERN.match(parent):
        return {}
    found = {"traceparent": parent}
    state = source.get("tracestate")
    if isinstance(state, bytes):
        state = state.decode(errors="replace")
    if isinstance(state, str) and len(state) <= TRACESTATE_MAX_LENGTH:
        found["tracestate"] = state
    return found


def _envelope_context(body: bytes | str) -> dict[str, str]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return trace_context(parsed) if isinstance(parsed, dict) else {}


def _remote_parent(carrier: dict[str, str]) -> Context | None:
    """The context to start a child of ``carrier``'s span in, None when it holds no valid one
    (e.g. all-zero ids: W3C says ignore it)."""
    if not carrier:
        return None
    return telemetry.remote_parent(carrier["traceparent"], carrier.get("tracestate"))


def _unsampled(parent: Context | None) -> bool:
    """Whether a span under ``parent`` would record nothing: the trace was not sampled where it
    started, and this process's sampler follows that (the default). Then no span is made; the
    caller's context is passed on as it is, its decision with it."""
    return (
        parent is not None
        and not trace.get_current_span(parent).get_span_context().trace_flags.sampled
        and telemetry.drops_unsampled_callers()
    )


# producing ----------------------------------------------------------------------------
def start_relay_pass(service: str, rows: int, start_time: int) -> Span:
    """The span of one relay batch that found ``rows`` rows to publish (a trace of its own)."""
    return telemetry.tracer().start_span(
        "outbox.relay",
        context=Context(),  # a root: never a child of whatever context the relay task has
        kind=SpanKind.INTERNAL,
        start_time=start_time,
        attributes={"rows": rows, "service": service, "cap.service": service},
    )


def start_publish(
    message: OutgoingMessage, payload: str, *, relay: Span, service: str, exchange: str
) -> tuple[Span, OutgoingMessage]:
    """Start the PRODUCER span of ``message`` in the trace its envelope names (else under the
    relay pass), linked to the pass; the message to publish, carrying the span in its headers."""
    parent = _remote_parent(_envelope_context(payload))
    if _unsampled(parent):
        headers = dict(message.headers)
        telemetry.inject(headers, parent)
        return trace.get_current_span(parent), dataclasses.replace(message, headers=headers)
    if parent is None:
        parent = trace.set_span_in_context(relay)
    span = telemetry.tracer().start_span(
        f"{message.type or message.routing_key} publish",
        context=parent,
        kind=SpanKind.PRODUCER,
        links=[Link(relay.get_span_context())],
        attributes={
            "messaging.system": SYSTEM,
            "messaging.operation.type": "publish",
            "messaging.operation.name": "publish",
            "messaging.destination.name": exchange,
            "messaging.rabbitmq.destination.routing_key": message.routing_key,
            "messaging.message.id": message.message_id,
            "cap.service": service,
        },
    )
    headers = dict(message.headers)
    telemetry.inject(headers, trace.set_span_in_context(span))
    return span, dataclasses.replace(message, headers=headers)


def end_publish(span: Span, error: BaseException | None) -> None:
    """End a publish span: an error status when the broker did not confirm."""
    if error is not None:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"[:200]))
    span.end()


# consuming ----------------------------------------------------------------------------
def delivery_parent(delivery: Delivery, envelope: dict[str, Any] | None = None) -> Context | None:
    """Where a delivery's CONSUMER span hangs: the AMQP headers' ``traceparent`` (the publish
    span), else the envelope's (the span that recorded the event), else nowhere (a root).
    ``envelope``: the envelope's trace context when the caller has parsed it already (its
    body is then not parsed again)."""
    found = _remote_parent(trace_context(delivery.headers))
    if found is not None:
        return found
    return _remote_parent(
        trace_context(envelope) if envelope is not None else _envelope_context(delivery.body)
    )


@contextmanager
def processing(
    delivery: Delivery, consumer: str, envelope: dict[str, Any] | None = None
) -> Iterator[Span]:
    """The CONSUMER span ``"<event type> process"`` around one handling of ``delivery`` (each
    attempt its own span); an error status when the handling raises. ``envelope``: as
    :func:`delivery_parent` takes it."""
    event_type = delivery.type or delivery.routing_key
    parent = delivery_parent(delivery, envelope)
    if _unsampled(parent):
        assert parent is not None
        token = otel_context.attach(parent)  # the events it records carry the decision on
        try:
            yield trace.get_current_span(parent)
        finally:
            otel_context.detach(token)
        return
    with telemetry.tracer().start_as_current_span(
        f"{event_type} process",
        context=parent or Context(),
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": SYSTEM,
            "messaging.operation.type": "process",
            "messaging.operation.name": "process",
            "messaging.destination.name": delivery.queue,
            "messaging.rabbitmq.destination.routing_key": delivery.routing_key,
            "messaging.message.id": delivery.message_id or "",
            "cap.attempt": delivery.attempt,
            "cap.consumer": consumer,
        },
    ) as span:
        yield span
