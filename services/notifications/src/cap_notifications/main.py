"""Composition of the notifications service: its definition, runtime, API app and CLI entry."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from cap_notifications.config import Settings
from cap_notifications.events.handlers import HANDLERS
from cap_notifications.fanout import digests as fanout_digests
from cap_notifications.feed import routes as feed_routes
from cap_notifications.mail import routes as mail_routes
from cap_notifications.mail import sender as mail_sender
from cap_notifications.models import tables
from cap_notifications.preferences import routes as preference_routes
from cap_notifications.webhooks import contract as webhook_contract
from cap_notifications.webhooks import routes as webhook_routes
from cap_notifications.webhooks import sender as webhook_sender
from cap_shared.jobs import JobContext, PeriodicJob
from cap_shared.service import ServiceDefinition


def _settings(context: JobContext) -> Settings:
    settings = context.settings
    assert isinstance(settings, Settings)
    return settings


async def mail_deliveries(session: AsyncSession, context: JobContext) -> int:
    """Send the e-mails that are due (quiet hours over, retries due)."""
    return await mail_sender.send_due(session, context.now, _settings(context))


async def webhook_deliveries(session: AsyncSession, context: JobContext) -> int:
    """Call subscribers with the deliveries that are due."""
    return await webhook_sender.send_due(session, context.now, _settings(context))


async def digests(session: AsyncSession, context: JobContext) -> int:
    """Daily digests whose local hour has come."""
    return await fanout_digests.send_digests(session, context.now, _settings(context))


SERVICE = ServiceDefinition(
    name="notifications",
    title="CAP — notifications service",
    description=(
        "In-app feed, e-mail and outbound webhooks driven by events, with per-user preferences, reminders and digests."
    ),
    settings=Settings,
    tables=tables,
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    # The mail log first: /v1/notifications/emails is not a notification.
    routers=(
        *mail_routes.ROUTERS,
        *feed_routes.ROUTERS,
        *preference_routes.ROUTERS,
        *webhook_routes.ROUTERS,
    ),
    webhooks=webhook_contract.ROUTERS,
    jobs=(
        PeriodicJob("mail-deliveries", mail_deliveries, interval_s=5),
        PeriodicJob("webhook-deliveries", webhook_deliveries, interval_s=5),
        PeriodicJob("digests", digests, interval_s=600),
    ),
)

MIGRATIONS = SERVICE.migrations
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
ENTRY = SERVICE.entry()
