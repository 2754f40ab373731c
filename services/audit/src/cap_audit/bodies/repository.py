"""Every query of certification bodies, their auditors and the auditors' engagements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_audit.models import Audit, Auditor, CertificationBody, Engagement
from cap_shared.pagination import Keyset, key

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


def _engagements_of(auditor: Auditor) -> sa.Select[Engagement]:
    """Engagements recorded for ``auditor`` or for their platform account."""
    who = [col(Engagement.auditor_id) == auditor.id]
    if auditor.user_id:
        who.append(col(Engagement.user_id) == auditor.user_id)
    return sa.select(Engagement).where(sa.or_(*who))


class BodyRepository:
    """Certification bodies, auditors and engagements."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: Any) -> None:
        """Insert or update a body, an auditor or an engagement now."""
        self.session.add(row)
        await self.session.flush()

    async def body(self, body_id: str, *, for_update: bool = False) -> CertificationBody | None:
        """One certification body, or None; ``for_update`` locks it."""
        if for_update:
            return await self.session.get(CertificationBody, body_id, with_for_update=True)
        return await self.session.get(CertificationBody, body_id)

    async def auditor(self, auditor_id: str, *, for_update: bool = False) -> Auditor | None:
        """One auditor, or None; ``for_update`` locks it."""
        if for_update:
            return await self.session.get(Auditor, auditor_id, with_for_update=True)
        return await self.session.get(Auditor, auditor_id)

    async def bodies_page(
        self, *, active: bool | None, cursor: str | None, limit: int
    ) -> tuple[list[CertificationBody], str | None]:
        """A page of bodies by name."""
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
        """A page of auditors by name."""
        query = sa.select(Auditor)
        if certification_body_id:
            query = query.where(col(Auditor.certification_body_id) == certification_body_id)
        if active is not None:
            query = query.where(col(Auditor.active) == active)
        return await AUDITOR_KEYS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def engagements_page(
        self, auditor: Auditor, *, organisation_id: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Engagement], str | None]:
        """A page of the engagements of the person behind ``auditor``, oldest first."""
        query = _engagements_of(auditor)
        if organisation_id:
            query = query.where(col(Engagement.organisation_id) == organisation_id)
        return await ENGAGEMENT_KEYS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def engagements_of(
        self, auditor: Auditor, organisation_ids: Sequence[str] | None = None
    ) -> Sequence[Engagement]:
        """The engagements of the person behind ``auditor``: recorded for this auditor, or for
        their platform account (a facilitator's accompaniment), optionally with some
        organisations only, oldest first."""
        query = _engagements_of(auditor)
        if organisation_ids is not None:
            query = query.where(col(Engagement.organisation_id).in_(organisation_ids))
        return (await self.session.execute(query.order_by(col(Engagement.on)))).scalars().all()

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

    async def auditors_with_user(self, user_id: str) -> Sequence[Auditor]:
        """Registry entries of one platform account."""
        query = sa.select(Auditor).where(col(Auditor.user_id) == user_id)
        return (await self.session.execute(query)).scalars().all()

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
