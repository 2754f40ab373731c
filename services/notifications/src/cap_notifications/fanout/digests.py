"""The daily digest: one e-mail per person gathering the events they follow, at their digest
hour (local time)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cap_notifications.config import Settings
from cap_notifications.fanout.repository import FanoutRepository
from cap_notifications.fanout.service import email_to
from cap_notifications.models import DigestItem, Person
from cap_notifications.preferences import rules as preferences
from cap_notifications.preferences import service as preferences_service
from cap_shared.readmodel import ReadModelRepository


async def send_digests(session: AsyncSession, now: datetime, settings: Settings) -> int:
    """One daily e-mail per person with waiting digest items, at their digest hour (local)."""
    repository = FanoutRepository(session)
    waiting = await repository.waiting_digest_items()
    by_user: dict[str, list[DigestItem]] = {}
    for item in waiting:
        by_user.setdefault(item.user_id, []).append(item)
    if not by_user:
        return 0
    chosen = await preferences_service.for_users(
        session, sorted(by_user), default_tz=settings.default_timezone
    )
    last_sent = await repository.last_digests(sorted(by_user))
    people = ReadModelRepository(session, Person)
    sent = 0
    for user_id, items in by_user.items():
        prefs = chosen[user_id]
        person = await people.get(user_id)
        if person is None or person.status != "active":
            continue
        if not preferences.digest_due(now, prefs, last_sent.get(user_id)):
            continue
        email = email_to(
            person,
            kind="digest",
            context={
                "recipient_name": person.name,
                "date": preferences.local_date(now, prefs).isoformat(),
                "items": [
                    {
                        "event_type": i.event_type,
                        "title": i.title,
                        "body": i.body,
                        "link": None,
                        "created_at": i.created_at.isoformat(),
                    }
                    for i in items
                ],
            },
            now=now,
            send_at=now,
        )
        repository.add(email)
        for item in items:
            item.email_id = email.id
        sent += 1
    await repository.flush()
    return sent
