from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PublicStructure")


@_attrs_define
class PublicStructure:
    """A structure as the registry shows it: public facts only.

    Attributes:
        name (str):
        region (str):
        region_name (str):
        siae_types (list[str]):
    """

    name: str
    region: str
    region_name: str
    siae_types: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        region = self.region

        region_name = self.region_name

        siae_types = self.siae_types

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "region": region,
                "region_name": region_name,
                "siae_types": siae_types,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        region = d.pop("region")

        region_name = d.pop("region_name")

        siae_types = cast(list[str], d.pop("siae_types"))

        public_structure = cls(
            name=name,
            region=region,
            region_name=region_name,
            siae_types=siae_types,
        )

        public_structure.additional_properties = d
        return public_structure

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
