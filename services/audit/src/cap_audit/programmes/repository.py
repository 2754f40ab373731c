"""Every query of audit programmes and of the recognitions they follow."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_audit.audits.repository import Reach, reach_filter
from cap_audit.models import ActiveRecognition, Programme
from cap_shared.db.memo import TransactionMemo
from cap_shared.pagination import Keyset, key
from cap_shared.readmodel import ReadModelRepository

#: The list's stable order (keyset; the last key is unique).
PROGRAMME_KEYS = Keyset(
    "audit-programmes",
    key(col(Programme.created_at), datetime),
    key(col(Programme.id), str),
)


#: The programmes read in this transaction (by id), kept alive so that ``Session.get`` finds
#: them again without a query (its identity map is weak).
_KEPT: TransactionMemo[str, Programme] = TransactionMemo("cap_audit_programmes")


class ProgrammeRepository:
    """Audit programmes, and the recognitions read model."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, programme: Programme) -> None:
        """Insert or update a programme now."""
        self.session.add(programme)
        await self.session.flush()

    async def get(self, programme_id: str) -> Programme | None:
        """One programme, or None (read once per transaction: the session's identity map only
        holds weak references, so the row is kept here until the transaction ends)."""
        programme = await self.session.get(Programme, programme_id)
        if programme is not None:
            _KEPT.put(self.session, programme_id, programme)
        return programme

    async def of_application(self, application_id: str) -> Programme | None:
        """The programme opened for a labelling application, if any."""
        query = sa.select(Programme).where(col(Programme.application_id) == application_id)
        return (await self.session.execute(query)).scalars().first()

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

    async def page(
        self,
        reach: Reach | None,
        *,
        organisation_id: str | None,
        scheme: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Programme], str | None]:
        """A page of the programmes within ``reach``, oldest first."""
        query = sa.select(Programme)
        seen = reach_filter(
            reach,
            organisation=col(Programme.organisation_id),
            body=col(Programme.certification_body_id),
        )
        if seen is not None:
            query = query.where(seen)
        if organisation_id:
            query = query.where(col(Programme.organisation_id) == organisation_id)
        if scheme:
            query = query.where(col(Programme.scheme) == scheme)
        return await PROGRAMME_KEYS.fetch(self.session, query, cursor=cursor, limit=limit)

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
        return await ReadModelRepository(
            session=self.session, model=ActiveRecognition
        ).save_if_newer(recognition, version="changed_at")
