from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReviewPublic")


@_attrs_define
class ReviewPublic:
    """A follow-up review of an action.

    Attributes:
        id (str):
        note (str):
        progress (int | None):
        reviewed_at (datetime.datetime):
        reviewed_by (str):
        status_after (str):
    """

    id: str
    note: str
    progress: int | None
    reviewed_at: datetime.datetime
    reviewed_by: str
    status_after: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        note = self.note

        progress: int | None
        progress = self.progress

        reviewed_at = self.reviewed_at.isoformat()

        reviewed_by = self.reviewed_by

        status_after = self.status_after

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "note": note,
                "progress": progress,
                "reviewed_at": reviewed_at,
                "reviewed_by": reviewed_by,
                "status_after": status_after,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        note = d.pop("note")

        def _parse_progress(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        progress = _parse_progress(d.pop("progress"))

        reviewed_at = datetime.datetime.fromisoformat(d.pop("reviewed_at"))

        reviewed_by = d.pop("reviewed_by")

        status_after = d.pop("status_after")

        review_public = cls(
            id=id,
            note=note,
            progress=progress,
            reviewed_at=reviewed_at,
            reviewed_by=reviewed_by,
            status_after=status_after,
        )

        review_public.additional_properties = d
        return review_public

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
