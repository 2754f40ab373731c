"""Per-person preferences: per event type and channel on, off or in the daily digest; quiet
hours in the person's time zone; the digest hour.

Defaults by role (a person keeps them until they choose): the in-app feed is on for everything;
e-mail is on for the people who act on the event (a structure's member_admin, auditors, the
committee, the platform's admins) and in the daily digest for those who follow (members,
facilitators). Quiet hours default to 21:00-07:00 in Europe/Paris: an e-mail due then is
**delayed** to their end, never dropped. The digest is sent at 08:00 local time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from cap_notifications.models import Preference, PreferenceSettings

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


def default_mode(channel: Channel, roles: Iterable[str]) -> Mode:
    """A channel's default for someone holding ``roles`` (the most engaged role wins)."""
    if channel == "in_app":
        return "on"
    modes = [EMAIL_DEFAULTS.get(role, "off") for role in roles]
    return max(modes, key=_STRENGTH.__getitem__) if modes else "off"


@dataclass(frozen=True)
class QuietHours:
    """Hours when no e-mail goes out (local time; may span midnight)."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """Whether ``moment`` falls in the quiet hours."""
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
        """The person's time zone."""
        return ZoneInfo(self.timezone)

    def mode(self, event_type: str, channel: Channel, roles: Iterable[str]) -> str:
        """The mode of a channel for an event type: chosen, or the role's default."""
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
    """Today, in the person's time zone."""
    return now.astimezone(settings.zone).date()


def _parse_hhmm(value: str) -> time:
    return time.fromisoformat(value)


def from_rows(
    row: PreferenceSettings | None, choices: Iterable[Preference], default_tz: str
) -> Settings:
    """A person's effective settings from their stored rows (``row`` None: the defaults)."""
    chosen = {(p.event_type, p.channel): p.mode for p in choices}
    stored = (
        None if row is None else (row.timezone, row.quiet_start, row.quiet_end, row.digest_hour)
    )
    return from_values(stored, chosen, default_tz)


def from_values(
    stored: tuple[str, str | None, str | None, int] | None,
    chosen: Mapping[tuple[str, str], str],
    default_tz: str,
) -> Settings:
    """A person's effective settings from their stored settings (timezone, quiet start, quiet
    end, digest hour; None: the defaults) and choices ((event type, channel) -> mode)."""
    if stored is None:
        return Settings(timezone=default_tz, chosen=chosen)
    timezone, quiet_start, quiet_end, digest_hour = stored
    quiet = (
        QuietHours(_parse_hhmm(quiet_start), _parse_hhmm(quiet_end))
        if quiet_start and quiet_end
        else None
    )
    return Settings(timezone=timezone, quiet=quiet, digest_hour=digest_hour, chosen=chosen)
