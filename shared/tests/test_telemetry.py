"""The process's tracer: a no-op when off, the SDK with an exporter when on; W3C propagation."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from cap_shared import telemetry
from cap_shared.testing.tracing import spans

__all__ = ["spans"]


def test_off_by_default_records_nothing() -> None:
    assert not telemetry.enabled()
    with telemetry.tracer().start_as_current_span("nothing") as span:
        assert not span.get_span_context().is_valid
        assert telemetry.current_ids() is None
        carrier: dict[str, str] = {}
        telemetry.inject(carrier)
        assert carrier == {}


def test_on_records_spans_and_propagates_the_trace(spans: InMemorySpanExporter) -> None:
    assert telemetry.enabled()
    with telemetry.tracer().start_as_current_span("request") as parent:
        ids = telemetry.current_ids()
        assert ids is not None
        carrier: dict[str, str] = {}
        telemetry.inject(carrier)
    trace_id = format(parent.get_span_context().trace_id, "032x")
    assert ids[0] == trace_id
    assert carrier["traceparent"].split("-")[1] == trace_id
    # Another process continues the trace from the carrier alone.
    with telemetry.tracer().start_as_current_span("consume", context=telemetry.extract(carrier)):
        pass
    request, consume = sorted(spans.get_finished_spans(), key=lambda s: s.name)[::-1]
    assert consume.parent is not None
    assert consume.parent.span_id == parent.get_span_context().span_id
    assert consume.context.trace_id == request.context.trace_id


def test_configure_is_a_no_op_when_disabled() -> None:
    assert telemetry.configure_tracing("toy", enabled=False) is None
    assert isinstance(telemetry.tracer(), trace.NoOpTracer)
