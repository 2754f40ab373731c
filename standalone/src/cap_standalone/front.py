"""One origin for the distributed topology on one machine (`make up`, the processes topology).

The browser must reach the console and the gateway's sign-in page on one origin: the console's
callback ``{CAP_PUBLIC_BASE_URL}/console/callback`` is the only redirect URI registered for
``cap-console``, and its cookies are the origin's. A deployment's ingress (Kubernetes) or edge
proxy (compose) does this; on one machine this small front does it, with the same rule as the
standalone process (:mod:`cap_standalone.dispatch`), forwarding over HTTP::

    python -m cap_standalone.front     # FRONT_PORT (8000), FRONT_GATEWAY_URL, FRONT_CONSOLE_URL

Either URL may name several replicas, separated by commas: each request goes to the next one
in turn (round robin), as a deployment's Service spreads requests over its pods.

It is the edge: it believes no ``X-Forwarded-For`` it receives and sends the peer's address
instead (the gateway and the console trust this front's address, nobody else's).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator

import httpx
import uvicorn
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.types import ASGIApp, Receive, Scope, Send

from cap_shared.logging import configure_logging
from cap_shared.tls import client_context
from cap_standalone.dispatch import Dispatcher

logger = logging.getLogger(__name__)

#: Headers of one connection, never forwarded (RFC 9110 §7.6.1), and the forwarding headers
#: this front writes itself.
_NOT_FORWARDED = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-host",
        b"forwarded",
    }
)


class FrontSettings(BaseSettings):
    """Where the front listens and where it sends each request (env prefix ``FRONT_``)."""

    model_config = SettingsConfigDict(env_prefix="FRONT_", env_ignore_empty=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    gateway_url: str = "http://127.0.0.1:8005"
    console_url: str = "http://127.0.0.1:8010"
    log_level: str = "INFO"
    log_json: bool = True


#: Hop-by-hop headers only: what a balancer inside the platform drops (it keeps the forwarding
#: headers the edge or the gateway wrote).
_HOP_BY_HOP = _NOT_FORWARDED - {b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host"}


class HttpUpstream:
    """An ASGI app forwarding each HTTP request to ``url``, bodies streamed both ways (the
    notifications' server-sent events pass through as they come).

    ``edge`` (the front): the forwarding headers received are dropped and the peer's address
    is sent instead. Not at the edge (a balancer inside the platform): they pass unchanged."""

    def __init__(self, url: str, http: httpx.AsyncClient, *, edge: bool = True) -> None:
        self.url = url.rstrip("/")
        self.http = http
        self.edge = edge

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Forward the request to the upstream and its answer back, both streamed."""
        if scope["type"] != "http":  # no websocket on the platform
            return
        dropped = _NOT_FORWARDED if self.edge else _HOP_BY_HOP
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in dropped]
        client = scope.get("client")
        if self.edge and client:
            headers.append((b"x-forwarded-for", client[0].encode("latin-1")))
        if self.edge:
            headers.append((b"x-forwarded-proto", scope.get("scheme", "http").encode("latin-1")))
        target = self.url + scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")

        async def body() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return
                yield message.get("body", b"")
                if not message.get("more_body", False):
                    return

        sends_body = any(
            (k == b"content-length" and v != b"0") or k == b"transfer-encoding"
            for k, v in scope["headers"]
        )
        request = self.http.build_request(
            scope["method"],
            httpx.URL(target),
            headers=headers,
            content=body() if sends_body else None,
        )
        try:
            response = await self.http.send(request, stream=True)
        except httpx.TransportError as exc:
            logger.warning("upstream %s unreachable: %s", self.url, exc)
            await unreachable(send)
            return
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": [
                        (k, v) for k, v in response.headers.raw if k.lower() not in _NOT_FORWARDED
                    ],
                }
            )
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()


async def unreachable(send: Send) -> None:
    """The answer when the replica chosen cannot be reached: 502, in plain words."""
    await send(
        {
            "type": "http.response.start",
            "status": 502,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": b"Service injoignable."})


class RoundRobin:
    """An ASGI app sending each request to the next of its upstreams in turn (replicas)."""

    def __init__(self, upstreams: list[ASGIApp]) -> None:
        if not upstreams:
            raise ValueError("a round robin needs at least one upstream")
        self.upstreams = upstreams
        self._next = itertools.cycle(upstreams)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the request to the next upstream."""
        await next(self._next)(scope, receive, send)


def urls(value: str) -> list[str]:
    """The replicas' addresses of a setting: one URL, or several separated by commas."""
    return [u.strip() for u in value.split(",") if u.strip()]


class Front:
    """The gateway's paths to the gateway, every other path to the console, over HTTP; each to
    its replicas in turn when it has several (``url,url``)."""

    def __init__(self, gateway_url: str, console_url: str) -> None:
        # No read deadline: a server-sent event stream stays open as long as the browser wants.
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(connect=5.0, read=None, write=60.0, pool=10.0),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=50),
            verify=client_context(),
        )
        self.dispatcher = Dispatcher(
            RoundRobin([HttpUpstream(u, self.http) for u in urls(gateway_url)]),
            RoundRobin([HttpUpstream(u, self.http) for u in urls(console_url)]),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer the lifespan here (the client closed at shutdown); a request by path."""
        if scope["type"] == "lifespan":
            await answer_lifespan(receive, send, self.http)
            return
        await self.dispatcher(scope, receive, send)


async def answer_lifespan(receive: Receive, send: Send, http: httpx.AsyncClient) -> None:
    """Answer the ASGI lifespan of a forwarding process: nothing to start, ``http`` to close."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await http.aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return


def main() -> None:
    """Serve the front (``python -m cap_standalone.front``)."""
    settings = FrontSettings()
    configure_logging(level=settings.log_level, json=settings.log_json, service="front")
    logger.info(
        "front on %s:%s: gateway %s, console %s",
        settings.host,
        settings.port,
        settings.gateway_url,
        settings.console_url,
    )
    uvicorn.run(
        Front(settings.gateway_url, settings.console_url),
        host=settings.host,
        port=settings.port,
        log_config=None,
        # The edge: the peer is the client; a forwarded header it sends is not believed.
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
