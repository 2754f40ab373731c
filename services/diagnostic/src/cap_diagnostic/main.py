"""Composition of the diagnostic service: its definition, runtime, API app and CLI entry."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.config import Settings
from cap_diagnostic.diagnostics.routes import router as diagnostics
from cap_diagnostic.events.handlers import HANDLERS
from cap_diagnostic.models import idempotency_keys, tables
from cap_diagnostic.plans.reminders import detect_overdue, remind_due_soon
from cap_diagnostic.plans.routes import action_routes, plan_routes
from cap_diagnostic.referentials.routes import router as referentials
from cap_diagnostic.referentials.service import import_library
from cap_diagnostic.resources.routes import router as resources
from cap_diagnostic.resources.service import import_catalogue
from cap_diagnostic.statistics.routes import router as statistics
from cap_shared.idempotency import purge
from cap_shared.jobs import JobContext, PeriodicJob
from cap_shared.service import ServiceDefinition


async def purge_idempotency_keys(session: AsyncSession, _context: JobContext) -> int:
    """Forget Idempotency-Key answers past their retention (24 h)."""
    return await purge(session, idempotency_keys)


async def overdue_actions(session: AsyncSession, context: JobContext) -> int:
    """Remind progress actions due soon, announce those past their due date (once per due date)."""
    settings = context.settings
    assert isinstance(settings, Settings)
    days = settings.action_reminder_days
    return await remind_due_soon(session, context.today, days) + await detect_overdue(
        session, context.today
    )


#: Every feature's routes, in the order the API description lists them.
ROUTERS = (referentials, diagnostics, plan_routes, action_routes, resources, statistics)

SERVICE = ServiceDefinition(
    name="diagnostic",
    title="CAP — diagnostic service",
    description=("Referentials, CAP diagnostics, scoring, progress plans, resources and reports."),
    settings=Settings,
    tables=tables,
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    routers=ROUTERS,
    after_migrate=(import_library, import_catalogue),
    jobs=(
        PeriodicJob("overdue-actions", overdue_actions, interval_s=3600),
        PeriodicJob("idempotency-keys", purge_idempotency_keys, interval_s=3600),
    ),
)

MIGRATIONS = SERVICE.migrations
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
ENTRY = SERVICE.entry()
