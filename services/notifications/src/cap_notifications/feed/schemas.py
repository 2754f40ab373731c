"""API shapes of the in-app feed."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from cap_shared.sync import SyncPage


class NotificationPublic(BaseModel):
    """One notification of the caller's feed."""

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


class FeedPage(SyncPage[NotificationPublic]):
    """A page of the feed, and how many of the caller's notifications are unread (cheap: one
    indexed count, what a badge shows)."""

    unread: int
