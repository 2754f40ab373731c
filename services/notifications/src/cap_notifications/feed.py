"""The in-app feed: a person's notifications, unread count, marking read, and what the live
stream sends (everything after a sequence number)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_notifications.models import Notification
from cap_shared.pagination import Keyset, key
from cap_shared.problems import NotFound
from cap_shared.sync import DeltaSync, SyncPage


class NotificationOut(BaseModel):
    id: str
    seq: int
    event_type: str
    organisation_id: str | None
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None
    #: Created or read: the delta sync's change time.
    updated_at: datetime


class FeedPage(SyncPage[NotificationOut]):
    """A page of the feed, and how many of the caller's notifications are unread (cheap: one
    indexed count, what a badge shows)."""

    unread: int


#: Newest first (the sequence: the order notifications were written, the live stream's ids).
FEED = Keyset("notifications.feed", key(col(Notification.seq), int, descending=True))
#: Delta sync: notifications created or read since; never deleted, so no tombstones.
FEED_SYNC = DeltaSync(
    list_name="notifications.feed",
    resource="notification",
    changed_at=col(Notification.updated_at),
    id=col(Notification.id),
)


def to_out(n: Notification) -> NotificationOut:
    assert n.seq is not None
    return NotificationOut(
        id=n.id,
        seq=n.seq,
        event_type=n.event_type,
        organisation_id=n.organisation_id,
        title=n.title,
        body=n.body,
        link=n.link,
        created_at=n.created_at,
        read_at=n.read_at,
        updated_at=n.updated_at,
    )


def _mine(user_id: str) -> list[sa.ColumnElement[bool]]:
    return [col(Notification.user_id) == user_id, col(Notification.in_feed).is_(True)]


async def unread(session: AsyncSession, user_id: str) -> int:
    query = sa.select(sa.func.count()).where(*_mine(user_id), col(Notification.read_at).is_(None))
    return int((await session.execute(query)).scalar_one())


async def page(
    session: AsyncSession,
    user_id: str,
    *,
    unread_only: bool,
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
) -> FeedPage:
    """Newest first; with ``updated_since``, created or read since, oldest change first."""
    query = sa.select(Notification).where(*_mine(user_id))
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    if updated_since is None:
        rows, next_cursor = await FEED.fetch(session, query, cursor=cursor, limit=limit)
    else:
        rows, _deleted, next_cursor = await FEED_SYNC.page(
            session,
            query,
            None,
            since=updated_since,
            cursor=cursor,
            limit=limit,
        )
    return FeedPage(
        data=[to_out(n) for n in rows],
        next_cursor=next_cursor,
        unread=await unread(session, user_id),
    )


async def mark_read(
    session: AsyncSession, user_id: str, notification_id: str, now: datetime
) -> Notification:
    query = sa.select(Notification).where(*_mine(user_id), col(Notification.id) == notification_id)
    notification = (await session.execute(query)).scalars().first()
    if notification is None:
        raise NotFound("no such notification", detail_fr="notification introuvable")
    if notification.read_at is None:
        notification.read_at = notification.updated_at = now
        await session.flush()
    return notification


async def mark_all_read(session: AsyncSession, user_id: str, now: datetime) -> int:
    result = await session.execute(
        sa.update(Notification)
        .where(*_mine(user_id), col(Notification.read_at).is_(None))
        .values(read_at=now, updated_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def last_seq(session: AsyncSession, user_id: str) -> int:
    query = sa.select(sa.func.max(col(Notification.seq))).where(*_mine(user_id))
    return int((await session.execute(query)).scalar_one() or 0)


async def after(
    session: AsyncSession, user_id: str, seq: int, limit: int = 100
) -> list[Notification]:
    """The person's notifications after ``seq``, oldest first (what the stream sends next)."""
    query = (
        sa.select(Notification)
        .where(*_mine(user_id), col(Notification.seq) > seq)
        .order_by(col(Notification.seq))
        .limit(limit)
    )
    return list((await session.execute(query)).scalars().all())
