"""Every query of the audit service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_audit.models import (
    ActiveRecognition,
    Assignment,
    Auditor,
    Engagement,
    Finding,
    Organisation,
)

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

    async def engagements(self, auditor_id: str, organisation_id: str) -> list[tuple[str, date]]:
        query = sa.select(col(Engagement.kind), col(Engagement.on)).where(
            col(Engagement.auditor_id) == auditor_id,
            col(Engagement.organisation_id) == organisation_id,
        )
        return [(k, d) for k, d in (await self.session.execute(query)).all()]

    async def recognition_active(self, organisation_id: str, scheme: str) -> bool:
        query = sa.select(sa.func.count()).where(
            col(ActiveRecognition.organisation_id) == organisation_id,
            col(ActiveRecognition.scheme) == scheme,
            col(ActiveRecognition.status) == "active",
        )
        return bool((await self.session.execute(query)).scalar_one())

    async def save_recognition(self, recognition: ActiveRecognition) -> None:
        stored = await self.session.get(ActiveRecognition, recognition.id)
        if stored is not None and stored.changed_at >= recognition.changed_at:
            return
        await self.session.merge(recognition)
        await self.session.flush()

    async def findings_due(self, statuses: Sequence[str], until: date) -> Sequence[Finding]:
        query = sa.select(Finding).where(
            col(Finding.status).in_(statuses), col(Finding.response_due) <= until
        )
        return (await self.session.execute(query)).scalars().all()
