"""Every query of the e-mail channel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_notifications.models import EmailMessage
from cap_shared.pagination import newest_first

#: The mail log's order: newest first.
EMAILS = newest_first("notifications.emails", col(EmailMessage.created_at), col(EmailMessage.id))


class EmailRepository:
    """The e-mails to send and sent (the mail log)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def due(
        self, now: datetime, *, stale_before: datetime, limit: int
    ) -> Sequence[EmailMessage]:
        """The e-mails due at ``now`` (and those left ``sending`` before ``stale_before``),
        locked: rows another worker holds are skipped."""
        query = (
            sa.select(EmailMessage)
            .where(
                sa.or_(
                    sa.and_(
                        col(EmailMessage.status) == "pending",
                        col(EmailMessage.next_attempt_at) <= now,
                    ),
                    sa.and_(
                        col(EmailMessage.status) == "sending",
                        col(EmailMessage.next_attempt_at) <= stale_before,
                    ),
                )
            )
            .order_by(col(EmailMessage.next_attempt_at), col(EmailMessage.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(query)).scalars().all()

    async def page(
        self, *, status: str | None, cursor: str | None, limit: int
    ) -> tuple[list[EmailMessage], str | None]:
        """A page of the mail log, newest first, and the next cursor."""
        query = sa.select(EmailMessage)
        if status is not None:
            query = query.where(col(EmailMessage.status) == status)
        return await EMAILS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def get_for_update(self, email_id: str) -> EmailMessage | None:
        """One e-mail, locked, or None."""
        query = sa.select(EmailMessage).where(col(EmailMessage.id) == email_id).with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def flush(self) -> None:
        """Write the changes made to the loaded e-mails."""
        await self.session.flush()
