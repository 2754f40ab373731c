"""``cap-standalone``: the whole platform in one process on http://127.0.0.1:8000."""

from __future__ import annotations

import asyncio
import signal
import sys

import uvicorn

from cap_shared.cli import EmbeddedServer
from cap_shared.gc import tune_gc
from cap_shared.logging import configure_logging
from cap_standalone.platform import Platform, StandaloneSettings


async def serve(settings: StandaloneSettings) -> None:
    """Start the platform, serve the gateway until interrupted, then stop cleanly."""
    platform = Platform(settings)
    await platform.start()
    assert platform.app is not None
    public = (settings.public_base_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    # Where to go, plainly, whatever the log format: the first thing a newcomer looks for.
    sys.stdout.write(
        f"\nCAP platform\n  console (browser): {public}/\n"
        f"  API:               {public}/v1   (reference: {public}/docs)\n\n"
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
        await server.serve()
    finally:
        await platform.stop()


def main() -> None:
    """Console entry point."""
    settings = StandaloneSettings()
    configure_logging(level=settings.log_level, json=settings.log_json, service="standalone")
    tune_gc(settings.gc_thresholds)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
