"""Request id: accepted or generated at the edge, carried on HTTP headers and AMQP messages."""

from __future__ import annotations

import logging
from uuid import UUID, uuid4

from asgi_correlation_id import correlation_id
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER = REQUEST_ID_HEADER.lower().encode("latin-1")

logger = logging.getLogger("asgi_correlation_id")


def current_request_id() -> str | None:
    """The request id bound to the running task, if any."""
    return correlation_id.get()


def current_or_new_request_id() -> str:
    """The request id of the running task, or a new one for work that starts outside a request."""
    return correlation_id.get() or uuid4().hex


def acceptable(value: str) -> bool:
    """Whether a client's request id is kept: anything ``UUID`` parses (a UUID, 32 hex digits:
    nginx's ``$request_id``, a trace id), as ``asgi_correlation_id`` accepts."""
    try:
        UUID(value, version=4)
    except ValueError:
        return False
    return True


class RequestIdMiddleware:
    """Pure ASGI middleware: the request's id — the client's ``X-Request-ID`` if acceptable,
    else a new one — bound to the request (:data:`correlation_id`, which log lines, events and
    the proxy read), written into the request's headers for what runs inside, and sent back on
    the answer. What ``asgi_correlation_id.CorrelationIdMiddleware`` does for HTTP, in one pass
    over the raw headers instead of two header objects per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Bind the request id, then serve the request with it on the answer."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        given = None
        for key, value in headers:
            if key == _HEADER:
                given = value.decode("latin-1")
                break
        if not given:
            request_id = uuid4().hex
        elif acceptable(given):
            request_id = given
        else:
            request_id = uuid4().hex
            logger.warning(
                "Generated new request ID (%s), since request header value failed validation",
                request_id,
            )
        if request_id != given:  # what runs inside sees the id it is served with
            kept = [(k, v) for k, v in headers if k != _HEADER]
            kept.append((_HEADER, request_id.encode("latin-1")))
            scope["headers"] = kept
        correlation_id.set(request_id)

        async def answering(message: Message) -> None:
            if message["type"] == "http.response.start" and (bound := correlation_id.get()):
                message["headers"] = [
                    *message.get("headers", ()),
                    (_HEADER, bound.encode("latin-1")),
                ]
            await send(message)

        await self.app(scope, receive, answering)
