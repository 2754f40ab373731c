"""``cap-web``: the console as its own process (distributed topology); ``cap-web migrate``."""

from __future__ import annotations

import argparse
import asyncio

import uvicorn

from cap_shared.db.session import Database
from cap_shared.logging import configure_logging
from cap_shared.migrate import ensure_database, upgrade
from cap_web.app import MIGRATIONS, create_app
from cap_web.config import Settings
from cap_web.models import metadata


async def _migrate(settings: Settings) -> None:
    await ensure_database(settings.database_url)
    db = Database(settings.database_url)
    try:
        await upgrade(db, MIGRATIONS, metadata=metadata)
    finally:
        await db.dispose()


def main() -> None:
    """Serve the console (``serve``, the default) or migrate its database (``migrate``)."""
    parser = argparse.ArgumentParser(prog="cap-web")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args()
    settings = Settings()
    configure_logging(level=settings.log_level, json=settings.log_json, service="web")
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        return
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
