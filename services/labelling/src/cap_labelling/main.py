"""Composition of the labelling service: its definition, runtime, API app and CLI entry."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.appeals import routes as appeals
from cap_labelling.applications import routes as applications
from cap_labelling.complaints import routes as complaints
from cap_labelling.config import Settings
from cap_labelling.decisions import routes as decisions
from cap_labelling.events.handlers import HANDLERS
from cap_labelling.group_invitations import routes as group_invitations
from cap_labelling.impartiality import routes as impartiality
from cap_labelling.imports import routes as import_routes
from cap_labelling.level_rules import routes as level_rule_routes
from cap_labelling.level_rules import service as level_rules
from cap_labelling.models import tables
from cap_labelling.recognitions import calendar
from cap_labelling.recognitions import routes as recognitions
from cap_labelling.registry import routes as registry
from cap_labelling.schemes import routes as schemes
from cap_labelling.schemes import service as scheme_parameters
from cap_shared.jobs import JobContext, PeriodicJob
from cap_shared.service import ServiceDefinition


def _settings(context: JobContext) -> Settings:
    """The labelling settings of the job's runtime."""
    settings = context.settings
    assert isinstance(settings, Settings)
    return settings


async def recognition_lifecycle(session: AsyncSession, context: JobContext) -> int:
    """Expiry, withdrawal after the suspension period, suspension for a missed surveillance;
    then the expiry (90/30/7 days) and surveillance notices."""
    lifecycle = _settings(context).lifecycle
    changed = await calendar.apply_calendar(
        session, today=context.today, now=context.now, lifecycle=lifecycle
    )
    return changed + await calendar.publish_notices(
        session, today=context.today, lifecycle=lifecycle
    )


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
    # The public registry first: routes are matched in order, and its verification is the
    # service's most-called route (every cache miss of the gateway; its paths are its own).
    # Then the import routes: /v1/recognitions/imports is not a recognition id.
    routers=(
        registry.router,
        *import_routes.ROUTERS,
        applications.router,
        group_invitations.router,
        decisions.router,
        appeals.router,
        recognitions.router,
        complaints.router,
        *level_rule_routes.ROUTERS,
        impartiality.router,
        schemes.router,
    ),
    # The shipped level rules, for referential versions that have none stored yet; the scheme
    # parameters loaded, in the audit trail when they changed.
    after_migrate=(level_rules.seed, scheme_parameters.record_loaded),
    jobs=(PeriodicJob("recognition-lifecycle", recognition_lifecycle, interval_s=3600),),
)

MIGRATIONS = SERVICE.migrations
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
ENTRY = SERVICE.entry()
