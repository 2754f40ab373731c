"""API shapes of a person's preferences."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cap_notifications.catalogue import EVENT_TYPES
from cap_shared.field_errors import FieldError
from cap_shared.partial import NotNull, unset

_TZ = "unknown time zone (IANA name, e.g. Europe/Paris)"
_TZ_FR = "Fuseau horaire inconnu (nom IANA, par exemple Europe/Paris)"


class QuietHoursPeriod(BaseModel):
    """Quiet hours: from ``start`` to ``end``, local time (``HH:MM``; may span midnight)."""

    model_config = ConfigDict(extra="forbid")

    start: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["21:00"])
    end: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["07:00"])


class ChannelModes(BaseModel):
    """The modes chosen for one event type, per channel (what is not given is unchanged)."""

    model_config = ConfigDict(extra="forbid")

    in_app: NotNull[Literal["on", "off"]] = unset()
    email: NotNull[Literal["on", "off", "digest"]] = unset()


class PreferencesUpdate(BaseModel):
    """A partial update: only what is given changes (``quiet_hours: null`` turns them off)."""

    model_config = ConfigDict(extra="forbid")

    timezone: NotNull[str] = unset(max_length=64, examples=["Europe/Paris"])
    quiet_hours: QuietHoursPeriod | None = None
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
    """The effective modes of one event type."""

    in_app: str
    email: str
    #: Whether each channel is the role's default (not chosen).
    in_app_default: bool
    email_default: bool


class PreferencesPublic(BaseModel):
    """A person's effective preferences."""

    timezone: str
    quiet_hours: QuietHoursPeriod | None
    digest_hour: int
    events: dict[str, EventPreference]
