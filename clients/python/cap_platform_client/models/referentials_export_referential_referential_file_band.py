from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ReferentialsExportReferentialReferentialFileBand")


@_attrs_define
class ReferentialsExportReferentialReferentialFileBand:
    """A named band of the 0-1000 score (bands cover 0-1000 without gap or overlap).

    Attributes:
        max_ (int):
        min_ (int):
        name (str):
    """

    max_: int
    min_: int
    name: str

    def to_dict(self) -> dict[str, Any]:
        max_ = self.max_

        min_ = self.min_

        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "max": max_,
                "min": min_,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        max_ = d.pop("max")

        min_ = d.pop("min")

        name = d.pop("name")

        referentials_export_referential_referential_file_band = cls(
            max_=max_,
            min_=min_,
            name=name,
        )

        return referentials_export_referential_referential_file_band
