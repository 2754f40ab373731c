"""The preferences' use cases: everyone's effective settings, a person's partial update."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cap_notifications.catalogue import EVENT_TYPES
from cap_notifications.models import Person, Preference
from cap_notifications.preferences.repository import PreferenceRepository
from cap_notifications.preferences.rules import CHANNELS, Settings, from_rows
from cap_notifications.preferences.schemas import (
    EventPreference,
    PreferencesPublic,
    PreferencesUpdate,
    QuietHoursPeriod,
)
from cap_shared.conditional import Precondition
from cap_shared.problems import InvalidInput
from cap_shared.readmodel import ReadModelRepository


async def for_users(
    session: AsyncSession, user_ids: list[str], *, default_tz: str
) -> dict[str, Settings]:
    """Everyone's effective settings, in two queries."""
    if not user_ids:
        return {}
    repository = PreferenceRepository(session)
    rows = await repository.settings_of(user_ids)
    choices: dict[str, list[Preference]] = {u: [] for u in user_ids}
    for p in await repository.choices_of(user_ids):
        choices[p.user_id].append(p)
    return {u: from_rows(rows.get(u), choices[u], default_tz) for u in user_ids}


async def roles_of(session: AsyncSession, user_id: str) -> list[str]:
    """The roles the person holds (none if the directory does not know them yet)."""
    person = await ReadModelRepository(session, Person).get(user_id)
    return sorted({str(m.get("role")) for m in person.memberships}) if person else []


def to_public(settings: Settings, roles: Iterable[str]) -> PreferencesPublic:
    """A person's effective preferences, as ``GET /v1/preferences`` shows them."""
    roles = list(roles)
    return PreferencesPublic(
        timezone=settings.timezone,
        quiet_hours=QuietHoursPeriod(
            start=settings.quiet.start.strftime("%H:%M"), end=settings.quiet.end.strftime("%H:%M")
        )
        if settings.quiet
        else None,
        digest_hour=settings.digest_hour,
        events={
            t: EventPreference(
                in_app=settings.mode(t, "in_app", roles),
                email=settings.mode(t, "email", roles),
                in_app_default=(t, "in_app") not in settings.chosen,
                email_default=(t, "email") not in settings.chosen,
            )
            for t in EVENT_TYPES
        },
    )


async def update(
    session: AsyncSession,
    user_id: str,
    *,
    data: PreferencesUpdate,
    now: datetime,
    default_tz: str,
    precondition: Precondition | None = None,
    roles: Sequence[str] = (),
) -> Settings:
    """Apply a partial update of one person's preferences; ``precondition`` (If-Match) checks
    them as ``GET /v1/preferences`` shows them to the person (``roles``) first."""
    unknown = sorted(set(data.events) - set(EVENT_TYPES))
    if unknown:
        raise InvalidInput(
            "unknown event type(s)",
            detail_fr="type(s) d'événement inconnu(s)",
            extensions={
                "errors": [
                    {
                        "field": f"body.events.{t}",
                        "message": "unknown event type",
                        "message_fr": "type d'événement inconnu",
                    }
                    for t in unknown
                ]
            },
        )
    repository = PreferenceRepository(session)
    row = await repository.lock_settings(user_id, default_tz=default_tz, now=now)
    if precondition is not None:
        current = (await for_users(session, [user_id], default_tz=default_tz))[user_id]
        precondition.check_representation(to_public(current, list(roles)))
    given = data.model_fields_set
    if data.timezone is not None:
        row.timezone = data.timezone
    if "quiet_hours" in given:
        row.quiet_start = data.quiet_hours.start if data.quiet_hours else None
        row.quiet_end = data.quiet_hours.end if data.quiet_hours else None
    if data.digest_hour is not None:
        row.digest_hour = data.digest_hour
    row.modified_at = now
    for event_type, modes in data.events.items():
        for channel in CHANNELS:
            mode = getattr(modes, channel)
            if mode is not None:
                await repository.choose(
                    Preference(user_id=user_id, event_type=event_type, channel=channel, mode=mode)
                )
    await repository.flush()
    return (await for_users(session, [user_id], default_tz=default_tz))[user_id]
