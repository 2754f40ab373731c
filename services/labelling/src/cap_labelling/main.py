"""Composition of the labelling service: its definition, runtime, API app and CLI entry."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling import recognitions
from cap_labelling.config import Settings
from cap_labelling.events.handlers import HANDLERS
from cap_labelling.imports import routes as import_routes
from cap_labelling.level_rules import routes as level_rule_routes
from cap_labelling.level_rules import service as level_rules
from cap_labelling.models import tables
from cap_labelling.routes import ROUTERS
from cap_shared.jobs import JobContext, PeriodicJob
from cap_shared.service import ServiceDefinition


def _settings(context: JobContext) -> Settings:
    settings = context.settings
    assert isinstance(settings, Settings)
    return settings


async def recognition_lifecycle(session: AsyncSession, context: JobContext) -> int:
    """Expiry, withdrawal after the suspension period, suspension for a missed surveillance;
    then the expiry (90/30/7 days) and surveillance notices."""
    lifecycle = _settings(context).lifecycle
    changed = await recognitions.apply_calendar(session, context.today, context.now, lifecycle)
    return changed + await recognitions.publish_notices(session, context.today, lifecycle)


SERVICE = ServiceDefinition(
    name="labelling",
    title="CAP — labelling service",
    description=(
        "Applications, eligibility, committee decisions, recognitions (labels and certificates) and the public registry."
    ),
    settings=Settings,
    tables=tables,
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    # The import routes first: /v1/recognitions/imports is not a recognition id.
    routers=(*import_routes.ROUTERS, *ROUTERS, *level_rule_routes.ROUTERS),
    # The shipped level rules, for referential versions that have none stored yet.
    after_migrate=(level_rules.seed,),
    jobs=(PeriodicJob("recognition-lifecycle", recognition_lifecycle, interval_s=3600),),
)

MIGRATIONS = SERVICE.migrations
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
ENTRY = SERVICE.entry()
