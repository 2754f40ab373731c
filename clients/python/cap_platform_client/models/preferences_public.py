from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.preferences_public_events import PreferencesPublicEvents
    from ..models.quiet_hours_period import QuietHoursPeriod


T = TypeVar("T", bound="PreferencesPublic")


@_attrs_define
class PreferencesPublic:
    """A person's effective preferences.

    Attributes:
        digest_hour (int):
        events (PreferencesPublicEvents):
        quiet_hours (None | QuietHoursPeriod):
        timezone (str):
    """

    digest_hour: int
    events: PreferencesPublicEvents
    quiet_hours: None | QuietHoursPeriod
    timezone: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.quiet_hours_period import QuietHoursPeriod  # noqa: PLC0415

        digest_hour = self.digest_hour

        events = self.events.to_dict()

        quiet_hours: dict[str, Any] | None
        if isinstance(self.quiet_hours, QuietHoursPeriod):
            quiet_hours = self.quiet_hours.to_dict()
        else:
            quiet_hours = self.quiet_hours

        timezone = self.timezone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "digest_hour": digest_hour,
                "events": events,
                "quiet_hours": quiet_hours,
                "timezone": timezone,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.preferences_public_events import PreferencesPublicEvents  # noqa: PLC0415
        from ..models.quiet_hours_period import QuietHoursPeriod  # noqa: PLC0415

        d = dict(src_dict)
        digest_hour = d.pop("digest_hour")

        events = PreferencesPublicEvents.from_dict(d.pop("events"))

        def _parse_quiet_hours(data: object) -> None | QuietHoursPeriod:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quiet_hours_type_0 = QuietHoursPeriod.from_dict(data)

                return quiet_hours_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QuietHoursPeriod, data)

        quiet_hours = _parse_quiet_hours(d.pop("quiet_hours"))

        timezone = d.pop("timezone")

        preferences_public = cls(
            digest_hour=digest_hour,
            events=events,
            quiet_hours=quiet_hours,
            timezone=timezone,
        )

        preferences_public.additional_properties = d
        return preferences_public

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
