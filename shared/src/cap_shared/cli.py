"""Process entry points shared by every service: ``api``, ``worker``, ``relay``, ``migrate``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI

from cap_shared.app import health_router, operation_id
from cap_shared.gc import tune_gc
from cap_shared.logging import configure_logging
from cap_shared.metrics import metrics_endpoint
from cap_shared.migrate import ensure_database
from cap_shared.problems import install_problem_handlers
from cap_shared.runtime import ServiceRuntime
from cap_shared.settings import BaseServiceSettings


@dataclass(frozen=True)
class ServiceEntry:
    """What a service package hands to the shared CLI."""

    name: str
    settings: Callable[[], BaseServiceSettings]
    build_runtime: Callable[[BaseServiceSettings], ServiceRuntime]
    create_app: Callable[[ServiceRuntime], FastAPI]


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process that embeds it.

    uvicorn's own ``serve()`` captures SIGTERM/SIGINT and re-raises them once it has stopped,
    which would kill a worker (or the standalone platform) before its own graceful shutdown.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Capture no signal: the embedding process handles them."""
        yield


def probe_app(runtime: ServiceRuntime) -> FastAPI:
    """Health, readiness (database and broker) and metrics of a worker or relay process."""
    app = FastAPI(
        title=f"{runtime.name} probes",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        generate_unique_id_function=operation_id,
    )
    install_problem_handlers(app)
    app.include_router(health_router(runtime, needs_broker=True))
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    return app


async def _run_background(
    runtime: ServiceRuntime, body: Callable[[asyncio.Event], Coroutine[Any, Any, None]]
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server: uvicorn.Server | None = None
    tasks: list[asyncio.Task[None]] = [asyncio.create_task(body(stop))]
    if runtime.settings.probe_port:
        config = uvicorn.Config(
            probe_app(runtime),
            host=runtime.settings.host,
            port=runtime.settings.probe_port,
            log_config=None,
            lifespan="off",
        )
        server = EmbeddedServer(config)
        tasks.append(asyncio.create_task(server.serve()))
    try:
        await stop.wait()
    finally:
        if server is not None:
            server.should_exit = True
        _done, pending = await asyncio.wait(tasks, timeout=20)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(runtime.close(), timeout=10)


async def _migrate(runtime: ServiceRuntime) -> None:
    # PostgreSQL: create it if missing (as the owner); SQLite: nothing.
    await ensure_database(runtime.settings.owner_database_url)
    try:
        await runtime.migrate()
    finally:
        await runtime.db.dispose()


def main(entry: ServiceEntry, argv: Sequence[str] | None = None) -> None:
    """``cap-<service> {api|worker|relay|migrate}``."""
    parser = argparse.ArgumentParser(
        prog=f"cap-{entry.name}", description=f"CAP {entry.name} service"
    )
    parser.add_argument(
        "role", choices=["api", "worker", "relay", "migrate"], help="which process to run"
    )
    args = parser.parse_args(argv)
    settings = entry.settings()
    configure_logging(level=settings.log_level, json=settings.log_json, service=entry.name)
    runtime = entry.build_runtime(settings)
    tune_gc(settings.gc_thresholds)
    if args.role == "api":
        uvicorn.run(
            entry.create_app(runtime), host=settings.host, port=settings.port, log_config=None
        )
    elif args.role == "worker":
        asyncio.run(_run_background(runtime, runtime.run_worker))
    elif args.role == "relay":
        asyncio.run(_run_background(runtime, runtime.run_relay))
    else:
        asyncio.run(_migrate(runtime))
