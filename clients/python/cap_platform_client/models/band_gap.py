from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.level_raise import LevelRaise


T = TypeVar("T", bound="BandGap")


@_attrs_define
class BandGap:
    """What is missing to reach a band.

    Attributes:
        band (str):
        min_score (int):
        points_missing (int):
        raises (list[LevelRaise]):
        reachable (bool):
    """

    band: str
    min_score: int
    points_missing: int
    raises: list[LevelRaise]
    reachable: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        band = self.band

        min_score = self.min_score

        points_missing = self.points_missing

        raises = []
        for raises_item_data in self.raises:
            raises_item = raises_item_data.to_dict()
            raises.append(raises_item)

        reachable = self.reachable

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "band": band,
                "min_score": min_score,
                "points_missing": points_missing,
                "raises": raises,
                "reachable": reachable,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.level_raise import LevelRaise  # noqa: PLC0415

        d = dict(src_dict)
        band = d.pop("band")

        min_score = d.pop("min_score")

        points_missing = d.pop("points_missing")

        raises = []
        _raises = d.pop("raises")
        for raises_item_data in _raises:
            raises_item = LevelRaise.from_dict(raises_item_data)

            raises.append(raises_item)

        reachable = d.pop("reachable")

        band_gap = cls(
            band=band,
            min_score=min_score,
            points_missing=points_missing,
            raises=raises,
            reachable=reachable,
        )

        band_gap.additional_properties = d
        return band_gap

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
