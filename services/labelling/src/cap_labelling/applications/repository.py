"""Every query on applications."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling.applications.rules import OPEN_APPLICATIONS
from cap_labelling.models import Application
from cap_labelling.repository import readable_rows
from cap_shared.pagination import newest_first

#: Newest first (created_at, id descending).
KEYS = newest_first("applications", col(Application.created_at), col(Application.id))


class ApplicationRepository:
    """Applications, by id, by structure and scheme, or by page."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, application_id: str, *, for_update: bool = False) -> Application | None:
        """One application, or None."""
        return await self.session.get(Application, application_id, with_for_update=for_update)

    async def add(self, application: Application) -> None:
        """Insert an application."""
        self.session.add(application)
        await self.session.flush()

    async def flush(self) -> None:
        """Write the pending changes."""
        await self.session.flush()

    async def open_one(self, organisation_id: str, *, scheme: str) -> Application | None:
        """The structure's application of the scheme that blocks another one, if any."""
        query = sa.select(Application).where(
            col(Application.organisation_id) == organisation_id,
            col(Application.scheme) == scheme,
            col(Application.status).in_([s.value for s in OPEN_APPLICATIONS]),
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
    ) -> tuple[list[Application], str | None]:
        """A page of the applications of the ``readable`` structures (None: all), newest first."""
        query = readable_rows(
            Application, readable, status=status, scheme=scheme, organisation_id=organisation_id
        )
        return await KEYS.fetch(self.session, query, cursor=cursor, limit=limit)
