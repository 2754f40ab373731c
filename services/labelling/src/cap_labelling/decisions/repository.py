"""Every query on decision files and their appeals."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling.models import DecisionFile
from cap_labelling.repository import readable_rows
from cap_labelling.rules import OPEN_DECISIONS, DecisionStatus, Scheme
from cap_shared.pagination import newest_first

#: Newest first (created_at, id descending).
KEYS = newest_first("decisions", col(DecisionFile.created_at), col(DecisionFile.id))


class DecisionFileRepository:
    """Decision files, by id, by audit, or the open one of a structure and scheme."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, file_id: str, *, for_update: bool = False) -> DecisionFile | None:
        """One file, or None."""
        return await self.session.get(DecisionFile, file_id, with_for_update=for_update)

    async def add(self, file: DecisionFile) -> None:
        """Insert a file (flushed with the next change)."""
        self.session.add(file)

    async def flush(self) -> None:
        """Write the pending changes."""
        await self.session.flush()

    async def of_audit(
        self, audit_id: str, *, status: DecisionStatus | None = None
    ) -> list[DecisionFile]:
        """The files resting on an audit (in one status), locked until the transaction ends."""
        query = sa.select(DecisionFile).where(col(DecisionFile.audit_id) == audit_id)
        if status is not None:
            query = query.where(col(DecisionFile.status) == status.value)
        return list((await self.session.execute(query.with_for_update())).scalars().all())

    async def decided_on_audit(self, audit_id: str) -> DecisionFile | None:
        """A file already decided on an audit, if any."""
        query = sa.select(DecisionFile).where(
            col(DecisionFile.audit_id) == audit_id,
            col(DecisionFile.status).not_in([s.value for s in OPEN_DECISIONS]),
        )
        return (await self.session.execute(query)).scalars().first()

    async def open_file(
        self, organisation_id: str, *, scheme: Scheme, kind: str
    ) -> DecisionFile | None:
        """The structure's newest open file of the scheme and kind, locked."""
        query = (
            sa.select(DecisionFile)
            .where(
                col(DecisionFile.organisation_id) == organisation_id,
                col(DecisionFile.scheme) == scheme.value,
                col(DecisionFile.kind) == kind,
                col(DecisionFile.status).in_([s.value for s in OPEN_DECISIONS]),
            )
            .order_by(col(DecisionFile.created_at).desc())
            .limit(1)
            .with_for_update()
        )
        return (await self.session.execute(query)).scalars().first()

    async def page(
        self,
        *,
        readable: set[str] | None,
        status: str | None,
        scheme: str | None,
        organisation_id: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[DecisionFile], str | None]:
        """A page of the files of the ``readable`` structures (None: all), newest first."""
        query = readable_rows(
            DecisionFile, readable, status=status, scheme=scheme, organisation_id=organisation_id
        )
        return await KEYS.fetch(self.session, query, cursor=cursor, limit=limit)
