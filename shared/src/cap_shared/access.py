"""The access line: one log line per HTTP request, on the logger ``cap.access``.

``GET /v1/structures/{structure_id} 200 12.3ms`` with the fields ``method``, ``route`` (the
route template, never the path with its ids), ``status``, ``duration_ms``, ``caller``
(``user``, ``client``, ``service`` or ``anonymous``) and the request id, trace and service of
every line. Never a header, a cookie, a token nor the query string (it may hold an
authorization code). Levels: INFO, WARNING for a 5xx answer; DEBUG for a probe that succeeds
(``/healthz``, ``/readyz``, ``/metrics``: they would flood the logs). See
``docs/operations.md#logs``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cap_shared.security.principal import Principal

ACCESS = logging.getLogger("cap.access")

#: Route templates of the probes: DEBUG unless they fail.
PROBES = frozenset({"/healthz", "/readyz", "/metrics", "/console/healthz"})
#: An unmatched path (no route template) is logged cut to this many characters.
UNMATCHED_CHARS = 80
#: The status of a request whose client went away before the answer started (nginx's).
CLIENT_CLOSED = 499


def principal_caller(scope: Scope) -> str:
    """The kind of the verified caller (the edge or the route's dependency put it in the
    request state): ``user``, ``client``, ``service`` for any other kind, else ``anonymous``."""
    principal = scope.get("state", {}).get("principal")
    if not isinstance(principal, Principal):
        return "anonymous"
    return principal.kind if principal.kind in ("user", "client") else "service"


def route_of(scope: Scope) -> str:
    """The route template of the request, or its path (cut, never the query) when unmatched."""
    route: Any = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str) and template:
        return template
    return str(scope.get("path", ""))[:UNMATCHED_CHARS]


def level_of(route: str, status: int) -> int:
    """WARNING for a server error, DEBUG for a probe that succeeds, INFO otherwise."""
    if status >= 500:
        return logging.WARNING
    if route in PROBES:
        return logging.DEBUG
    return logging.INFO


class AccessLogMiddleware:
    """Pure ASGI middleware writing the access line once the answer is sent.

    Inside the request-id middleware (the line carries the request id). ``caller``: how this
    app knows who called (default: the verified principal of the request state).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str | None = None,
        caller: Callable[[Scope], str] = principal_caller,
    ) -> None:
        self.app = app
        self.service = service
        self.caller = caller

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, then write its line (whatever happened)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})  # shared with the inner apps: the principal lands here
        started = time.perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except asyncio.CancelledError:
            status = status or CLIENT_CLOSED
            raise
        except BaseException:
            status = status or 500
            raise
        finally:
            self._write(scope, status or 500, time.perf_counter() - started)

    def _write(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_of(scope)
        level = level_of(route, status)
        if not ACCESS.isEnabledFor(level):
            return
        method = str(scope.get("method", ""))
        duration_ms = round(seconds * 1000, 1)
        fields: dict[str, Any] = {
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": duration_ms,
            "caller": self.caller(scope),
        }
        if self.service is not None:
            fields["service"] = self.service
        # The record made here rather than by ``ACCESS.log``, which would walk the stack to
        # name the calling line (a line no handler writes) on every request.
        record = ACCESS.makeRecord(
            ACCESS.name,
            level,
            "(unknown file)",
            0,
            "%s %s %d %.1fms",
            (method, route, status, duration_ms),
            None,
            extra=fields,
        )
        ACCESS.handle(record)
