"""Every query of the audit service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_audit.models import (
    ActiveRecognition,
    Assignment,
    Audit,
    Auditor,
    BodySecret,
    CertificationBody,
    Engagement,
    Finding,
    FindingAppeal,
    InboundWebhook,
    Organisation,
    Programme,
)
from cap_shared.pagination import Keyset, key

T = TypeVar("T")


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


#: The lists' stable orders (the last key is unique).
BODY_KEYS = Keyset(
    "certification-bodies",
    key(col(CertificationBody.name), str),
    key(col(CertificationBody.id), str),
)
AUDITOR_KEYS = Keyset("auditors", key(col(Auditor.name), str), key(col(Auditor.id), str))
ENGAGEMENT_KEYS = Keyset(
    "auditor-engagements",
    key(col(Engagement.recorded_at), datetime),
    key(col(Engagement.id), str),
)
SECRET_KEYS = Keyset(
    "webhook-secrets",
    key(col(BodySecret.created_at), datetime),
    key(col(BodySecret.id), str),
)


class AuditRepository:
    """Bodies, auditors, programmes, audits, teams, findings."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, item: Any) -> None:
        self.session.add(item)
        await self.session.flush()

    async def get(self, model: type[T], key: Any, *, for_update: bool = False) -> T | None:
        if for_update:
            return await self.session.get(model, key, with_for_update=True)
        return await self.session.get(model, key)

    async def claim_webhook(
        self, *, body_id: str, webhook_id: str, kind: str, received_at: Any
    ) -> bool:
        """Record a body's webhook id as applied, in this transaction; False if it already is.

        A concurrent claim of the same id waits on the primary key until the other transaction
        ends: it finds the id taken once that one commits, and takes it if it rolls back.
        """
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        claimed = await self.session.execute(
            insert(InboundWebhook)
            .values(
                certification_body_id=body_id,
                webhook_id=webhook_id,
                type=kind,
                received_at=received_at,
            )
            .on_conflict_do_nothing(index_elements=["certification_body_id", "webhook_id"])
            .returning(col(InboundWebhook.webhook_id))
        )
        return claimed.first() is not None

    async def planner_user_ids(self, *, body_id: str) -> list[str]:
        """The platform accounts of the body's active planners."""
        query = (
            sa.select(col(Auditor.user_id))
            .where(
                col(Auditor.certification_body_id) == body_id,
                col(Auditor.planner).is_(True),
                col(Auditor.active).is_(True),
                col(Auditor.user_id).is_not(None),
            )
            .order_by(col(Auditor.user_id))
        )
        return sorted({str(u) for u in (await self.session.execute(query)).scalars()})

    async def all(self, model: type[T], *where: Any, order: Any = None) -> Sequence[T]:
        query = sa.select(model).where(*where)
        if order is not None:
            query = query.order_by(order)
        return (await self.session.execute(query)).scalars().all()

    async def visible_organisation_ids(
        self, organisation_ids: Sequence[str], regions: Sequence[str]
    ) -> Sequence[str]:
        """Organisations among ``organisation_ids`` or in ``regions``."""
        if not organisation_ids and not regions:
            return []
        query = sa.select(col(Organisation.id)).where(
            sa.or_(
                col(Organisation.id).in_(organisation_ids),
                col(Organisation.region).in_(regions),
            )
        )
        return (await self.session.execute(query)).scalars().all()

    async def team(self, audit_id: str) -> Sequence[tuple[Assignment, Auditor]]:
        query = (
            sa.select(Assignment, Auditor)
            .join(Auditor, col(Auditor.id) == col(Assignment.auditor_id))
            .where(col(Assignment.audit_id) == audit_id)
            .order_by(col(Assignment.role) != "lead", col(Auditor.name))
        )
        return [(a, b) for a, b in (await self.session.execute(query)).all()]

    async def clear_team(self, audit_id: str) -> None:
        await self.session.execute(
            sa.delete(Assignment).where(col(Assignment.audit_id) == audit_id)
        )

    async def audits_assigned_to(self, user_id: str) -> list[str]:
        query = (
            sa.select(col(Assignment.audit_id))
            .join(Auditor, col(Auditor.id) == col(Assignment.auditor_id))
            .where(col(Auditor.user_id) == user_id)
        )
        return list((await self.session.execute(query)).scalars().all())

    async def engagements_of(
        self, auditor: Auditor, organisation_ids: Sequence[str] | None = None
    ) -> Sequence[Engagement]:
        """The engagements of the person behind ``auditor``: recorded for this auditor, or for
        their platform account (a facilitator's accompaniment), optionally with some
        organisations only, oldest first."""
        query = self.engagements_query(auditor)
        if organisation_ids is not None:
            query = query.where(col(Engagement.organisation_id).in_(organisation_ids))
        return (await self.session.execute(query.order_by(col(Engagement.on)))).scalars().all()

    # lists (keyset pages: cap_shared.pagination) -----------------------------------------
    async def bodies_page(
        self, *, active: bool | None, cursor: str | None, limit: int
    ) -> tuple[list[CertificationBody], str | None]:
        query = sa.select(CertificationBody)
        if active is not None:
            query = query.where(col(CertificationBody.active) == active)
        return await BODY_KEYS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def auditors_page(
        self,
        *,
        certification_body_id: str | None,
        active: bool | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Auditor], str | None]:
        query = sa.select(Auditor)
        if certification_body_id:
            query = query.where(col(Auditor.certification_body_id) == certification_body_id)
        if active is not None:
            query = query.where(col(Auditor.active) == active)
        return await AUDITOR_KEYS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def engagements_page(
        self, auditor: Auditor, *, organisation_id: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Engagement], str | None]:
        query = self.engagements_query(auditor)
        if organisation_id:
            query = query.where(col(Engagement.organisation_id) == organisation_id)
        return await ENGAGEMENT_KEYS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def secrets_page(
        self, body_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[BodySecret], str | None]:
        query = sa.select(BodySecret).where(col(BodySecret.certification_body_id) == body_id)
        return await SECRET_KEYS.fetch(self.session, query, cursor=cursor, limit=limit)

    @staticmethod
    def engagements_query(auditor: Auditor) -> sa.Select[Engagement]:
        """Engagements recorded for ``auditor`` or for their platform account."""
        who = [col(Engagement.auditor_id) == auditor.id]
        if auditor.user_id:
            who.append(col(Engagement.user_id) == auditor.user_id)
        return sa.select(Engagement).where(sa.or_(*who))

    async def auditors_with_user(self, user_id: str) -> Sequence[Auditor]:
        """Registry entries of one platform account."""
        return await self.all(Auditor, col(Auditor.user_id) == user_id)

    async def lead_cycles(self, auditor: Auditor, programme_id: str) -> set[int]:
        """Cycles of the programme in which the person behind ``auditor`` led an audit to its
        closure (their ``audited`` engagements as lead)."""
        ids = {auditor.id}
        if auditor.user_id:
            ids |= {a.id for a in await self.auditors_with_user(auditor.user_id)}
        query = (
            sa.select(col(Audit.cycle))
            .join(Engagement, col(Engagement.audit_id) == col(Audit.id))
            .where(
                col(Engagement.kind) == "audited",
                col(Engagement.role) == "lead",
                col(Engagement.auditor_id).in_(sorted(ids)),
                col(Audit.programme_id) == programme_id,
            )
        )
        return set((await self.session.execute(query)).scalars().all())

    async def has_session_engagement(self, user_id: str, diagnostic_id: str) -> bool:
        """Whether this account's accompaniment of that CAP session is recorded."""
        query = sa.select(sa.func.count()).where(
            col(Engagement.user_id) == user_id, col(Engagement.diagnostic_id) == diagnostic_id
        )
        return bool((await self.session.execute(query)).scalar_one())

    async def latest_programme(self, organisation_id: str, scheme: str) -> Programme | None:
        """The organisation's most recent programme for the scheme (locked)."""
        query = (
            sa.select(Programme)
            .where(
                col(Programme.organisation_id) == organisation_id,
                col(Programme.scheme) == scheme,
            )
            .order_by(col(Programme.accepted_on).desc(), col(Programme.created_at).desc())
            .limit(1)
            .with_for_update()
        )
        return (await self.session.execute(query)).scalars().first()

    async def earlier_findings(self, programme_id: str, audit_id: str) -> Sequence[Finding]:
        """Findings of the programme's other audits whose report was submitted (locked)."""
        query = (
            sa.select(Finding)
            .join(Audit, col(Audit.id) == col(Finding.audit_id))
            .where(
                col(Audit.programme_id) == programme_id,
                col(Audit.id) != audit_id,
                col(Audit.report_submitted_at).is_not(None),
            )
            .order_by(col(Finding.created_at))
            .with_for_update(of=Finding)
        )
        return (await self.session.execute(query)).scalars().all()

    async def deciding_findings(self, audit_id: str) -> Sequence[Finding]:
        """The audit's findings and those its report escalated (from earlier audits)."""
        query = self.deciding_findings_query(audit_id).order_by(col(Finding.created_at))
        return (await self.session.execute(query)).scalars().all()

    @staticmethod
    def deciding_findings_query(audit_id: str) -> sa.Select[Finding]:
        return sa.select(Finding).where(
            sa.or_(
                col(Finding.audit_id) == audit_id,
                col(Finding.escalated_by_audit_id) == audit_id,
            )
        )

    async def answered_majors(self, statuses: Sequence[str], until: date) -> Sequence[Finding]:
        """Majors in ``statuses`` whose verification deadline is before ``until``."""
        query = sa.select(Finding).where(
            col(Finding.type) == "major_nc",
            col(Finding.status).in_(statuses),
            col(Finding.verification_due) < until,
        )
        return (await self.session.execute(query)).scalars().all()

    async def reported_audits(self, types: Sequence[str]) -> Sequence[Audit]:
        """Audits of ``types`` whose report is submitted and for which no new stage 2 was
        called yet (the daily new-stage-2 check)."""
        query = sa.select(Audit).where(
            col(Audit.type).in_(types),
            col(Audit.status).in_(["report_submitted", "closed"]),
            col(Audit.stage2_required_on).is_(None),
        )
        return (await self.session.execute(query)).scalars().all()

    async def appeals_of(self, finding_ids: Sequence[str]) -> dict[str, FindingAppeal]:
        """The appeals of these findings, by finding."""
        if not finding_ids:
            return {}
        query = sa.select(FindingAppeal).where(col(FindingAppeal.finding_id).in_(finding_ids))
        return {a.finding_id: a for a in (await self.session.execute(query)).scalars().all()}

    async def recognition_in_force(self, organisation_id: str, scheme: str) -> bool:
        """Whether the organisation holds a recognition of ``scheme`` in force (active or
        suspended)."""
        query = sa.select(sa.func.count()).where(
            col(ActiveRecognition.organisation_id) == organisation_id,
            col(ActiveRecognition.scheme) == scheme,
            col(ActiveRecognition.status).in_(["active", "suspended"]),
        )
        return bool((await self.session.execute(query)).scalar_one())

    async def save_recognition(self, recognition: ActiveRecognition) -> bool:
        """Keep the recognition's latest state; False when an older change arrives late."""
        stored = await self.session.get(ActiveRecognition, recognition.id)
        if stored is not None and stored.changed_at >= recognition.changed_at:
            return False
        await self.session.merge(recognition)
        await self.session.flush()
        return True

    async def findings_due(self, statuses: Sequence[str], until: date) -> Sequence[Finding]:
        query = sa.select(Finding).where(
            col(Finding.status).in_(statuses), col(Finding.response_due) <= until
        )
        return (await self.session.execute(query)).scalars().all()
