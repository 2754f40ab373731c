from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.labelling_engagement_create_kind import LabellingEngagementCreateKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="LabellingEngagementCreate")


@_attrs_define
class LabellingEngagementCreate:
    """A consultancy, accompaniment or training given to a structure, as declared.

    Attributes:
        kind (LabellingEngagementCreateKind):
        organisation_id (str): The structure concerned
        description (None | str | Unset):
        ended_on (datetime.date | None | Unset): Empty while it goes on
        started_on (datetime.date | None | Unset):
    """

    kind: LabellingEngagementCreateKind
    organisation_id: str
    description: None | str | Unset = UNSET
    ended_on: datetime.date | None | Unset = UNSET
    started_on: datetime.date | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        organisation_id = self.organisation_id

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        ended_on: None | str | Unset
        if isinstance(self.ended_on, Unset):
            ended_on = UNSET
        elif isinstance(self.ended_on, datetime.date):
            ended_on = self.ended_on.isoformat()
        else:
            ended_on = self.ended_on

        started_on: None | str | Unset
        if isinstance(self.started_on, Unset):
            started_on = UNSET
        elif isinstance(self.started_on, datetime.date):
            started_on = self.started_on.isoformat()
        else:
            started_on = self.started_on

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "organisation_id": organisation_id,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if ended_on is not UNSET:
            field_dict["ended_on"] = ended_on
        if started_on is not UNSET:
            field_dict["started_on"] = started_on

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = LabellingEngagementCreateKind(d.pop("kind"))

        organisation_id = d.pop("organisation_id")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_ended_on(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_on_type_0 = datetime.date.fromisoformat(data)

                return ended_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        ended_on = _parse_ended_on(d.pop("ended_on", UNSET))

        def _parse_started_on(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_on_type_0 = datetime.date.fromisoformat(data)

                return started_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        started_on = _parse_started_on(d.pop("started_on", UNSET))

        labelling_engagement_create = cls(
            kind=kind,
            organisation_id=organisation_id,
            description=description,
            ended_on=ended_on,
            started_on=started_on,
        )

        return labelling_engagement_create
