"""OpenTelemetry traces of a process: the SDK, configured from the standard ``OTEL_*`` variables.

Off by default (``TELEMETRY_ENABLED=false``): :func:`tracer` is then OpenTelemetry's no-op
tracer, nothing is recorded and nothing is exported, and hot paths check :func:`enabled` before
doing any tracing work at all. On, the process has one SDK tracer provider (its resource names
the service) and every span goes through it to the exporters the environment asks for:

- ``OTEL_TRACES_EXPORTER``: ``otlp`` (default), ``console`` or ``none``; comma-separated;
- ``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``: where OTLP/HTTP
  (protobuf) sends them (``otlp`` without an endpoint exports nothing);
- ``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER``: as the SDK reads
  them; ``OTEL_SDK_DISABLED=true`` turns everything off.

The provider is kept here rather than installed as OpenTelemetry's global one, so that tests can
install an in-memory exporter for one test (:mod:`cap_shared.testing.tracing`) and remove it
afterwards. Context propagation is W3C Trace Context (``traceparent``/``tracestate``): on HTTP
headers, on AMQP message headers and in the CloudEvents ``traceparent`` extension of every event
(see ``docs/operations.md#traces``).
"""

from __future__ import annotations

import logging
import os
import re
import socket
from collections.abc import Mapping, MutableMapping

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, Tracer, TraceState
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

logger = logging.getLogger(__name__)

#: The instrumentation scope of every span the platform's own code starts.
SCOPE = "cap"
_NOOP = trace.NoOpTracer()
_PROPAGATOR = TraceContextTextMapPropagator()

#: W3C Trace Context ``traceparent`` of four fields (version-traceid-parentid-flags, lowercase
#: hex: version 00's form), read without the propagator; events carry only this form.
TRACEPARENT_PATTERN = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")

_provider: TracerProvider | None = None
_tracer: Tracer = _NOOP
_drops_unsampled_callers = False


def enabled() -> bool:
    """Whether this process records spans (check it before doing any tracing work)."""
    return _provider is not None


def provider() -> TracerProvider | None:
    """This process's tracer provider, None when tracing is off (for FastAPI, httpx...)."""
    return _provider


def tracer() -> Tracer:
    """The tracer of the platform's own spans: a no-op one when tracing is off."""
    return _tracer


def configure_tracing(service: str, *, enabled: bool) -> TracerProvider | None:
    """Install this process's tracer provider once, when ``enabled`` (``TELEMETRY_ENABLED``)
    and not ``OTEL_SDK_DISABLED``; the exporters come from the environment. Idempotent: a
    process hosting several apps (standalone) configures it once, named by the first caller
    unless ``OTEL_SERVICE_NAME`` says otherwise."""
    if not enabled or os.getenv("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return _provider
    if _provider is not None:
        return _provider
    resource = Resource.create(
        {"service.name": service, "service.instance.id": f"{socket.gethostname()}:{os.getpid()}"}
    )  # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override these (the SDK merges them)
    built = TracerProvider(resource=resource, shutdown_on_exit=True)
    for processor in _processors_from_environment():
        built.add_span_processor(processor)
    install(built)
    return built


def install(new: TracerProvider | None) -> None:
    """Make ``new`` this process's provider (None: tracing off). Tests use it directly."""
    global _provider, _tracer, _drops_unsampled_callers
    _provider = new
    _tracer = new.get_tracer(SCOPE) if new is not None else _NOOP
    sampler = getattr(new, "sampler", None)
    _drops_unsampled_callers = (
        isinstance(sampler, ParentBased)
        and getattr(sampler, "_remote_parent_not_sampled", None) is ALWAYS_OFF
    )


def drops_unsampled_callers() -> bool:
    """Whether this process's sampler records nothing under a caller's span that was not
    sampled (the default, parent-based): such a request needs no span of its own, only its
    caller's context passed on."""
    return _drops_unsampled_callers


def _processors_from_environment() -> list[SpanProcessor]:
    names = os.getenv("OTEL_TRACES_EXPORTER", "otlp").strip().lower() or "otlp"
    processors: list[SpanProcessor] = []
    for name in (part.strip() for part in names.split(",")):
        exporter: SpanExporter | None = None
        if name == "none":
            continue
        if name == "console":
            processors.append(SimpleSpanProcessor(ConsoleSpanExporter()))
            continue
        if name != "otlp":
            logger.warning(
                "OTEL_TRACES_EXPORTER=%s is not supported here: otlp, console, none", name
            )
            continue
        if not (
            os.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            or os.getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
        ):
            logger.info("tracing on without an OTLP endpoint: spans are recorded, not exported")
            continue
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()  # endpoint, headers, timeout and compression from OTEL_*
        processors.append(BatchSpanProcessor(exporter))
    return processors


def inject(carrier: MutableMapping[str, str], context: Context | None = None) -> None:
    """Write the current (or ``context``'s) span as ``traceparent``/``tracestate`` into
    ``carrier`` (HTTP or AMQP headers, an envelope's extensions). Nothing when no span."""
    _PROPAGATOR.inject(carrier, context=context)


def extract(carrier: Mapping[str, object]) -> Context:
    """The remote span context ``carrier`` carries (``traceparent``), to start a child of it."""
    text = {k: v for k, v in carrier.items() if isinstance(v, str)}
    return _PROPAGATOR.extract(text)


def remote_parent(traceparent: str, tracestate: str | None = None) -> Context | None:
    """The context of a caller's span from its W3C ``traceparent`` (and ``tracestate``), None
    when the value is not a valid one (all-zero ids, version ff, malformed): the request then
    starts a trace of its own. The usual four-field form is read directly, without the
    propagator's generic machinery (it is on every request's path); any other goes to it."""
    if TRACEPARENT_PATTERN.match(traceparent) is None:
        carrier = {"traceparent": traceparent}
        if tracestate:
            carrier["tracestate"] = tracestate
        context = extract(carrier)
        return context if trace.get_current_span(context).get_span_context().is_valid else None
    version, trace_id, span_id, flags = traceparent.split("-")
    trace_number, span_number = int(trace_id, 16), int(span_id, 16)
    if version == "ff" or not trace_number or not span_number:
        return None
    state = TraceState.from_header([tracestate]) if tracestate else None
    caller = SpanContext(
        trace_number,
        span_number,
        is_remote=True,
        trace_flags=TraceFlags(int(flags, 16)),
        trace_state=state,
    )
    return trace.set_span_in_context(NonRecordingSpan(caller))


def current_ids() -> tuple[str, str] | None:
    """The running span's trace and span ids in hex (for log lines), None outside a span."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
