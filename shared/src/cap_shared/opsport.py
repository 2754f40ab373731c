"""The ops port: ``/healthz``, ``/readyz`` and ``/metrics`` of a process, on a port of its own.

Every process (gateway and service APIs, workers, relays) serves them on ``<PREFIX>_PROBE_PORT``
when it is set (9000 in containers, the Kubernetes port named ``probe``); ``make run``'s one
process serves them on ``CAP_OPS_PORT`` (127.0.0.1:9464 by default). Prometheus scrapes
``/metrics`` there: the public apps do not serve it, so the platform's internals (queues,
routes, subscribers, pools) are never visible from the Internet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from cap_shared.app import health_router, operation_id
from cap_shared.metrics import metrics_endpoint
from cap_shared.problems import install_problem_handlers
from cap_shared.runtime import ServiceRuntime

logger = logging.getLogger(__name__)


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process that embeds it.

    uvicorn's own ``serve()`` captures SIGTERM/SIGINT and re-raises them once it has stopped,
    which would kill a worker (or the standalone platform) before its own graceful shutdown.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Capture no signal: the embedding process handles them."""
        yield


def ops_app(runtime: ServiceRuntime, *, needs_broker: bool) -> FastAPI:
    """Health, readiness (the database; the broker too with ``needs_broker``: workers and
    relays) and the metrics of one process."""
    app = bare_ops_app(f"{runtime.name} ops")
    app.include_router(health_router(runtime, needs_broker=needs_broker))
    return app


def bare_ops_app(title: str) -> FastAPI:
    """An ops app serving ``/metrics`` only (the caller adds its health routes)."""
    app = FastAPI(
        title=title,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        generate_unique_id_function=operation_id,
    )
    install_problem_handlers(app)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    return app


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (OSError when the port is taken)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


@contextlib.asynccontextmanager
async def serving(app: ASGIApp, host: str, port: int) -> AsyncIterator[EmbeddedServer | None]:
    """Serve ``app`` on ``host:port`` while the block runs (nothing when ``port`` is 0).

    The port is bound before the block starts: OSError when it is taken.
    """
    if not port:
        yield None
        return
    sock = bind(host, port)
    server = EmbeddedServer(uvicorn.Config(app, log_config=None, lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]), name=f"ops-port-{port}")
    try:
        yield server
    finally:
        server.should_exit = True
        _done, pending = await asyncio.wait({task}, timeout=10)
        for left in pending:
            left.cancel()
        sock.close()
