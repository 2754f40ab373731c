"""Request id: accepted or generated at the edge, carried on HTTP headers and AMQP messages."""

from __future__ import annotations

from uuid import uuid4

from asgi_correlation_id import correlation_id

REQUEST_ID_HEADER = "X-Request-ID"


def current_request_id() -> str | None:
    """The request id bound to the running task, if any."""
    return correlation_id.get()


def current_or_new_request_id() -> str:
    """The request id of the running task, or a new one for work that starts outside a request."""
    return correlation_id.get() or uuid4().hex
