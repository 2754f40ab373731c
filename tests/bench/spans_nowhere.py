"""Tracing on for a benchmark's process, every span kept and paid for up to the network: the
SDK records it, a BatchSpanProcessor batches it, and the exporter encodes each batch as OTLP
protobuf, as the OTLP exporter does, then drops it."""

from __future__ import annotations

import os
from collections.abc import Sequence

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from cap_shared import telemetry

#: Set to "1" in a child's environment: :func:`trace_to_nowhere` turns tracing on there.
ENV = "BENCH_TRACED"


class DroppingExporter(SpanExporter):
    """Encodes each batch as OTLP protobuf, then drops it: the export's work, not the wire."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Encode, serialise, forget."""
        encode_spans(spans).SerializeToString()
        return SpanExportResult.SUCCESS


def trace_to_nowhere(service: str, *, force: bool = False) -> bool:
    """Tracing on in this process (when ``force`` or ``BENCH_TRACED=1``), before its runtime is
    built; whether it is on. The environment's own exporters are left out."""
    if not force and os.environ.get(ENV) != "1":
        return False
    os.environ["OTEL_TRACES_EXPORTER"] = "none"
    provider = telemetry.configure_tracing(service, enabled=True)
    assert provider is not None
    provider.add_span_processor(BatchSpanProcessor(DroppingExporter()))
    return True
