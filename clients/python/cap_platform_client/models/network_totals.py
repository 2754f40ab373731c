from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="NetworkTotals")


@_attrs_define
class NetworkTotals:
    """Structures in the scope: how many, diagnosed, labelled and certified.

    Attributes:
        certified (int):
        diagnosed (int):
        diagnosed_share (float | None):
        labelled (int):
        overall_median (float | int | None):
        structures (int):
    """

    certified: int
    diagnosed: int
    diagnosed_share: float | None
    labelled: int
    overall_median: float | int | None
    structures: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        certified = self.certified

        diagnosed = self.diagnosed

        diagnosed_share: float | None
        diagnosed_share = self.diagnosed_share

        labelled = self.labelled

        overall_median: float | int | None
        overall_median = self.overall_median

        structures = self.structures

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "certified": certified,
                "diagnosed": diagnosed,
                "diagnosed_share": diagnosed_share,
                "labelled": labelled,
                "overall_median": overall_median,
                "structures": structures,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        certified = d.pop("certified")

        diagnosed = d.pop("diagnosed")

        def _parse_diagnosed_share(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        diagnosed_share = _parse_diagnosed_share(d.pop("diagnosed_share"))

        labelled = d.pop("labelled")

        def _parse_overall_median(data: object) -> float | int | None:
            if data is None:
                return data
            return cast(float | int | None, data)

        overall_median = _parse_overall_median(d.pop("overall_median"))

        structures = d.pop("structures")

        network_totals = cls(
            certified=certified,
            diagnosed=diagnosed,
            diagnosed_share=diagnosed_share,
            labelled=labelled,
            overall_median=overall_median,
            structures=structures,
        )

        network_totals.additional_properties = d
        return network_totals

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
