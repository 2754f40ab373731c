"""``cap-standalone``: the whole platform in one process on http://127.0.0.1:8000."""

from __future__ import annotations

import asyncio
import signal

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
    config = uvicorn.Config(
        platform.app, host=settings.host, port=settings.port, log_config=None, lifespan="off"
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
