from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="NetworkScope")


@_attrs_define
class NetworkScope:
    """What the figures cover: the regions and the SIAE type.

    Attributes:
        regions (list[str] | None): None: the whole network
        siae_type (None | str):
    """

    regions: list[str] | None
    siae_type: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        regions: list[str] | None
        if isinstance(self.regions, list):
            regions = self.regions

        else:
            regions = self.regions

        siae_type: None | str
        siae_type = self.siae_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "regions": regions,
                "siae_type": siae_type,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_regions(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                regions_type_0 = cast(list[str], data)

                return regions_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        regions = _parse_regions(d.pop("regions"))

        def _parse_siae_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        siae_type = _parse_siae_type(d.pop("siae_type"))

        network_scope = cls(
            regions=regions,
            siae_type=siae_type,
        )

        network_scope.additional_properties = d
        return network_scope

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
