from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LabellingEngagementPublic")


@_attrs_define
class LabellingEngagementPublic:
    """An engagement: declared, or an accompanied CAP session.

    Attributes:
        created_at (datetime.datetime):
        declared_by (None | str):
        description (None | str):
        diagnostic_id (None | str):
        ended_on (datetime.date | None):
        id (str):
        kind (str):
        organisation_id (str):
        source (str):
        started_on (datetime.date | None):
        user_id (str):
    """

    created_at: datetime.datetime
    declared_by: None | str
    description: None | str
    diagnostic_id: None | str
    ended_on: datetime.date | None
    id: str
    kind: str
    organisation_id: str
    source: str
    started_on: datetime.date | None
    user_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        declared_by: None | str
        declared_by = self.declared_by

        description: None | str
        description = self.description

        diagnostic_id: None | str
        diagnostic_id = self.diagnostic_id

        ended_on: None | str
        if isinstance(self.ended_on, datetime.date):
            ended_on = self.ended_on.isoformat()
        else:
            ended_on = self.ended_on

        id = self.id

        kind = self.kind

        organisation_id = self.organisation_id

        source = self.source

        started_on: None | str
        if isinstance(self.started_on, datetime.date):
            started_on = self.started_on.isoformat()
        else:
            started_on = self.started_on

        user_id = self.user_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "declared_by": declared_by,
                "description": description,
                "diagnostic_id": diagnostic_id,
                "ended_on": ended_on,
                "id": id,
                "kind": kind,
                "organisation_id": organisation_id,
                "source": source,
                "started_on": started_on,
                "user_id": user_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_declared_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        declared_by = _parse_declared_by(d.pop("declared_by"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        def _parse_diagnostic_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        diagnostic_id = _parse_diagnostic_id(d.pop("diagnostic_id"))

        def _parse_ended_on(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_on_type_0 = datetime.date.fromisoformat(data)

                return ended_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        ended_on = _parse_ended_on(d.pop("ended_on"))

        id = d.pop("id")

        kind = d.pop("kind")

        organisation_id = d.pop("organisation_id")

        source = d.pop("source")

        def _parse_started_on(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_on_type_0 = datetime.date.fromisoformat(data)

                return started_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        started_on = _parse_started_on(d.pop("started_on"))

        user_id = d.pop("user_id")

        labelling_engagement_public = cls(
            created_at=created_at,
            declared_by=declared_by,
            description=description,
            diagnostic_id=diagnostic_id,
            ended_on=ended_on,
            id=id,
            kind=kind,
            organisation_id=organisation_id,
            source=source,
            started_on=started_on,
            user_id=user_id,
        )

        labelling_engagement_public.additional_properties = d
        return labelling_engagement_public

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
