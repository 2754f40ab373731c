"""The platform's per-request HTTP work in one pure ASGI middleware (:class:`PlatformMiddleware`).

What seven middlewares did, one inside the other, each with its own ``send`` wrapper, its own
pass over the request headers and its own frame on every call, done in the same order by one:

1. the request id (:class:`cap_shared.correlation.RequestIdMiddleware`): the client's
   ``X-Request-ID`` if acceptable, else a new one, bound and sent back on the answer;
2. the problem language (:class:`cap_shared.problems.ProblemLanguageMiddleware`) from
   ``Accept-Language``;
3. the access line (:class:`cap_shared.access.AccessLogMiddleware`) once the answer is sent;
4. the metrics (:class:`cap_shared.metrics.MetricsMiddleware`) per route template;
5. the row scope (:class:`cap_shared.db.rowsecurity.RowScopeMiddleware`): sessions opened while
   the request is served take its caller's scope;
6. the service's clock (:class:`cap_shared.clock.ClockMiddleware`);
7. ``ETag`` and ``If-None-Match`` -> ``304`` on ``GET`` (:class:`cap_shared.conditional.
   ConditionalGetMiddleware`).

The answer goes out through one wrapper: the conditional tagging first (innermost), then the
status the access line and the metrics record, then the request id header (outermost), as the
nested middlewares did. The context variables are set in that order and reset in the reverse
one, the metrics counted and the access line written where their middlewares did (after the
clock and the row scope are reset, with the request id and the language still bound).

The separate middlewares stay, for the apps that install only some of them (the web console)
and for their own tests; ``tests/test_httpstack.py`` holds this one to the same answers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from typing import Any

from asgi_correlation_id import correlation_id
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cap_shared.access import AccessLogMiddleware
from cap_shared.clock import Clock
from cap_shared.clock import _current as _clock
from cap_shared.conditional import MAX_HEADER_LENGTH, MAX_TAGGED_BODY, _Tagging
from cap_shared.correlation import REQUEST_ID_HEADER, acceptable
from cap_shared.db.rowsecurity import _request_state
from cap_shared.metrics import MetricsMiddleware
from cap_shared.problems import _language, language_of

_REQUEST_ID = REQUEST_ID_HEADER.lower().encode("latin-1")
_ACCEPT_LANGUAGE = b"accept-language"
_IF_NONE_MATCH = b"if-none-match"

logger = logging.getLogger("asgi_correlation_id")

#: ``language_of`` of the ``Accept-Language`` values seen (a few per client kind); bounded.
_LANGUAGES: dict[bytes, str] = {}
_LANGUAGES_MAX = 256

# Random bytes for new request ids, drawn from the OS a few hundred ids at a time: ``uuid4``
# asks ``os.urandom`` for every id, a system call that gives up the GIL (and waits to get it
# back behind the database threads) on every request without an id of its own.
_ID_BATCH = 256
_random = bytearray()
_random_lock = threading.Lock()


def _reset_random() -> None:
    """A forked child draws its own ids (never its parent's next ones)."""
    del _random[:]


os.register_at_fork(after_in_child=_reset_random)


def new_request_id() -> str:
    """A new request id: a random (version 4) UUID's 32 hex digits, as ``uuid4().hex``."""
    with _random_lock:  # never the same bytes to two threads (apps served by several loops)
        if not _random:
            _random.extend(os.urandom(16 * _ID_BATCH))
        raw = _random[-16:]
        del _random[-16:]
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw.hex()


def _language_of(header: bytes) -> str:
    language = _LANGUAGES.get(header)
    if language is None:
        language = language_of(header.decode("latin-1"))
        if len(_LANGUAGES) < _LANGUAGES_MAX:
            _LANGUAGES[header] = language
    return language


class PlatformMiddleware:
    """Pure ASGI middleware: request id, problem language, access line, metrics, row scope,
    clock and conditional GET, in that order (outermost first), in one layer."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        clock: Clock | None = None,
        max_tagged_body: int = MAX_TAGGED_BODY,
    ) -> None:
        self.app = app
        self.clock = clock
        self.max_tagged_body = max_tagged_body
        # Their line writer and their labelled children, shared (the same lines, the same series).
        self._access = AccessLogMiddleware(app, service=service)
        self._metrics = MetricsMiddleware(app, service=service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request with everything the platform does around it."""
        kind = scope["type"]
        if kind != "http":
            if kind == "websocket":  # the request id only, as the request-id middleware did
                await self._websocket(scope, receive, send)
            else:
                with_clock = self.clock is not None
                token = _clock.set(self.clock) if with_clock else None
                try:
                    await self.app(scope, receive, send)
                finally:
                    if token is not None:
                        _clock.reset(token)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        given_raw = language_raw = if_none_match = None
        for key, value in headers:
            if key == _REQUEST_ID:
                if given_raw is None:
                    given_raw = value
            elif key == _ACCEPT_LANGUAGE:
                if language_raw is None:
                    language_raw = value
            elif key == _IF_NONE_MATCH and if_none_match is None:
                if_none_match = value
        # 1. the request id
        request_id = self._request_id(scope, headers, given_raw)
        correlation_id.set(request_id)
        id_header = (_REQUEST_ID, request_id.encode("latin-1"))
        # 2. the problem language
        language = _language.set(_language_of(language_raw) if language_raw else "en")
        try:
            # 3. and 4. the access line and the metrics: the status the answer went out with
            state = scope.setdefault("state", {})
            started = time.perf_counter()
            status = 0

            async def sending(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    bound = correlation_id.get()
                    if bound:
                        message["headers"] = [
                            *message.get("headers", ()),
                            id_header
                            if bound == request_id
                            else (_REQUEST_ID, bound.encode("latin-1")),
                        ]
                await send(message)

            access_status = 0
            try:
                # 5. the row scope, 6. the clock
                row_scope = _request_state.set(state)
                clock = _clock.set(self.clock) if self.clock is not None else None
                try:
                    # 7. ETag and If-None-Match -> 304 on GET
                    if scope.get("method") == "GET":
                        condition = if_none_match.decode("latin-1") if if_none_match else None
                        if condition is not None and len(condition) > MAX_HEADER_LENGTH:
                            condition = None
                        tagging = _Tagging(sending, condition, self.max_tagged_body)
                        await self.app(scope, receive, tagging.send)
                    else:
                        await self.app(scope, receive, sending)
                finally:
                    if clock is not None:
                        _clock.reset(clock)
                    _request_state.reset(row_scope)
                    self._count(scope, status or 500, started)
            except asyncio.CancelledError:
                access_status = status or 499
                raise
            except BaseException:
                access_status = status or 500
                raise
            finally:
                self._access._write(
                    scope, access_status or status or 500, time.perf_counter() - started
                )
        finally:
            _language.reset(language)

    def _count(self, scope: Scope, status: int, started: float) -> None:
        route: Any = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        requests, seconds = self._metrics._children_of(scope.get("method", "GET"), template, status)
        requests.inc()
        seconds.observe(time.perf_counter() - started)

    @staticmethod
    def _request_id(
        scope: Scope, headers: list[tuple[bytes, bytes]], given_raw: bytes | None
    ) -> str:
        """The client's id if acceptable, else a new one written into the request's headers."""
        given = given_raw.decode("latin-1") if given_raw is not None else None
        if not given:
            request_id = new_request_id()
        elif acceptable(given):
            return given
        else:
            request_id = new_request_id()
            logger.warning(
                "Generated new request ID (%s), since request header value failed validation",
                request_id,
            )
        # what runs inside sees the id it is served with
        kept = [(k, v) for k, v in headers if k != _REQUEST_ID]
        kept.append((_REQUEST_ID, request_id.encode("latin-1")))
        scope["headers"] = kept
        return request_id

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        given = None
        for key, value in scope["headers"]:
            if key == _REQUEST_ID:
                given = value
                break
        correlation_id.set(self._request_id(scope, scope["headers"], given))
        token = _clock.set(self.clock) if self.clock is not None else None
        try:
            await self.app(scope, receive, send)
        finally:
            if token is not None:
                _clock.reset(token)
