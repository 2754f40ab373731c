"""Replicas behind one address, on one machine (the processes topology, tests): what a
deployment's Service does for its pods.

One process listens on one port per part of the platform and sends each request to the next
replica of that part in turn (round robin, per request, so that one keep-alive connection of the
gateway spreads over every replica too)::

    python -m cap_standalone.balance   # BALANCE_ROUTES='{"8001": ["http://127.0.0.1:8101",
                                       #                          "http://127.0.0.1:8201"]}'

It is inside the platform, not its edge: the forwarding headers (``X-Forwarded-For``...) the
front or the gateway wrote pass unchanged, and the ``Host`` the client sent; only the hop-by-hop
ones are dropped.

A Service costs a deployment next to nothing (the kernel forwards the packets); this process is
on the path of every call the journey benchmark times, twice for a proxied one (to a gateway,
then from it to a service), and a client's time was going into it: with httpx on asyncio's own
loop a hop took about 1.1 ms on a quiet machine (0.3 ms direct). It forwards with the gateway's
own keep-alive client (:mod:`cap_gateway.upstream_http`: the head written as one buffer, llhttp
parsing the answer) on uvloop, bodies streamed both ways, an event stream (``text/event-stream``)
passed on chunk by chunk and released when its client goes.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator

import uvicorn
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.types import Receive, Scope, Send

from cap_gateway.upstream_http import UpstreamPool, UpstreamTimeout, UpstreamUnavailable
from cap_shared.logging import configure_logging
from cap_shared.streaming import relay_stream
from cap_standalone.front import _HOP_BY_HOP, RoundRobin, unreachable

logger = logging.getLogger(__name__)


class BalanceSettings(BaseSettings):
    """Where the balancer listens and its replicas (env prefix ``BALANCE_``)."""

    model_config = SettingsConfigDict(env_prefix="BALANCE_", env_ignore_empty=True, extra="ignore")

    host: str = "127.0.0.1"
    #: Port -> the replicas' base URLs.
    routes: dict[int, list[str]]
    log_level: str = "INFO"
    log_json: bool = True


#: No read deadline to speak of: a server-sent event stream stays open as long as its client
#: wants (a day between two of its parts).
READ_TIMEOUT_S = 86_400.0
CONNECT_TIMEOUT_S = 5.0
#: Connections in use to one replica at most (more requests wait for one).
CONNECTIONS = 1024
_EVENT_STREAM = b"text/event-stream"


class Replica:
    """An ASGI app forwarding each HTTP request to one replica over keep-alive connections,
    bodies streamed both ways; 502 when the replica cannot be reached."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pool = UpstreamPool(
            url,
            limit=CONNECTIONS,
            connect_timeout=CONNECT_TIMEOUT_S,
            read_timeout=READ_TIMEOUT_S,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Forward the request and stream the answer back."""
        if scope["type"] != "http":  # no websocket on the platform
            return
        headers: list[tuple[str, str]] = []
        sends_body = False
        for key, value in scope["headers"]:
            if key == b"transfer-encoding" or (key == b"content-length" and value != b"0"):
                sends_body = True
            if key not in _HOP_BY_HOP:  # the client's Host passes too
                headers.append((key.decode("latin-1"), value.decode("latin-1")))
        target = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]

        async def body() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return
                yield message.get("body", b"")
                if not message.get("more_body", False):
                    return

        try:
            answer = await self.pool.request(
                scope["method"],
                target.decode("latin-1"),
                headers,
                body() if sends_body else None,
            )
        except (UpstreamUnavailable, UpstreamTimeout) as exc:
            logger.warning("upstream %s unreachable: %s", self.url, exc)
            await unreachable(send)
            return
        try:
            stream = False
            kept = []
            for key, value in answer.headers:
                name = key.lower()
                if name == b"content-type" and value.startswith(_EVENT_STREAM):
                    stream = True
                if name not in _HOP_BY_HOP:
                    kept.append((name, value))
            await send({"type": "http.response.start", "status": answer.status, "headers": kept})
            if stream:
                await relay_stream(answer.body(), receive, send)
                return
            pending: bytes | None = None  # the last part goes with more_body False
            async for chunk in answer.body():
                if not chunk:
                    continue
                if pending is not None:
                    await send({"type": "http.response.body", "body": pending, "more_body": True})
                pending = chunk
            await send({"type": "http.response.body", "body": pending or b"", "more_body": False})
        finally:
            await answer.close()

    async def aclose(self) -> None:
        """Close the idle connections."""
        await self.pool.aclose()


class Balancer:
    """Each request to the replicas of the port it came in on, in turn."""

    def __init__(self, routes: dict[int, list[str]]) -> None:
        self.replicas = {port: [Replica(u) for u in urls] for port, urls in routes.items()}
        self.routes = {port: RoundRobin(list(replicas)) for port, replicas in self.replicas.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The lifespan here (the connections closed at shutdown); a request by its port."""
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    for replicas in self.replicas.values():
                        for replica in replicas:
                            await replica.aclose()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        server = scope.get("server")
        await self.routes[server[1] if server else 0](scope, receive, send)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` whose connections send small writes at once.

    Made with ``IPPROTO_TCP`` and ``TCP_NODELAY`` (accepted connections inherit both): asyncio
    and uvloop disable Nagle's algorithm only on sockets whose protocol says TCP, and one made
    as ``socket(AF_INET, SOCK_STREAM)`` says 0. With Nagle on, each forwarded exchange waited
    for the peer's delayed ACK: 44 ms per request through the balancer, against 1.4 ms now.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def main() -> None:
    """Serve every route (``python -m cap_standalone.balance``); SIGTERM stops it cleanly."""
    settings = BalanceSettings()  # the routes come from the environment
    configure_logging(level=settings.log_level, json=settings.log_json, service="balance")
    for port, replicas in settings.routes.items():
        logger.info("balancer on %s:%s: %s", settings.host, port, ", ".join(replicas))
    config = uvicorn.Config(
        Balancer(settings.routes), log_config=None, proxy_headers=False, access_log=False
    )
    sockets = [bind(settings.host, port) for port in settings.routes]
    # uvloop and httptools, as the platform's own processes (uvicorn's "auto").
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(uvicorn.Server(config).serve(sockets=sockets))


if __name__ == "__main__":
    main()
