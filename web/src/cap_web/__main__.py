"""``cap-web``: the console as its own process (distributed topology); ``cap-web migrate``."""

from __future__ import annotations

import argparse
import asyncio

import uvicorn

from cap_shared import telemetry
from cap_shared.db.session import Database
from cap_shared.logging import configure_logging
from cap_shared.migrate import ensure_database, upgrade
from cap_web.app import MIGRATIONS, create_app
from cap_web.config import Settings
from cap_web.models import metadata


async def migrate(settings: Settings) -> None:
    """Create the sessions' database if missing, then migrate it (as the owner of the tables,
    granting the runtime role of ``database_url`` DML, when ``migration_database_url`` is set)."""
    owner = settings.migration_database_url or settings.database_url
    await ensure_database(owner)
    db = Database(owner)
    try:
        await upgrade(
            db,
            MIGRATIONS,
            metadata=metadata,
            runtime_url=settings.database_url if settings.migration_database_url else None,
        )
    finally:
        await db.dispose()


def main() -> None:
    """Serve the console (``serve``, the default) or migrate its database (``migrate``)."""
    parser = argparse.ArgumentParser(prog="cap-web")
    # ``api`` is ``serve`` under the name every other package's image runs by default.
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "api", "migrate"])
    args = parser.parse_args()
    settings = Settings()
    configure_logging(level=settings.log_level, json=settings.log_json, service="web")
    telemetry.configure_tracing("web", enabled=settings.telemetry_enabled)
    if args.command == "migrate":
        asyncio.run(migrate(settings))
        return
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        # The browser's address (passed on to the gateway's rate limits) is read from
        # X-Forwarded-For only when the peer is one of these proxies (the ingress, the front).
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
    )


if __name__ == "__main__":
    main()
