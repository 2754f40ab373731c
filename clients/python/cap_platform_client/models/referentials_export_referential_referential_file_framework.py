from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.referentials_export_referential_referential_file_framework_framework_item import (
        ReferentialsExportReferentialReferentialFileFrameworkFrameworkItem,
    )


T = TypeVar("T", bound="ReferentialsExportReferentialReferentialFileFramework")


@_attrs_define
class ReferentialsExportReferentialReferentialFileFramework:
    """An external reference the criteria are mapped to. Its version is data, not code.

    Attributes:
        id (str):
        items (list[ReferentialsExportReferentialReferentialFileFrameworkFrameworkItem]):
        name (str):
        version (str):
        score_by_top_level (bool | Unset):  Default: False.
    """

    id: str
    items: list[ReferentialsExportReferentialReferentialFileFrameworkFrameworkItem]
    name: str
    version: str
    score_by_top_level: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        name = self.name

        version = self.version

        score_by_top_level = self.score_by_top_level

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "items": items,
                "name": name,
                "version": version,
            }
        )
        if score_by_top_level is not UNSET:
            field_dict["score_by_top_level"] = score_by_top_level

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.referentials_export_referential_referential_file_framework_framework_item import (
            ReferentialsExportReferentialReferentialFileFrameworkFrameworkItem,  # noqa: PLC0415
        )

        d = dict(src_dict)
        id = d.pop("id")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = ReferentialsExportReferentialReferentialFileFrameworkFrameworkItem.from_dict(items_item_data)

            items.append(items_item)

        name = d.pop("name")

        version = d.pop("version")

        score_by_top_level = d.pop("score_by_top_level", UNSET)

        referentials_export_referential_referential_file_framework = cls(
            id=id,
            items=items,
            name=name,
            version=version,
            score_by_top_level=score_by_top_level,
        )

        return referentials_export_referential_referential_file_framework
