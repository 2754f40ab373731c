from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SubscriptionPublic")


@_attrs_define
class SubscriptionPublic:
    """A subscription, without its secret.

    Attributes:
        created_at (datetime.datetime):
        created_by (str):
        disabled_reason (None | str):
        event_types (list[str]):
        id (str):
        modified_at (datetime.datetime | None):
        name (str):
        status (str):
        url (str):
    """

    created_at: datetime.datetime
    created_by: str
    disabled_reason: None | str
    event_types: list[str]
    id: str
    modified_at: datetime.datetime | None
    name: str
    status: str
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        created_by = self.created_by

        disabled_reason: None | str
        disabled_reason = self.disabled_reason

        event_types = self.event_types

        id = self.id

        modified_at: None | str
        if isinstance(self.modified_at, datetime.datetime):
            modified_at = self.modified_at.isoformat()
        else:
            modified_at = self.modified_at

        name = self.name

        status = self.status

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "created_by": created_by,
                "disabled_reason": disabled_reason,
                "event_types": event_types,
                "id": id,
                "modified_at": modified_at,
                "name": name,
                "status": status,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        def _parse_disabled_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason"))

        event_types = cast(list[str], d.pop("event_types"))

        id = d.pop("id")

        def _parse_modified_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                modified_at_type_0 = datetime.datetime.fromisoformat(data)

                return modified_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        modified_at = _parse_modified_at(d.pop("modified_at"))

        name = d.pop("name")

        status = d.pop("status")

        url = d.pop("url")

        subscription_public = cls(
            created_at=created_at,
            created_by=created_by,
            disabled_reason=disabled_reason,
            event_types=event_types,
            id=id,
            modified_at=modified_at,
            name=name,
            status=status,
            url=url,
        )

        subscription_public.additional_properties = d
        return subscription_public

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
