"""The trace an e-mail or a webhook call belongs to: the request's, not the sending job's.

The fan-out queues an e-mail or a webhook delivery inside the consumer's span (the request's
trace); the worker's jobs send it later, in a trace of their own (``job mail-deliveries``,
``job webhook-deliveries``). So the row keeps the W3C context of the span that queued it
(:func:`stored_context`), and each sending attempt is a span whose parent is that context
(:func:`resumed`), linked to the job's span: the ``smtp send`` span and the webhook's ``POST``
are then in the request's trace (docs/operations.md#traces).

Tracing off, nothing is stored and no span is started: callers check ``telemetry.enabled()``
once (:func:`stored_context` does it itself).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind
from opentelemetry.util.types import AttributeValue

from cap_shared import telemetry
from cap_shared.instrumentation import failure_by_type


def stored_context() -> tuple[str | None, str | None]:
    """``traceparent`` and ``tracestate`` of the current span, as a row keeps them; None when
    tracing is off or no span is current."""
    if not telemetry.enabled():
        return None, None
    carrier: dict[str, str] = {}
    telemetry.inject(carrier)
    return carrier.get("traceparent") or None, carrier.get("tracestate") or None


@contextmanager
def resumed(
    name: str,
    *,
    traceparent: str | None,
    tracestate: str | None,
    attributes: Mapping[str, AttributeValue],
) -> Iterator[Span]:
    """An INTERNAL span ``name``, current while the block runs: a child of the stored context
    (linked to the span running now, the job's) or, without a valid one (a row queued with
    tracing off, a malformed value), a child of the running span. Tracing on only."""
    running = trace.get_current_span()
    context = telemetry.remote_parent(traceparent, tracestate) if traceparent else None
    links = (
        [Link(running.get_span_context())]
        if context is not None and running.get_span_context().is_valid
        else []
    )
    with failure_by_type(
        name, kind=SpanKind.INTERNAL, attributes=attributes, context=context, links=links
    ) as span:  # a failure's message may quote an address
        yield span
