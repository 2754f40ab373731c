"""The queries on the read models every feature of the labelling service shares: member
structures, completed diagnostics, audit reports and their nonconformities."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key
from sqlmodel import col

from cap_labelling.models import AuditReport, CompletedDiagnostic, Nonconformity, Organisation
from cap_shared.readmodel import ReadModelRepository


class DiagnosticRepository:
    """The completed-diagnostic read model."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save(self, diagnostic: CompletedDiagnostic) -> CompletedDiagnostic:
        """Insert or replace (a redelivered event changes nothing)."""
        return await ReadModelRepository(self.session, CompletedDiagnostic).save(diagnostic)

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

    async def audit_evaluations(
        self, *, audit_ids: Iterable[str], organisation_ids: Iterable[str]
    ) -> dict[tuple[str, str], CompletedDiagnostic]:
        """The auditor's latest evaluation of each of ``organisation_ids`` in each of
        ``audit_ids`` that has one, by (audit, structure), in one query (a page of files)."""
        audits, organisations = sorted(set(audit_ids)), sorted(set(organisation_ids))
        if not audits or not organisations:
            return {}
        query = (
            sa.select(CompletedDiagnostic)
            .where(
                col(CompletedDiagnostic.audit_id).in_(audits),
                col(CompletedDiagnostic.organisation_id).in_(organisations),
                col(CompletedDiagnostic.kind) == "audit_evaluation",
            )
            .order_by(col(CompletedDiagnostic.completed_at).desc())
        )
        found: dict[tuple[str, str], CompletedDiagnostic] = {}
        for row in (await self.session.execute(query)).scalars():
            assert row.audit_id is not None  # filtered on it
            found.setdefault((row.audit_id, row.organisation_id), row)
        return found

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


class StructureRepository:
    """The member structures' read model, beyond one row (:class:`ReadModelRepository`)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, organisation_id: str) -> Organisation | None:
        """One structure, or None."""
        return await ReadModelRepository(self.session, Organisation).get(organisation_id)

    async def ids_of(self, *, ids: Iterable[str], regions: Iterable[str]) -> set[str]:
        """The structures among ``ids`` or in ``regions``, in one query."""
        query = sa.select(col(Organisation.id)).where(
            sa.or_(
                col(Organisation.id).in_(sorted(ids)), col(Organisation.region).in_(sorted(regions))
            )
        )
        return set((await self.session.execute(query)).scalars().all())

    async def by_id(self, ids: set[str]) -> dict[str, Organisation]:
        """The structures of ``ids`` that are known, by id."""
        if not ids:
            return {}
        query = sa.select(Organisation).where(col(Organisation.id).in_(sorted(ids)))
        return {o.id: o for o in (await self.session.execute(query)).scalars()}


def readable_scope(
    readable: set[str] | None, *, organisation: Any, members: Any
) -> sa.ColumnElement[bool]:
    """SQL: a row of a readable structure (None: all), as applicant or as a member of its group
    (the JSON list of ids, matched as a quoted string in its text on both databases)."""
    if readable is None:
        return sa.true()
    ids = sorted(readable)
    if not ids:
        return sa.false()
    text = sa.cast(members, sa.Text)
    return sa.or_(organisation.in_(ids), *(text.contains(f'"{i}"', autoescape=True) for i in ids))


def readable_rows(model: Any, readable: set[str] | None, **equal: str | None) -> Any:
    """SQL: the ``model`` rows of the readable structures (as applicant or group member), each
    ``column=value`` of ``equal`` that has a value applied (applications, files, recognitions)."""
    query = sa.select(model).where(
        readable_scope(
            readable,
            organisation=col(model.organisation_id),
            members=col(model.group_member_ids),
        )
    )
    for column, value in equal.items():
        if value:
            query = query.where(col(getattr(model, column)) == value)
    return query


class AuditReportRepository:
    """The audit reports this service keeps (the deciding ones, and surveillances)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, audit_id: str | None, *, for_update: bool = False) -> AuditReport | None:
        """One report, or None (also for no audit)."""
        if audit_id is None:
            return None
        return await self.session.get(AuditReport, audit_id, with_for_update=for_update)

    async def by_ids(self, audit_ids: Iterable[str]) -> dict[str, AuditReport]:
        """The reports of ``audit_ids`` that are kept, by audit (those the session holds fully
        loaded are not read again, as :meth:`get` does not), in at most one query."""
        wanted = set(audit_ids)
        found: dict[str, AuditReport] = {}
        for audit_id in wanted:
            held = self.session.identity_map.get(identity_key(AuditReport, audit_id))
            if isinstance(held, AuditReport) and not sa.inspect(held).unloaded:
                found[audit_id] = held
        missing = sorted(wanted - found.keys())
        if missing:
            query = sa.select(AuditReport).where(col(AuditReport.audit_id).in_(missing))
            found.update({r.audit_id: r for r in (await self.session.execute(query)).scalars()})
        return found

    async def add(self, report: AuditReport) -> None:
        """Keep a new report."""
        self.session.add(report)


