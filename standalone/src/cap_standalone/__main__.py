"""``cap-standalone``: the whole platform in one process on http://127.0.0.1:8000, its ops routes
(/healthz, /readyz, /metrics) on http://127.0.0.1:9464 (``CAP_OPS_PORT``, 0: none)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator

import uvicorn

from cap_shared import eventloop, telemetry
from cap_shared.gc import tune_gc
from cap_shared.logging import configure_logging
from cap_shared.opsport import EmbeddedServer, serving
from cap_standalone.ops import ops_app
from cap_standalone.platform import Platform, StandaloneSettings

logger = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def ops_port(platform: Platform, settings: StandaloneSettings) -> AsyncIterator[None]:
    """The platform's ops routes on ``ops_host:ops_port`` while the block runs; a port already
    taken is logged, and the platform runs without them."""
    async with contextlib.AsyncExitStack() as stack:
        try:
            app = ops_app(platform.runtimes)
            await stack.enter_async_context(serving(app, settings.ops_host, settings.ops_port))
        except OSError as exc:
            logger.error(
                "ops port %s:%s unavailable (%s): no /metrics; set CAP_OPS_PORT (0: none)",
                settings.ops_host,
                settings.ops_port,
                exc,
            )
        yield


async def serve(settings: StandaloneSettings) -> None:
    """Start the platform, serve the gateway until interrupted, then stop cleanly."""
    platform = Platform(settings)
    await platform.start()
    assert platform.app is not None
    public = (settings.public_base_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    # Where to go, plainly, whatever the log format: the first thing a newcomer looks for.
    ops = (
        f"  ops (metrics):     http://{settings.ops_host}:{settings.ops_port}/metrics\n"
        if settings.ops_port
        else ""
    )
    sys.stdout.write(
        f"\nCAP platform\n  console (browser): {public}/\n"
        f"  API:               {public}/v1   (reference: {public}/docs)\n{ops}\n"
    )
    sys.stdout.flush()
    config = uvicorn.Config(
        platform.app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        lifespan="off",
        # The client's address is the peer's, unless the peer is a trusted reverse proxy: a
        # browser cannot pass for someone else with X-Forwarded-For.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )
    server = EmbeddedServer(config)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Stop serving, then drain the outboxes and queues before exiting.
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
    try:
        async with ops_port(platform, settings):
            await server.serve()
    finally:
        await platform.stop()


def main() -> None:
    """Console entry point."""
    settings = StandaloneSettings()
    configure_logging(level=settings.log_level, json=settings.log_json, service="standalone")
    telemetry.configure_tracing("standalone", enabled=settings.telemetry_enabled)
    tune_gc(settings.gc_thresholds)
    eventloop.run(serve(settings))


if __name__ == "__main__":
    main()
