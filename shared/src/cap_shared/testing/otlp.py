"""A small OTLP/HTTP trace receiver: what processes under test export their spans to.

Point ``OTEL_EXPORTER_OTLP_ENDPOINT`` at :attr:`OtlpReceiver.endpoint` (the exporter posts to
``<endpoint>/v1/traces``): every ``ExportTraceServiceRequest`` it receives (protobuf, gzip or
not) is decoded into :class:`ReceivedSpan` rows, which a test reads with :meth:`spans`,
:meth:`trace` or waits for with :meth:`wait_for`. It runs in a thread of its own, so it serves
whether the test's event loop is busy or not, and it answers as a collector does (200 with an
empty ``ExportTraceServiceResponse``; 404 for any other path, 415 for JSON).
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Status

#: OTLP span kinds by their protobuf number.
KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}


@dataclass(frozen=True)
class ReceivedSpan:
    """One exported span, ids in lowercase hex as W3C writes them."""

    trace_id: str
    span_id: str
    #: None for a root span.
    parent_span_id: str | None
    name: str
    #: ``SERVER``, ``CLIENT``, ``PRODUCER``, ``CONSUMER``, ``INTERNAL``...
    kind: str
    #: The exporting process's ``service.name``.
    service: str
    attributes: dict[str, Any]
    #: Its resource's attributes (``service.instance.id``...).
    resource: dict[str, Any]
    #: ``UNSET``, ``OK`` or ``ERROR``.
    status: str
    start_ns: int
    end_ns: int
    #: (trace id, span id) of each linked span.
    links: tuple[tuple[str, str], ...] = field(default=())


def _value(value: AnyValue) -> Any:
    which = value.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [_value(v) for v in value.array_value.values]
    if which == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, which)


def _attributes(pairs: Any) -> dict[str, Any]:
    return {kv.key: _value(kv.value) for kv in pairs}


def decode(body: bytes) -> list[ReceivedSpan]:
    """The spans of one ``ExportTraceServiceRequest`` (protobuf bytes)."""
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    found = []
    for resource_spans in request.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                found.append(
                    ReceivedSpan(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex() or None,
                        name=span.name,
                        kind=KINDS.get(span.kind, str(span.kind)),
                        service=str(resource.get("service.name", "")),
                        attributes=_attributes(span.attributes),
                        resource=resource,
                        status=Status.StatusCode.Name(span.status.code).removeprefix(
                            "STATUS_CODE_"
                        ),
                        start_ns=span.start_time_unix_nano,
                        end_ns=span.end_time_unix_nano,
                        links=tuple(
                            (link.trace_id.hex(), link.span_id.hex()) for link in span.links
                        ),
                    )
                )
    return found


class OtlpReceiver:
    """An OTLP/HTTP (protobuf) trace endpoint on 127.0.0.1 (a free port unless given)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._spans: list[ReceivedSpan] = []
        self._lock = threading.Lock()
        #: Export requests received (``POST /v1/traces``), decodable or not.
        self.requests = 0
        receiver = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the exporter's session expects

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path.rstrip("/") != "/v1/traces":
                    self._answer(404, b"")
                    return
                if "json" in (self.headers.get("Content-Type") or ""):
                    self._answer(415, b"")  # OTLP/JSON: not what our exporter sends
                    return
                encoding = (self.headers.get("Content-Encoding") or "").lower()
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                receiver._received(body)
                self._answer(200, ExportTraceServiceResponse().SerializeToString())

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: a test's output is not the place for one line per export."""

        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        """The value of ``OTEL_EXPORTER_OTLP_ENDPOINT`` for processes exporting here."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> OtlpReceiver:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="otlp-receiver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OtlpReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _received(self, body: bytes) -> None:
        spans = decode(body)
        with self._lock:
            self.requests += 1
            self._spans.extend(spans)

    # reading -------------------------------------------------------------------------------
    def spans(self) -> list[ReceivedSpan]:
        """Every span received so far, in arrival order."""
        with self._lock:
            return list(self._spans)

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        """The spans of one trace received so far."""
        return [s for s in self.spans() if s.trace_id == trace_id]

    def clear(self) -> None:
        """Forget what was received (between the steps of a test)."""
        with self._lock:
            self._spans.clear()

    def wait_for(
        self,
        predicate: Callable[[list[ReceivedSpan]], Any],
        *,
        timeout: float = 15.0,
        interval: float = 0.1,
    ) -> Any:
        """Block until ``predicate(spans)`` is truthy (returns it) or raise ``AssertionError``
        with the span names received. From async code: ``await asyncio.to_thread(...)``."""
        deadline = time.monotonic() + timeout
        while True:
            found = predicate(self.spans())
            if found:
                return found
            if time.monotonic() > deadline:
                names = sorted({f"{s.service}: {s.name}" for s in self.spans()})
                msg = f"spans not received within {timeout} s; received: {names}"
                raise AssertionError(msg)
            time.sleep(interval)


@pytest.fixture
def otlp_receiver() -> Iterator[OtlpReceiver]:
    """An OTLP/HTTP trace receiver serving for one test."""
    with OtlpReceiver() as receiver:
        yield receiver


def descendants(spans: list[ReceivedSpan], root: ReceivedSpan) -> list[ReceivedSpan]:
    """``root`` and every span below it (by parent ids), in breadth-first order."""
    children: dict[str, list[ReceivedSpan]] = {}
    for span in spans:
        if span.parent_span_id is not None:
            children.setdefault(span.parent_span_id, []).append(span)
    found, queue = [], [root]
    while queue:
        span = queue.pop(0)
        found.append(span)
        queue.extend(children.get(span.span_id, []))
    return found


__all__ = ["OtlpReceiver", "ReceivedSpan", "decode", "descendants", "otlp_receiver"]
