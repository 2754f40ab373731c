"""Every query on invitations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_gateway.models import Invitation
from cap_shared.pagination import newest_first

#: The list's stable order (its name is bound into its cursors).
INVITATIONS = newest_first("gateway.invitations", col(Invitation.created_at), col(Invitation.id))


class InvitationRepository:
    """Invitations, found by id or by the digest of their link's token."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: Invitation) -> None:
        """Insert a row (flushed, so constraint violations raise here)."""
        self.session.add(row)
        await self.session.flush()

    async def invitation(self, *, invitation_id: str) -> Invitation | None:
        """One invitation, or None."""
        return await self.session.get(Invitation, invitation_id)

    async def invitation_by_token(self, *, token_hash: str) -> Invitation | None:
        """The invitation sent with this token, or None."""
        result = await self.session.execute(
            sa.select(Invitation).where(col(Invitation.token_hash) == token_hash)
        )
        return result.scalar_one_or_none()

    async def pending_invitations(
        self,
        *,
        now: datetime,
        organisation_ids: Sequence[str] | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Invitation], str | None]:
        """A page of invitations neither accepted, revoked nor expired, newest first."""
        query = sa.select(Invitation).where(
            col(Invitation.accepted_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        if organisation_ids is not None:
            query = query.where(col(Invitation.organisation_id).in_(organisation_ids))
        return await INVITATIONS.fetch(self.session, query, cursor=cursor, limit=limit)
