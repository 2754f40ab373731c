"""Composition of the notifications service: its definition, runtime, API app and CLI entry."""

from __future__ import annotations

from pathlib import Path

from cap_notifications.config import Settings
from cap_notifications.events.handlers import HANDLERS
from cap_notifications.models import tables
from cap_shared.service import ServiceDefinition

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
)

MIGRATIONS = SERVICE.migrations
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
ENTRY = SERVICE.entry()
