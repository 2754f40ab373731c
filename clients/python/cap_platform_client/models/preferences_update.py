from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.preferences_update_events import PreferencesUpdateEvents
    from ..models.quiet_hours_period import QuietHoursPeriod


T = TypeVar("T", bound="PreferencesUpdate")


@_attrs_define
class PreferencesUpdate:
    """A partial update: only what is given changes (``quiet_hours: null`` turns them off).

    Attributes:
        digest_hour (int | Unset):
        events (PreferencesUpdateEvents | Unset):
        quiet_hours (None | QuietHoursPeriod | Unset):
        timezone (str | Unset):
    """

    digest_hour: int | Unset = UNSET
    events: PreferencesUpdateEvents | Unset = UNSET
    quiet_hours: None | QuietHoursPeriod | Unset = UNSET
    timezone: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.quiet_hours_period import QuietHoursPeriod  # noqa: PLC0415

        digest_hour = self.digest_hour

        events: dict[str, Any] | Unset = UNSET
        if not isinstance(self.events, Unset):
            events = self.events.to_dict()

        quiet_hours: dict[str, Any] | None | Unset
        if isinstance(self.quiet_hours, Unset):
            quiet_hours = UNSET
        elif isinstance(self.quiet_hours, QuietHoursPeriod):
            quiet_hours = self.quiet_hours.to_dict()
        else:
            quiet_hours = self.quiet_hours

        timezone = self.timezone

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if digest_hour is not UNSET:
            field_dict["digest_hour"] = digest_hour
        if events is not UNSET:
            field_dict["events"] = events
        if quiet_hours is not UNSET:
            field_dict["quiet_hours"] = quiet_hours
        if timezone is not UNSET:
            field_dict["timezone"] = timezone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.preferences_update_events import PreferencesUpdateEvents  # noqa: PLC0415
        from ..models.quiet_hours_period import QuietHoursPeriod  # noqa: PLC0415

        d = dict(src_dict)
        digest_hour = d.pop("digest_hour", UNSET)

        _events = d.pop("events", UNSET)
        events: PreferencesUpdateEvents | Unset
        if isinstance(_events, Unset):
            events = UNSET
        else:
            events = PreferencesUpdateEvents.from_dict(_events)

        def _parse_quiet_hours(data: object) -> None | QuietHoursPeriod | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quiet_hours_type_0 = QuietHoursPeriod.from_dict(data)

                return quiet_hours_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QuietHoursPeriod | Unset, data)

        quiet_hours = _parse_quiet_hours(d.pop("quiet_hours", UNSET))

        timezone = d.pop("timezone", UNSET)

        preferences_update = cls(
            digest_hour=digest_hour,
            events=events,
            quiet_hours=quiet_hours,
            timezone=timezone,
        )

        return preferences_update