#: Nonconformity statuses that no longer count: verified closed, or withdrawn on appeal.
SETTLED = ("verified_closed", "withdrawn")


class NonconformityRepository:
    """The nonconformities of the audits (kept from the audit service's events)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, finding_id: str, *, for_update: bool = False) -> Nonconformity | None:
        """One nonconformity, or None."""
        return await self.session.get(Nonconformity, finding_id, with_for_update=for_update)

    async def add(self, finding: Nonconformity) -> None:
        """Keep a new nonconformity."""
        self.session.add(finding)

    async def save(self, finding: Nonconformity) -> None:
        """Insert or replace a nonconformity (a report may be delivered more than once)."""
        await self.session.merge(finding)

    async def flush(self) -> None:
        """Write the pending changes."""
        await self.session.flush()

    async def count_open_majors(
        self, organisation_id: str, *, scheme: str, overdue_only: bool = False
    ) -> int:
        """Major nonconformities of the organisation not verified closed (past their deadline
        only): found at the organisation itself, or at it as a site of a group's audit."""
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
        return int((await self.session.execute(query)).scalar_one())

    async def count_open_majors_of(
        self, organisation_ids: Iterable[str], *, scheme: str
    ) -> dict[str, int]:
        """:meth:`count_open_majors` for each of ``organisation_ids`` (0 included), in one
        query: a major counts for its site, else for the audited structure."""
        ids = sorted(set(organisation_ids))
        if not ids:
            return {}
        site = col(Nonconformity.site_id)
        counted = sa.func.coalesce(site, col(Nonconformity.organisation_id))
        query = (
            sa.select(counted, sa.func.count())
            .where(
                sa.or_(
                    site.in_(ids),
                    sa.and_(col(Nonconformity.organisation_id).in_(ids), site.is_(None)),
                ),
                col(Nonconformity.scheme) == scheme,
                col(Nonconformity.type) == "major_nc",
                col(Nonconformity.status).not_in(SETTLED),
            )
            .group_by(counted)
        )
        counts = dict.fromkeys(ids, 0)
        counts.update({m: int(n) for m, n in (await self.session.execute(query)).all()})
        return counts

    async def open_majors_of_audit(self, audit_id: str) -> list[Nonconformity]:
        """The audit's major nonconformities not verified closed (answered and plan-accepted
        ones included: only verification closes a major), oldest deadline first."""
        return (await self.open_majors_of_audits([audit_id]))[audit_id]

    async def open_majors_of_audits(
        self, audit_ids: Iterable[str]
    ) -> dict[str, list[Nonconformity]]:
        """:meth:`open_majors_of_audit` for each of ``audit_ids`` (an empty list included), in
        one query."""
        ids = sorted(set(audit_ids))
        found: dict[str, list[Nonconformity]] = {a: [] for a in ids}
        if not ids:
            return found
        query = (
            sa.select(Nonconformity)
            .where(
                col(Nonconformity.audit_id).in_(ids),
                col(Nonconformity.type) == "major_nc",
                col(Nonconformity.status).not_in(SETTLED),
            )
            .order_by(col(Nonconformity.response_due), col(Nonconformity.finding_id))
        )
        for major in (await self.session.execute(query)).scalars():
            found[major.audit_id].append(major)
        return found
