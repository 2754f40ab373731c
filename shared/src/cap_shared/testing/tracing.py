"""Traces in tests: an in-memory exporter installed as the process's tracer provider."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from cap_shared import telemetry


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on for one test: every finished span lands in the exporter this yields (read
    them with ``get_finished_spans()``); tracing is off again afterwards."""
    with tracing_on() as exporter:
        yield exporter


@contextmanager
def tracing_on() -> Iterator[InMemorySpanExporter]:
    """Tracing on for the block, finished spans in the exporter it gives (as :func:`spans`)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "test"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    previous = telemetry.provider()
    telemetry.install(provider)
    try:
        yield exporter
    finally:
        telemetry.install(previous)
        provider.shutdown()


def by_name(
    finished: tuple[ReadableSpan, ...] | list[ReadableSpan], name: str
) -> list[ReadableSpan]:
    """The finished spans called ``name``."""
    return [span for span in finished if span.name == name]
