from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SuppressedCell")


@_attrs_define
class SuppressedCell:
    """A region and SIAE type with too few structures to show.

    Attributes:
        region (None | str):
        siae_type (None | str):
        suppressed (bool):
    """

    region: None | str
    siae_type: None | str
    suppressed: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        region: None | str
        region = self.region

        siae_type: None | str
        siae_type = self.siae_type

        suppressed = self.suppressed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "region": region,
                "siae_type": siae_type,
                "suppressed": suppressed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_region(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        region = _parse_region(d.pop("region"))

        def _parse_siae_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        siae_type = _parse_siae_type(d.pop("siae_type"))

        suppressed = d.pop("suppressed")

        suppressed_cell = cls(
            region=region,
            siae_type=siae_type,
            suppressed=suppressed,
        )

        suppressed_cell.additional_properties = d
        return suppressed_cell

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
