"""The in-app feed's use cases: a person's notifications, unread count, marking read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cap_notifications.feed.repository import NotificationRepository
from cap_notifications.feed.schemas import FeedPage, NotificationPublic
from cap_notifications.models import Notification
from cap_shared.problems import NotFound


def to_public(n: Notification) -> NotificationPublic:
    """A notification as the feed and the live stream show it."""
    assert n.seq is not None
    return NotificationPublic(
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


async def unread(session: AsyncSession, user_id: str) -> int:
    """How many of the person's notifications are not read."""
    return await NotificationRepository(session).unread(user_id)


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
    repository = NotificationRepository(session)
    rows, next_cursor = await repository.page(
        user_id, unread_only=unread_only, updated_since=updated_since, cursor=cursor, limit=limit
    )
    return FeedPage(
        data=[to_public(n) for n in rows],
        next_cursor=next_cursor,
        unread=await repository.unread(user_id),
    )


async def mark_read(
    session: AsyncSession, user_id: str, *, notification_id: str, now: datetime
) -> Notification:
    """Mark one of the person's notifications read (idempotent)."""
    repository = NotificationRepository(session)
    notification = await repository.mine(user_id, notification_id)
    if notification is None:
        raise NotFound("no such notification", detail_fr="notification introuvable")
    if notification.read_at is None:
        notification.read_at = notification.updated_at = now
        await repository.flush()
    return notification


async def mark_all_read(session: AsyncSession, user_id: str, *, now: datetime) -> int:
    """Mark every notification of the person read; how many were unread."""
    return await NotificationRepository(session).mark_all_read(user_id, now=now)


async def last_seq(session: AsyncSession, user_id: str) -> int:
    """The sequence of the person's newest notification (0 if none)."""
    return await NotificationRepository(session).last_seq(user_id)
