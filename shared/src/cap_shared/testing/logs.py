"""Log lines in tests, as the process writes them: the handler of
:func:`cap_shared.logging.configure_logging`, writing to a buffer for one test."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from asgi_correlation_id import correlation_id

from cap_shared import logging as cap_logging

#: The loggers configure_logging changes, put back after the test.
_TOUCHED = ("aio_pika", "aiormq", "sqlalchemy.engine", "httpx", "httpcore", "uvicorn.access")


@dataclass
class CapturedLogs:
    """What the process logged during the test (every level, DEBUG included)."""

    stream: io.StringIO

    def lines(self) -> list[dict[str, Any]]:
        """Every line, parsed (each must be one JSON object)."""
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def of(self, logger: str) -> list[dict[str, Any]]:
        """The lines of ``logger``."""
        return [line for line in self.lines() if line["logger"] == logger]

    @contextmanager
    def request(self, request_id: str) -> Iterator[None]:
        """Log as if serving the request ``request_id``."""
        token = correlation_id.set(request_id)
        try:
            yield
        finally:
            correlation_id.reset(token)


@pytest.fixture
def captured_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[CapturedLogs]:
    """configure_logging (JSON, DEBUG, service ``test``) into a buffer for one test; the
    process's logging as it was afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    touched = [
        (logger, logger.level, logger.handlers[:], logger.propagate)
        for logger in map(logging.getLogger, _TOUCHED)
    ]
    monkeypatch.setattr(cap_logging, "_CONFIGURED", False)
    stream = io.StringIO()
    cap_logging.configure_logging(level="DEBUG", service="test", stream=stream)
    try:
        yield CapturedLogs(stream)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for logger, its_level, its_handlers, propagate in touched:
            logger.setLevel(its_level)
            logger.handlers[:] = its_handlers
            logger.propagate = propagate
