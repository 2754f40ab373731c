from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Quarter")


@_attrs_define
class Quarter:
    """Diagnostics completed in one quarter.

    Attributes:
        average_score (int | None):
        diagnostics (int):
        quarter (str):
        structures (int):
    """

    average_score: int | None
    diagnostics: int
    quarter: str
    structures: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        average_score: int | None
        average_score = self.average_score

        diagnostics = self.diagnostics

        quarter = self.quarter

        structures = self.structures

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "average_score": average_score,
                "diagnostics": diagnostics,
                "quarter": quarter,
                "structures": structures,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_average_score(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        average_score = _parse_average_score(d.pop("average_score"))

        diagnostics = d.pop("diagnostics")

        quarter = d.pop("quarter")

        structures = d.pop("structures")

        quarter = cls(
            average_score=average_score,
            diagnostics=diagnostics,
            quarter=quarter,
            structures=structures,
        )

        quarter.additional_properties = d
        return quarter

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
