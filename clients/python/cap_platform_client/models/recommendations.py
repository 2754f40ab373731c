from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.gap_recommendation import GapRecommendation
    from ..models.recommended_resource import RecommendedResource


T = TypeVar("T", bound="Recommendations")


@_attrs_define
class Recommendations:
    """Per gap (largest expected gain first) and overall (most useful resources first).

    A computed view of one diagnostic, not a list endpoint: its lists are bounded by the
    referential's criteria and the catalogue, and come whole (docs/api/lists.md).

        Attributes:
            gaps (list[GapRecommendation]):
            resources (list[RecommendedResource]):
    """

    gaps: list[GapRecommendation]
    resources: list[RecommendedResource]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gaps = []
        for gaps_item_data in self.gaps:
            gaps_item = gaps_item_data.to_dict()
            gaps.append(gaps_item)

        resources = []
        for resources_item_data in self.resources:
            resources_item = resources_item_data.to_dict()
            resources.append(resources_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gaps": gaps,
                "resources": resources,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gap_recommendation import GapRecommendation  # noqa: PLC0415
        from ..models.recommended_resource import RecommendedResource  # noqa: PLC0415

        d = dict(src_dict)
        gaps = []
        _gaps = d.pop("gaps")
        for gaps_item_data in _gaps:
            gaps_item = GapRecommendation.from_dict(gaps_item_data)

            gaps.append(gaps_item)

        resources = []
        _resources = d.pop("resources")
        for resources_item_data in _resources:
            resources_item = RecommendedResource.from_dict(resources_item_data)

            resources.append(resources_item)

        recommendations = cls(
            gaps=gaps,
            resources=resources,
        )

        recommendations.additional_properties = d
        return recommendations

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
