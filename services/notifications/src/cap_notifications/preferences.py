"""Per-person preferences: per event type and channel on, off or in the daily digest; quiet
hours in the person's time zone; the digest hour.

Defaults by role (a person keeps them until they choose): the in-app feed is on for everything;
e-mail is on for the people who act on the event (a structure's member_admin, auditors, the
committee, the platform's admins) and in the daily digest for those who follow (members,
facilitators). Quiet hours default to 21:00-07:00 in Europe/Paris: an e-mail due then is
**delayed** to their end, never dropped. The digest is sent at 08:00 local time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_notifications.catalogue import EVENT_TYPES
from cap_notifications.models import Preference, PreferenceSettings
from cap_shared.conditional import Precondition
from cap_shared.field_errors import FieldError
from cap_shared.partial import NotNull, unset
from cap_shared.problems import InvalidInput

Channel = Literal["in_app", "email"]
Mode = Literal["on", "off", "digest"]
CHANNELS: tuple[Channel, ...] = ("in_app", "email")
#: E-mail by default, by the role that makes a person a recipient.
EMAIL_DEFAULTS: dict[str, Mode] = {
    "member_admin": "on",
    "auditor": "on",
    "committee": "on",
    "admin": "on",
    "member": "digest",
    "facilitator": "digest",
}
_STRENGTH = {"off": 0, "digest": 1, "on": 2}
DEFAULT_QUIET = ("21:00", "07:00")
DEFAULT_DIGEST_HOUR = 8
_TZ = "unknown time zone (IANA name, e.g. Europe/Paris)"
_TZ_FR = "Fuseau horaire inconnu (nom IANA, par exemple Europe/Paris)"


def default_mode(channel: Channel, roles: Iterable[str]) -> Mode:
    """A channel's default for someone holding ``roles`` (the most engaged role wins)."""
    if channel == "in_app":
        return "on"
    modes = [EMAIL_DEFAULTS.get(role, "off") for role in roles]
    return max(modes, key=_STRENGTH.__getitem__) if modes else "off"


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # across midnight


@dataclass(frozen=True)
class Settings:
    """One person's effective settings."""

    timezone: str = "Europe/Paris"
    quiet: QuietHours | None = QuietHours(time(21), time(7))
    digest_hour: int = DEFAULT_DIGEST_HOUR
    #: (event type, channel) -> mode chosen by the person.
    chosen: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def mode(self, event_type: str, channel: Channel, roles: Iterable[str]) -> str:
        return self.chosen.get((event_type, channel)) or default_mode(channel, roles)


def release_at(now: datetime, settings: Settings) -> datetime:
    """When an e-mail due ``now`` may go: now, or the end of the person's quiet hours."""
    if settings.quiet is None:
        return now
    local = now.astimezone(settings.zone)
    if not settings.quiet.contains(local.time()):
        return now
    end = datetime.combine(local.date(), settings.quiet.end, tzinfo=settings.zone)
    if end <= local:
        end = datetime.combine(
            local.date() + timedelta(days=1), settings.quiet.end, tzinfo=settings.zone
        )
    return end.astimezone(UTC)


def digest_due(now: datetime, settings: Settings, last_sent: datetime | None) -> bool:
    """Whether today's digest is due: the digest hour has come, local time, and none went today."""
    local = now.astimezone(settings.zone)
    if local.hour < settings.digest_hour:
        return False
    return last_sent is None or last_sent.astimezone(settings.zone).date() < local.date()


def local_date(now: datetime, settings: Settings) -> date:
    return now.astimezone(settings.zone).date()


# persistence --------------------------------------------------------------------------------------
def _parse_hhmm(value: str) -> time:
    return time.fromisoformat(value)


def from_rows(
    row: PreferenceSettings | None, choices: Iterable[Preference], default_tz: str
) -> Settings:
    chosen = {(p.event_type, p.channel): p.mode for p in choices}
    if row is None:
        return Settings(timezone=default_tz, chosen=chosen)
    quiet = (
        QuietHours(_parse_hhmm(row.quiet_start), _parse_hhmm(row.quiet_end))
        if row.quiet_start and row.quiet_end
        else None
    )
    return Settings(timezone=row.timezone, quiet=quiet, digest_hour=row.digest_hour, chosen=chosen)


async def for_users(
    session: AsyncSession, user_ids: list[str], default_tz: str
) -> dict[str, Settings]:
    """Everyone's effective settings, in two queries."""
    if not user_ids:
        return {}
    rows = {
        r.user_id: r
        for r in (
            await session.execute(
                sa.select(PreferenceSettings).where(col(PreferenceSettings.user_id).in_(user_ids))
            )
        ).scalars()
    }
    choices: dict[str, list[Preference]] = {u: [] for u in user_ids}
    for p in (
        await session.execute(sa.select(Preference).where(col(Preference.user_id).in_(user_ids)))
    ).scalars():
        choices[p.user_id].append(p)
    return {u: from_rows(rows.get(u), choices[u], default_tz) for u in user_ids}


# the API ------------------------------------------------------------------------------------------
class QuietHoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["21:00"])
    end: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["07:00"])


class ChannelModes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    in_app: NotNull[Literal["on", "off"]] = unset()
    email: NotNull[Literal["on", "off", "digest"]] = unset()


class PreferencesIn(BaseModel):
    """A partial update: only what is given changes (``quiet_hours: null`` turns them off)."""

    model_config = ConfigDict(extra="forbid")

    timezone: NotNull[str] = unset(max_length=64, examples=["Europe/Paris"])
    quiet_hours: QuietHoursIn | None = None
    digest_hour: NotNull[int] = unset(ge=0, le=23)
    events: dict[str, ChannelModes] = Field(default_factory=dict, max_length=len(EVENT_TYPES))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise FieldError(_TZ, _TZ_FR) from None
            if value not in available_timezones():
                raise FieldError(_TZ, _TZ_FR)
        return value


class EventPreference(BaseModel):
    in_app: str
    email: str
    #: Whether each channel is the role's default (not chosen).
    in_app_default: bool
    email_default: bool


class PreferencesOut(BaseModel):
    timezone: str
    quiet_hours: QuietHoursIn | None
    digest_hour: int
    events: dict[str, EventPreference]


def to_out(settings: Settings, roles: Iterable[str]) -> PreferencesOut:
    roles = list(roles)
    return PreferencesOut(
        timezone=settings.timezone,
        quiet_hours=QuietHoursIn(
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
    data: PreferencesIn,
    now: datetime,
    default_tz: str,
    *,
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
    # The person's row exists before it is locked, so two first updates at once do not both
    # insert it (the second waits on the lock, then applies over the first).
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(
        insert(PreferenceSettings)
        .values(
            user_id=user_id,
            timezone=default_tz,
            quiet_start=DEFAULT_QUIET[0],
            quiet_end=DEFAULT_QUIET[1],
            digest_hour=DEFAULT_DIGEST_HOUR,
            modified_at=now,
        )
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    row = await session.get(
        PreferenceSettings, user_id, with_for_update=True, populate_existing=True
    )
    assert row is not None  # inserted above or already there
    if precondition is not None:
        current = (await for_users(session, [user_id], default_tz))[user_id]
        precondition.check_representation(to_out(current, list(roles)))
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
                await session.merge(
                    Preference(user_id=user_id, event_type=event_type, channel=channel, mode=mode)
                )
    await session.flush()
    return (await for_users(session, [user_id], default_tz))[user_id]
