from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.maturity_bands import MaturityBands


T = TypeVar("T", bound="Maturity")


@_attrs_define
class Maturity:
    """How many structures are in each band of a group of criteria.

    Attributes:
        bands (MaturityBands):
        code (str):
        group (str):
        structures (int):
    """

    bands: MaturityBands
    code: str
    group: str
    structures: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bands = self.bands.to_dict()

        code = self.code

        group = self.group

        structures = self.structures

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bands": bands,
                "code": code,
                "group": group,
                "structures": structures,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.maturity_bands import MaturityBands  # noqa: PLC0415

        d = dict(src_dict)
        bands = MaturityBands.from_dict(d.pop("bands"))

        code = d.pop("code")

        group = d.pop("group")

        structures = d.pop("structures")

        maturity = cls(
            bands=bands,
            code=code,
            group=group,
            structures=structures,
        )

        maturity.additional_properties = d
        return maturity

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
