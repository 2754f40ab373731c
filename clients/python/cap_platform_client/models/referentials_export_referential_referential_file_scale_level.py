from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ReferentialsExportReferentialReferentialFileScaleLevel")


@_attrs_define
class ReferentialsExportReferentialReferentialFileScaleLevel:
    """One step of a maturity scale.

    Attributes:
        description (str):
        name (str):
        value (int):
    """

    description: str
    name: str
    value: int

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        name = self.name

        value = self.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "description": description,
                "name": name,
                "value": value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        name = d.pop("name")

        value = d.pop("value")

        referentials_export_referential_referential_file_scale_level = cls(
            description=description,
            name=name,
            value=value,
        )

        return referentials_export_referential_referential_file_scale_level
