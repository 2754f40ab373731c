"""Every query of the labelling service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling.models import CompletedDiagnostic, Nonconformity, Organisation


class OrganisationRepository:
    """The organisation read model."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, *, organisation_id: str) -> Organisation | None:
        """One organisation, or None."""
        return await self.session.get(Organisation, organisation_id)

    async def save(self, organisation: Organisation) -> Organisation:
        """Insert or replace an organisation (events may be replayed)."""
        merged = await self.session.merge(organisation)
        await self.session.flush()
        return merged


class DiagnosticRepository:
    """The completed-diagnostic read model."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save(self, diagnostic: CompletedDiagnostic) -> CompletedDiagnostic:
        """Insert or replace (a redelivered event changes nothing)."""
        merged = await self.session.merge(diagnostic)
        await self.session.flush()
        return merged

    async def latest_cap(self, organisation_id: str) -> CompletedDiagnostic | None:
        """The organisation's most recent completed diagnostic on the CAP referential."""
        return await self.latest(organisation_id, "CAP")

    async def audit_evaluation(
        self, *, audit_id: str, organisation_id: str
    ) -> CompletedDiagnostic | None:
        """The auditor's evaluation of ``organisation_id`` (one site) in audit ``audit_id``."""
        query = (
            sa.select(CompletedDiagnostic)
            .where(
                col(CompletedDiagnostic.audit_id) == audit_id,
                col(CompletedDiagnostic.organisation_id) == organisation_id,
                col(CompletedDiagnostic.kind) == "audit_evaluation",
            )
            .order_by(col(CompletedDiagnostic.completed_at).desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def latest(
        self, organisation_id: str, referential_code: str, *, kind: str | None = None
    ) -> CompletedDiagnostic | None:
        """The organisation's most recent completed diagnostic on a referential (of one kind)."""
        query = sa.select(CompletedDiagnostic).where(
            col(CompletedDiagnostic.organisation_id) == organisation_id,
            col(CompletedDiagnostic.referential_code) == referential_code,
        )
        if kind is not None:
            query = query.where(col(CompletedDiagnostic.kind) == kind)
        query = query.order_by(col(CompletedDiagnostic.completed_at).desc()).limit(1)
        return (await self.session.execute(query)).scalar_one_or_none()


#: Nonconformity statuses that no longer count: verified closed, or withdrawn on appeal.
SETTLED = ("verified_closed", "withdrawn")


async def open_majors(
    session: AsyncSession, organisation_id: str, scheme: str, *, overdue_only: bool = False
) -> int:
    """Major nonconformities of the organisation not verified closed (past their deadline only):
    found at the organisation itself, or at it as a site of a group's audit."""
    site = col(Nonconformity.site_id)
    query = sa.select(sa.func.count()).where(
        sa.or_(
            site == organisation_id,
            sa.and_(col(Nonconformity.organisation_id) == organisation_id, site.is_(None)),
        ),
        col(Nonconformity.scheme) == scheme,
        col(Nonconformity.type) == "major_nc",
        col(Nonconformity.status).not_in(SETTLED),
    )
    if overdue_only:
        query = query.where(col(Nonconformity.overdue).is_(True))
    return int((await session.execute(query)).scalar_one())


async def open_majors_of_audit(session: AsyncSession, audit_id: str) -> list[Nonconformity]:
    """The audit's major nonconformities not verified closed (answered and plan-accepted ones
    included: only verification closes a major), oldest deadline first."""
    query = (
        sa.select(Nonconformity)
        .where(
            col(Nonconformity.audit_id) == audit_id,
            col(Nonconformity.type) == "major_nc",
            col(Nonconformity.status).not_in(SETTLED),
        )
        .order_by(col(Nonconformity.response_due), col(Nonconformity.finding_id))
    )
    return list((await session.execute(query)).scalars().all())
