"""Structured logging: one JSON object per line, with what the line belongs to.

Every line has ``time`` (ISO 8601 UTC, milliseconds, ``Z``), ``level``, ``logger``,
``message``, ``service`` and ``request_id``; ``trace_id`` and ``span_id`` when a span is current
(tracing on); ``event_id`` and ``event_type`` while an event handler runs
(:func:`event_logging`) and on the broker's lines about one message (:func:`message_logging`); ``job`` while a periodic job runs (:func:`job_logging`); an exception
as one ``exc_info`` string. See ``docs/operations.md#logs``.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any, Protocol
from uuid import uuid4

from asgi_correlation_id import CorrelationIdFilter, correlation_id
from pythonjsonlogger.json import JsonFormatter

from cap_shared import telemetry

_CONFIGURED = False

#: (event id, event type) of the event(s) being handled: the id is None for a batch of several.
_event: ContextVar[tuple[str | None, str] | None] = ContextVar("cap_log_event", default=None)
#: The periodic job running.
_job: ContextVar[str | None] = ContextVar("cap_log_job", default=None)


def iso_utc(created: float) -> str:
    """``created`` (seconds since the epoch) as ``2026-12-07T01:23:45.678Z``."""
    whole = int(created)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + (
        f".{int((created - whole) * 1000):03d}Z"
    )


class JsonLineFormatter(JsonFormatter):
    """One JSON object per record; ``time`` in ISO 8601 UTC.

    A plain record (no exception, stack or dict message: every access line) takes a lean path
    giving exactly the line :class:`JsonFormatter` gives — the same fields in the same order —
    with one encoder kept instead of one made per line and the generic field loops unrolled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lean = "asctime" in self._required_fields and not (
            self.defaults
            or self.static_fields
            or self.timestamp
            or self.rename_fields_keep_missing
            or self.prefix
            or self.json_default
            or self.json_indent
            or self.json_serializer is not json.dumps
        )
        self._renamed = [
            (name, self.rename_fields.get(name, name)) for name in self._required_fields
        ]
        self._encoder = (self.json_encoder or json.JSONEncoder)(ensure_ascii=self.json_ensure_ascii)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """The record's time as ISO 8601 UTC with milliseconds."""
        return iso_utc(record.created)

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON object (the lean path when the record is plain)."""
        if (
            not self._lean
            or record.exc_info
            or record.exc_text
            or record.stack_info
            or isinstance(record.msg, dict)
        ):
            return super().format(record)
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        fields = record.__dict__
        data = {renamed: fields.get(name) for name, renamed in self._renamed}
        skip, rename = self._skip_fields, self.rename_fields
        for key, value in fields.items():
            if key not in skip and not (isinstance(key, str) and key.startswith("_")):
                data[rename.get(key, key)] = value
        encoded: str = self._encoder.encode(data)
        return encoded


class TextFormatter(logging.Formatter):
    """The human format (``LOG_JSON=false``); ``time`` in ISO 8601 UTC too."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """The record's time as ISO 8601 UTC with milliseconds."""
        return iso_utc(record.created)


def log_handler(
    *, json: bool = True, service: str = "cap", stream: IO[str] | None = None
) -> logging.Handler:
    """The handler :func:`configure_logging` installs: ``stream`` (default stderr), the request
    id, service, trace, event and job bound to each record, then the JSON (or text) format."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.addFilter(CorrelationIdFilter(uuid_length=None, default_value="-"))
    handler.addFilter(ContextFilter(service))
    if json:
        handler.setFormatter(
            JsonLineFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s %(service)s",
                rename_fields={
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                    "correlation_id": "request_id",
                },
            )
        )
    else:
        handler.setFormatter(
            TextFormatter("%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s")
        )
    return handler


def configure_logging(
    *, level: str = "INFO", json: bool = True, service: str = "cap", stream: IO[str] | None = None
) -> None:
    """Send every log record to stderr (or ``stream``) through :func:`log_handler`.

    Idempotent: the standalone process configures it once for all the apps it hosts.
    """
    global _CONFIGURED
    if _CONFIGURED:
        return
    root = logging.getLogger()
    root.handlers[:] = [log_handler(json=json, service=service, stream=stream)]
    root.setLevel(level.upper())
    for noisy in ("aio_pika", "aiormq", "sqlalchemy.engine", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # uvicorn's access line has no route template, caller nor request id: cap.access replaces
    # it (cap_shared.access); its error log goes through the root handler.
    logging.getLogger("uvicorn.access").handlers[:] = []
    logging.getLogger("uvicorn.access").propagate = False
    logging.getLogger("uvicorn.error").handlers[:] = []
    logging.getLogger("uvicorn.error").propagate = True
    _CONFIGURED = True


class ContextFilter(logging.Filter):
    """Adds ``service``, and ``trace_id``/``span_id``, ``event_id``/``event_type`` and ``job``
    when there are some, unless the record has them already (``extra=``)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        """Bind the context to ``record``; never drops it."""
        fields = record.__dict__
        fields.setdefault("service", self.service)
        fields.pop("color_message", None)  # uvicorn's ANSI duplicate of the message
        if telemetry.enabled() and "trace_id" not in fields:
            ids = telemetry.current_ids()
            if ids is not None:
                fields["trace_id"], fields["span_id"] = ids
        event = _event.get()
        if event is not None and "event_type" not in fields:
            if event[0] is not None:
                fields["event_id"] = event[0]
            fields["event_type"] = event[1]
        job = _job.get()
        if job is not None:
            fields.setdefault("job", job)
        return True


class _Event(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def correlationid(self) -> str | None: ...


@contextmanager
def event_logging(events: Sequence[_Event]) -> Iterator[None]:
    """While handlers of ``events`` (envelopes of one type) run: their lines carry
    ``event_type``, the ``event_id`` (when one event) and the request id of the request that
    caused it (the envelope's ``correlationid``, when they share one), which the events the
    handler publishes carry on."""
    if not events:
        yield
        return
    ids = {event.correlationid for event in events}
    request_id = ids.pop() if len(ids) == 1 else None
    event_id = events[0].id if len(events) == 1 else None
    with message_logging(event_id, events[0].type, request_id):
        yield


@contextmanager
def message_logging(
    event_id: str | None, event_type: str | None, request_id: str | None = None
) -> Iterator[None]:
    """Around the broker's own lines about one message (its handler failed and it is retried,
    held, parked or dead-lettered; it could not be routed; a dead letter is recorded): they
    carry its ``event_id`` and ``event_type``, and the request id that caused it, as the lines of
    its handler do (:func:`event_logging`). Around those lines only, never around a handler:
    what a handler starts (a micro-batch's flusher) must not inherit one message's ids."""
    bound = _event.set((event_id, event_type)) if event_type else None
    token = correlation_id.set(request_id) if request_id else None
    try:
        yield
    finally:
        if token is not None:
            correlation_id.reset(token)
        if bound is not None:
            _event.reset(bound)


@contextmanager
def job_logging(name: str) -> Iterator[None]:
    """While the periodic job ``name`` runs: its lines carry ``job`` and a request id of its
    own (which the events it publishes carry on)."""
    bound = _job.set(name)
    token = correlation_id.set(uuid4().hex) if correlation_id.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            correlation_id.reset(token)
        _job.reset(bound)
