"""The audit trail's periodic jobs, run by every service's worker: ``audit-anchor`` (the head,
outside the database) and ``audit-purge`` (retention, keeping the chain verifiable)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.audit.anchors import AnchorFile
from cap_shared.audit.chain import anchor_head, purge_before, retention_cutoff
from cap_shared.jobs import JobContext, PeriodicJob
from cap_shared.settings import BaseServiceSettings

ANCHOR_JOB = "audit-anchor"
PURGE_JOB = "audit-purge"


def audit_jobs(settings: BaseServiceSettings, table: sa.Table) -> tuple[PeriodicJob, ...]:
    """The anchor and purge jobs of a service (intervals from its settings)."""
    service = settings.service_name

    async def anchor(session: AsyncSession, context: JobContext) -> int:
        directory = getattr(context.settings, "audit_anchor_dir", settings.audit_anchor_dir)
        written = await anchor_head(session, table, AnchorFile.of(directory, service))
        return 0 if written is None else 1

    async def purge(session: AsyncSession, context: JobContext) -> int:
        days = getattr(context.settings, "audit_retention_days", settings.audit_retention_days)
        return await purge_before(session, table, retention_cutoff(context.now, days))

    return (
        PeriodicJob(ANCHOR_JOB, anchor, interval_s=settings.audit_anchor_interval_s),
        PeriodicJob(PURGE_JOB, purge, interval_s=settings.audit_purge_interval_s),
    )
