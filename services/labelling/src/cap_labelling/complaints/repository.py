"""Every query on complaints."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling.models import Complaint, Recognition
from cap_shared.pagination import newest_first

#: Newest first (created_at, id descending).
KEYS = newest_first("complaints", col(Complaint.created_at), col(Complaint.id))


class ComplaintRepository:
    """Complaints, and the number of the recognition each one is about."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, complaint_id: str, *, for_update: bool = False) -> Complaint | None:
        """One complaint, or None."""
        return await self.session.get(Complaint, complaint_id, with_for_update=for_update)

    async def add(self, complaint: Complaint) -> None:
        """Insert a complaint."""
        self.session.add(complaint)
        await self.session.flush()

    async def flush(self) -> None:
        """Write the pending changes."""
        await self.session.flush()

    async def number_of(self, recognition_id: str) -> str:
        """The public number of the recognition a complaint is about ("" if unknown)."""
        recognition = await self.session.get(Recognition, recognition_id)
        return recognition.number if recognition else ""

    async def page(
        self, *, status: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Complaint], str | None]:
        """A page of the complaints (in one status), newest first."""
        query = sa.select(Complaint)
        if status:
            query = query.where(col(Complaint.status) == status)
        return await KEYS.fetch(self.session, query, cursor=cursor, limit=limit)
