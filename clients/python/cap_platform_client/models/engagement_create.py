from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.engagement_create_kind import EngagementCreateKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="EngagementCreate")


@_attrs_define
class EngagementCreate:
    """An auditor's engagement with an organisation to record.

    Attributes:
        kind (EngagementCreateKind): consultancy, accompaniment and training bar auditing and deciding for the scheme's
            cooling_off_months (ISO/IEC 17021-1 §5.2.11); audited is history only
        on (datetime.date):
        organisation_id (str):
        note (None | str | Unset):
    """

    kind: EngagementCreateKind
    on: datetime.date
    organisation_id: str
    note: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        on = self.on.isoformat()

        organisation_id = self.organisation_id

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "on": on,
                "organisation_id": organisation_id,
            }
        )
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = EngagementCreateKind(d.pop("kind"))

        on = datetime.date.fromisoformat(d.pop("on"))

        organisation_id = d.pop("organisation_id")

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        engagement_create = cls(
            kind=kind,
            on=on,
            organisation_id=organisation_id,
            note=note,
        )

        return engagement_create
