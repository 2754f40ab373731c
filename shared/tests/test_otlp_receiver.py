"""The test OTLP receiver decodes what the SDK's OTLP/HTTP exporter sends, compressed or not."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

from cap_shared.testing.otlp import OtlpReceiver, descendants, otlp_receiver

__all__ = ["otlp_receiver"]


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip])
def test_spans_exported_over_otlp_http_are_received(
    otlp_receiver: OtlpReceiver, compression: Compression
) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "toy"}))
    provider.add_span_processor(
        SimpleSpanProcessor(
            OTLPSpanExporter(
                endpoint=f"{otlp_receiver.endpoint}/v1/traces", compression=compression
            )
        )
    )
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("GET /v1/things", kind=SpanKind.SERVER) as root:
        with tracer.start_as_current_span("toy.thing.created.v1 publish", kind=SpanKind.PRODUCER):
            pass
        root.set_attribute("http.route", "/v1/things")
        root.set_status(Status(StatusCode.ERROR, "boom"))
    provider.shutdown()

    spans = otlp_receiver.wait_for(lambda s: len(s) == 2 and s, timeout=5)
    server = next(s for s in spans if s.kind == "SERVER")
    producer = next(s for s in spans if s.kind == "PRODUCER")
    assert server.service == "toy"
    assert server.parent_span_id is None
    assert server.attributes["http.route"] == "/v1/things"
    assert server.status == "ERROR"
    assert producer.trace_id == server.trace_id
    assert producer.parent_span_id == server.span_id
    assert descendants(spans, server) == [server, producer]
    assert otlp_receiver.trace(server.trace_id) == spans


def test_other_paths_and_json_are_refused(otlp_receiver: OtlpReceiver) -> None:
    url = otlp_receiver.endpoint
    assert httpx.post(f"{url}/v1/metrics", content=b"").status_code == 404
    assert httpx.post(f"{url}/v1/traces", json={}).status_code == 415
    assert otlp_receiver.spans() == []
