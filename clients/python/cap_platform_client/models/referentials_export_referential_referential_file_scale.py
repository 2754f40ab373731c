from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.referentials_export_referential_referential_file_scale_level import (
        ReferentialsExportReferentialReferentialFileScaleLevel,
    )


T = TypeVar("T", bound="ReferentialsExportReferentialReferentialFileScale")


@_attrs_define
class ReferentialsExportReferentialReferentialFileScale:
    """A maturity scale: levels numbered 0..n without gaps.

    Attributes:
        id (str):
        levels (list[ReferentialsExportReferentialReferentialFileScaleLevel]):
        name (str):
    """

    id: str
    levels: list[ReferentialsExportReferentialReferentialFileScaleLevel]
    name: str

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        levels = []
        for levels_item_data in self.levels:
            levels_item = levels_item_data.to_dict()
            levels.append(levels_item)

        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "levels": levels,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.referentials_export_referential_referential_file_scale_level import (
            ReferentialsExportReferentialReferentialFileScaleLevel,  # noqa: PLC0415
        )

        d = dict(src_dict)
        id = d.pop("id")

        levels = []
        _levels = d.pop("levels")
        for levels_item_data in _levels:
            levels_item = ReferentialsExportReferentialReferentialFileScaleLevel.from_dict(levels_item_data)

            levels.append(levels_item)

        name = d.pop("name")

        referentials_export_referential_referential_file_scale = cls(
            id=id,
            levels=levels,
            name=name,
        )

        return referentials_export_referential_referential_file_scale
