"""The services behind the gateway: where each one is, and one request to it, streamed both ways.

Upstreams are reached over HTTP (the proxy's own keep-alive client,
:mod:`cap_gateway.upstream_http`) in the distributed topology and through httpx's ASGI transport
(the service app in the same process) in the standalone one and in tests. Both give the proxy
the same :class:`Reply`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx

from cap_gateway.upstream_http import UpstreamPool, UpstreamTimeout, UpstreamUnavailable, pools_of

__all__ = ["Reply", "UpstreamTimeout", "UpstreamUnavailable", "Upstreams"]
from cap_shared import telemetry
from cap_shared.instrumentation import client_span, instrument_client, set_status
from cap_shared.tls import client_context


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


class Upstreams:
    """Where each service is, with one pooled connection set for all of them.

    Network upstreams are called with the proxy's own HTTP/1.1 client
    (:mod:`cap_gateway.upstream_http`): one buffer written, llhttp parsing the answer, which is
    what a proxy pays on every call. ``clients`` (httpx) serve the gateway's own, infrequent
    calls (overview, API description).
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
        self._pools: dict[str, UpstreamPool] | None = None
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self.clients = {
            name: instrument_client(
                httpx.AsyncClient(
                    base_url=self.bases[name],
                    transport=_own(self.asgi.get(name)),
                    timeout=timeout,
                    follow_redirects=False,
                    verify=client_context(),
                )
            )
            for name in urls
        }

    def _pool(self, service: str) -> UpstreamPool:
        if self._pools is None:  # created on first use, inside the serving event loop
            self._pools = pools_of(
                {name: url for name, url in self.bases.items() if name not in self.asgi},
                connect_timeout=self.connect_timeout,
                read_timeout=self.read_timeout,
            )
        return self._pools[service]

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
        if service in self.asgi:
            url = self.bases[service] + target
            return await self._send_asgi(service, method, url, headers, body)
        answer = await self._pool(service).request(method, target, headers, body)
        return Reply(answer.status, answer.headers, answer.body(), answer.close)

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
        if self._pools is not None:
            for pool in self._pools.values():
                await pool.aclose()
            self._pools = None
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
