"""Composition of the audit service: its definition, runtime, API app and CLI entry."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit.appeals.routes import finding_appeals
from cap_audit.audits.routes import audit_routes
from cap_audit.audits.service import stage2_required
from cap_audit.bodies.routes import auditors, bodies
from cap_audit.certifier import connector
from cap_audit.certifier.contract import platform_calls
from cap_audit.certifier.routes import certifier, secrets
from cap_audit.config import Settings
from cap_audit.events.handlers import HANDLERS
from cap_audit.findings.routes import audit_findings, findings
from cap_audit.findings.service import nc_deadlines
from cap_audit.maturity.routes import audit_maturity
from cap_audit.models import tables
from cap_audit.programmes.routes import programmes
from cap_audit.schemes.service import record_loaded
from cap_shared.jobs import JobContext, PeriodicJob
from cap_shared.service import ServiceDefinition


def _settings(context: JobContext) -> Settings:
    settings = context.settings
    assert isinstance(settings, Settings)
    return settings


async def nonconformity_deadlines(session: AsyncSession, context: JobContext) -> int:
    """Reminders before, escalations after, each open nonconformity's deadline; answered
    majors not verified in time; deciding audits whose majors were not verified within
    ``major_verification_months`` (a new stage 2)."""
    settings = _settings(context)
    sent = await nc_deadlines(session, context.today, reminder_days=settings.nc_reminder_days)
    return sent + await stage2_required(session, context.today, settings=settings)


async def body_deliveries(session: AsyncSession, context: JobContext) -> int:
    """Send the audit requests due to certification bodies' systems."""
    return await connector.send_due(session, context.now, _settings(context))


async def reconcile_audits(session: AsyncSession, context: JobContext) -> int:
    """Catch lost callbacks: ask bodies about audits that have not moved for a while."""
    return await connector.reconcile(session, context.now, _settings(context), context.clock)


#: Every feature's routes.
ROUTERS = (
    bodies,
    auditors,
    programmes,
    audit_routes,
    audit_findings,
    audit_maturity,
    findings,
    finding_appeals,
    certifier,
    secrets,
)

SERVICE = ServiceDefinition(
    name="audit",
    title="CAP — audit service",
    description=(
        "Certification bodies, auditors, audit programmes, audits, findings, corrective actions, reports and the certification-body integration."
    ),
    settings=Settings,
    tables=tables,
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    routers=ROUTERS,
    webhooks=(platform_calls(),),
    # The scheme parameters loaded, in the audit trail when they changed.
    after_migrate=(record_loaded,),
    jobs=(
        PeriodicJob("nonconformity-deadlines", nonconformity_deadlines, interval_s=3600),
        PeriodicJob("body-deliveries", body_deliveries, interval_s=5),
        PeriodicJob("reconcile-audits", reconcile_audits, interval_s=3600),
    ),
)

MIGRATIONS = SERVICE.migrations
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
ENTRY = SERVICE.entry()
