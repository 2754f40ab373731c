"""The services behind the gateway: where each one is, and one request to it, streamed both ways.

Upstreams are reached over HTTP (aiohttp's connection pool) in the distributed topology and
through httpx's ASGI transport (the service app in the same process) in the standalone one and
in tests. Both give the proxy the same :class:`Reply`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import httpx

from cap_shared import telemetry
from cap_shared.instrumentation import client_span, instrument_client, set_status


class Reply:
    """An upstream's answer: status and raw headers now, the body as it arrives."""

    def __init__(
        self,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: AsyncIterator[bytes],
        close: Callable[[], Awaitable[None]],
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.close = close

    def header(self, name: bytes) -> bytes:
        """The first value of a header (lower-case ``name``), or b""."""
        return next((v for k, v in self.headers if k.lower() == name), b"")


class UpstreamTimeout(Exception):
    """The upstream did not answer in time."""


class UpstreamUnavailable(Exception):
    """The upstream could not be reached or broke the connection."""


class Upstreams:
    """Where each service is, with one pooled connection set for all of them.

    Network upstreams are called with aiohttp directly: its pool and parser cost a fraction of
    a general-purpose client's per request, which is what a proxy pays on every call. ``clients``
    (httpx) serve the gateway's own, infrequent calls (overview, API description).
    """

    def __init__(
        self,
        urls: Mapping[str, str],
        *,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        connect_timeout: float = 2.0,
        read_timeout: float = 30.0,
    ) -> None:
        transports = dict(transports or {})
        self.bases = {
            name: (url if name not in transports else f"http://{name}").rstrip("/")
            for name, url in urls.items()
        }
        self.asgi = {name: transports[name] for name in urls if name in transports}
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        #: Deadline for the upstream's response head, also applied to in-process (ASGI)
        #: upstreams, which network timeouts do not cover.
        self.response_deadline = connect_timeout + read_timeout
        self._session: aiohttp.ClientSession | None = None
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self.clients = {
            name: instrument_client(
                httpx.AsyncClient(
                    base_url=self.bases[name],
                    transport=_own(self.asgi.get(name)),
                    timeout=timeout,
                    follow_redirects=False,
                )
            )
            for name in urls
        }

    def _pool(self) -> aiohttp.ClientSession:
        if self._session is None:  # created on first use, inside the serving event loop
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=256, keepalive_timeout=30),
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=self.connect_timeout, sock_read=self.read_timeout
                ),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept"),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def send(
        self, service: str, method: str, target: str, headers: list[tuple[str, str]], body: Any
    ) -> Reply:
        """One request to a service, streamed both ways; raises UpstreamTimeout/Unavailable.

        Tracing on: a CLIENT span until the answer's head, whose ``traceparent`` the service
        receives (its server span is this one's child)."""
        if not telemetry.enabled():
            return await self._send(service, method, target, headers, body)
        url = self.bases[service] + target
        async with client_span(method, url, headers) as span:
            reply = await self._send(service, method, target, headers, body)
            set_status(span, reply.status)
            return reply

    async def _send(
        self, service: str, method: str, target: str, headers: list[tuple[str, str]], body: Any
    ) -> Reply:
        url = self.bases[service] + target
        if service in self.asgi:
            return await self._send_asgi(service, method, url, headers, body)
        try:
            response = await self._pool().request(
                method, url, headers=headers, data=body, allow_redirects=False
            )
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise UpstreamTimeout(str(exc)) from exc
        except aiohttp.ClientError as exc:
            raise UpstreamUnavailable(str(exc) or type(exc).__name__) from exc

        async def close() -> None:
            response.release()

        return Reply(
            response.status, list(response.raw_headers), response.content.iter_any(), close
        )

    async def _send_asgi(
        self, service: str, method: str, url: str, headers: list[tuple[str, str]], body: Any
    ) -> Reply:
        request = httpx.Request(method, url, headers=headers, content=body)
        try:
            response = await self.asgi[service].handle_async_request(request)
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(str(exc)) from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(str(exc)) from exc
        return Reply(
            response.status_code, response.headers.raw, response.aiter_raw(), response.aclose
        )

    async def aclose(self) -> None:
        """Close every pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        for client in self.clients.values():
            await client.aclose()


class _Own(httpx.AsyncBaseTransport):
    """An in-process transport under an object of its own: instrumenting a client wraps its
    transport object, which the proxy also calls directly (and traces itself)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """The inner transport's answer."""
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self.inner.aclose()


def _own(transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncBaseTransport | None:
    return _Own(transport) if transport is not None and telemetry.enabled() else transport
