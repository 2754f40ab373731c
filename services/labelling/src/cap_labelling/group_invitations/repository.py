"""Every query on group invitations (and the application an invitation names)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling.models import Application, GroupInvitation
from cap_shared.pagination import Keyset, key

#: Newest first (invited_at, id descending).
KEYS = Keyset(
    "group-invitations",
    key(col(GroupInvitation.invited_at), datetime, descending=True),
    key(col(GroupInvitation.id), str, descending=True),
)


class GroupInvitationRepository:
    """Invitations, by id, application or invited structure (the caller sets the row scope)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *invitations: GroupInvitation) -> None:
        """Insert invitations (not flushed: the caller flushes past the row scope)."""
        self.session.add_all(invitations)

    async def flush(self) -> None:
        """Write the pending changes."""
        await self.session.flush()

    async def get(self, invitation_id: str, *, for_update: bool = False) -> GroupInvitation | None:
        """One invitation, or None."""
        return await self.session.get(GroupInvitation, invitation_id, with_for_update=for_update)

    async def lock(self, invitation: GroupInvitation) -> None:
        """Read the invitation again, locked until the transaction ends."""
        await self.session.refresh(invitation, with_for_update=True)

    async def application(
        self, application_id: str, *, for_update: bool = False
    ) -> Application | None:
        """The application an invitation names."""
        return await self.session.get(Application, application_id, with_for_update=for_update)

    async def of_applications(self, application_ids: list[str]) -> list[GroupInvitation]:
        """The invitations of applications, by date, then structure."""
        query = (
            sa.select(GroupInvitation)
            .where(col(GroupInvitation.application_id).in_(application_ids))
            .order_by(col(GroupInvitation.invited_at), col(GroupInvitation.organisation_id))
        )
        return list((await self.session.execute(query)).scalars().all())

    async def page(
        self,
        *,
        organisation_ids: set[str] | None,
        status: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[GroupInvitation], str | None]:
        """A page of the invitations of structures (None: all), newest first."""
        query = sa.select(GroupInvitation)
        if organisation_ids is not None:
            query = query.where(col(GroupInvitation.organisation_id).in_(sorted(organisation_ids)))
        if status:
            query = query.where(col(GroupInvitation.status) == status)
        return await KEYS.fetch(self.session, query, cursor=cursor, limit=limit)
