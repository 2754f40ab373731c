"""Replicas behind one address, on one machine (the processes topology, tests): what a
deployment's Service does for its pods.

One process listens on one port per part of the platform and sends each request to the next
replica of that part in turn (round robin, per request, so that one keep-alive connection of the
gateway spreads over every replica too)::

    python -m cap_standalone.balance   # BALANCE_ROUTES='{"8001": ["http://127.0.0.1:8101",
                                       #                          "http://127.0.0.1:8201"]}'

It is inside the platform, not its edge: the forwarding headers (``X-Forwarded-For``...) the
front or the gateway wrote pass unchanged, only the hop-by-hop ones are dropped.
"""

from __future__ import annotations

import asyncio
import logging
import socket

import httpx
import uvicorn
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.types import Receive, Scope, Send

from cap_shared.logging import configure_logging
from cap_standalone.front import HttpUpstream, RoundRobin, answer_lifespan

logger = logging.getLogger(__name__)


class BalanceSettings(BaseSettings):
    """Where the balancer listens and its replicas (env prefix ``BALANCE_``)."""

    model_config = SettingsConfigDict(env_prefix="BALANCE_", env_ignore_empty=True, extra="ignore")

    host: str = "127.0.0.1"
    #: Port -> the replicas' base URLs.
    routes: dict[int, list[str]]
    log_level: str = "INFO"
    log_json: bool = True


class Balancer:
    """Each request to the replicas of the port it came in on, in turn."""

    def __init__(self, routes: dict[int, list[str]]) -> None:
        # No read deadline: a server-sent event stream stays open as long as its client wants.
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(connect=5.0, read=None, write=60.0, pool=10.0),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=50),
        )
        self.routes = {
            port: RoundRobin([HttpUpstream(u, self.http, edge=False) for u in replicas])
            for port, replicas in routes.items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The lifespan here (the client closed at shutdown); a request by its port."""
        if scope["type"] == "lifespan":
            await answer_lifespan(receive, send, self.http)
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
    asyncio.run(uvicorn.Server(config).serve(sockets=sockets))


if __name__ == "__main__":
    main()
