from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="NotificationPublic")


@_attrs_define
class NotificationPublic:
    """One notification of the caller's feed.

    Attributes:
        body (str):
        created_at (datetime.datetime):
        event_type (str):
        id (str):
        link (None | str):
        organisation_id (None | str):
        read_at (datetime.datetime | None):
        seq (int):
        title (str):
        updated_at (datetime.datetime):
    """

    body: str
    created_at: datetime.datetime
    event_type: str
    id: str
    link: None | str
    organisation_id: None | str
    read_at: datetime.datetime | None
    seq: int
    title: str
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        body = self.body

        created_at = self.created_at.isoformat()

        event_type = self.event_type

        id = self.id

        link: None | str
        link = self.link

        organisation_id: None | str
        organisation_id = self.organisation_id

        read_at: None | str
        if isinstance(self.read_at, datetime.datetime):
            read_at = self.read_at.isoformat()
        else:
            read_at = self.read_at

        seq = self.seq

        title = self.title

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "body": body,
                "created_at": created_at,
                "event_type": event_type,
                "id": id,
                "link": link,
                "organisation_id": organisation_id,
                "read_at": read_at,
                "seq": seq,
                "title": title,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        body = d.pop("body")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        event_type = d.pop("event_type")

        id = d.pop("id")

        def _parse_link(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        link = _parse_link(d.pop("link"))

        def _parse_organisation_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        organisation_id = _parse_organisation_id(d.pop("organisation_id"))

        def _parse_read_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                read_at_type_0 = datetime.datetime.fromisoformat(data)

                return read_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        read_at = _parse_read_at(d.pop("read_at"))

        seq = d.pop("seq")

        title = d.pop("title")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        notification_public = cls(
            body=body,
            created_at=created_at,
            event_type=event_type,
            id=id,
            link=link,
            organisation_id=organisation_id,
            read_at=read_at,
            seq=seq,
            title=title,
            updated_at=updated_at,
        )

        notification_public.additional_properties = d
        return notification_public

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
