"""Every query of the in-app feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_notifications.models import Notification
from cap_shared.pagination import Keyset, key
from cap_shared.sync import DeltaSync

#: Newest first (the sequence: the order notifications were written, the live stream's ids).
FEED = Keyset("notifications.feed", key(col(Notification.seq), int, descending=True))
#: Delta sync: notifications created or read since; never deleted, so no tombstones.
FEED_SYNC = DeltaSync(
    list_name="notifications.feed",
    resource="notification",
    changed_at=col(Notification.updated_at),
    id=col(Notification.id),
)
_NOTIFY = sa.text("SELECT pg_notify(:channel, u) FROM unnest(:ids) AS u").bindparams(
    sa.bindparam("channel", type_=sa.Text()), sa.bindparam("ids", type_=ARRAY(sa.Text()))
)


def _mine(user_id: str) -> list[sa.ColumnElement[bool]]:
    return [col(Notification.user_id) == user_id, col(Notification.in_feed).is_(True)]


class NotificationRepository:
    """The notifications of people's feeds."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def unread(self, user_id: str) -> int:
        """How many of the person's notifications are not read."""
        query = sa.select(sa.func.count()).where(
            *_mine(user_id), col(Notification.read_at).is_(None)
        )
        return int((await self.session.execute(query)).scalar_one())

    async def page(
        self,
        user_id: str,
        *,
        unread_only: bool,
        updated_since: datetime | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Notification], str | None]:
        """Newest first; with ``updated_since``, created or read since, oldest change first."""
        query = sa.select(Notification).where(*_mine(user_id))
        if unread_only:
            query = query.where(col(Notification.read_at).is_(None))
        if updated_since is None:
            return await FEED.fetch(self.session, query, cursor=cursor, limit=limit)
        rows, _deleted, next_cursor = await FEED_SYNC.page(
            self.session,
            query,
            None,
            since=updated_since,
            cursor=cursor,
            limit=limit,
        )
        return rows, next_cursor

    async def mine(self, user_id: str, notification_id: str) -> Notification | None:
        """One notification of the person's feed, or None."""
        query = sa.select(Notification).where(
            *_mine(user_id), col(Notification.id) == notification_id
        )
        return (await self.session.execute(query)).scalars().first()

    async def mark_all_read(self, user_id: str, *, now: datetime) -> int:
        """Mark every unread notification of the person read; how many were."""
        result = await self.session.execute(
            sa.update(Notification)
            .where(*_mine(user_id), col(Notification.read_at).is_(None))
            .values(read_at=now, updated_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def last_seq(self, user_id: str) -> int:
        """The sequence of the person's newest notification (0 if none)."""
        query = sa.select(sa.func.max(col(Notification.seq))).where(*_mine(user_id))
        return int((await self.session.execute(query)).scalar_one() or 0)

    async def after(self, user_id: str, *, seq: int, limit: int) -> Sequence[Notification]:
        """The person's notifications after ``seq``, oldest first."""
        query = (
            sa.select(Notification)
            .where(*_mine(user_id), col(Notification.seq) > seq)
            .order_by(col(Notification.seq))
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def notify(self, channel: str, user_ids: list[str]) -> None:
        """``pg_notify(channel, id)`` for each of these people (PostgreSQL delivers at commit)."""
        await self.session.execute(_NOTIFY, {"channel": channel, "ids": user_ids})

    async def flush(self) -> None:
        """Write the changes made to the loaded notifications."""
        await self.session.flush()
