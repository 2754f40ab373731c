from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.recommended_resource import RecommendedResource


T = TypeVar("T", bound="GapRecommendation")


@_attrs_define
class GapRecommendation:
    """A weak criterion, what raising it is worth, and the resources that help.

    Attributes:
        code (str):
        criterion (str):
        expected_gain (float):
        level (int):
        name (str):
        resources (list[RecommendedResource]):
        target_level (int):
        theme_code (str):
    """

    code: str
    criterion: str
    expected_gain: float
    level: int
    name: str
    resources: list[RecommendedResource]
    target_level: int
    theme_code: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        criterion = self.criterion

        expected_gain = self.expected_gain

        level = self.level

        name = self.name

        resources = []
        for resources_item_data in self.resources:
            resources_item = resources_item_data.to_dict()
            resources.append(resources_item)

        target_level = self.target_level

        theme_code = self.theme_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "criterion": criterion,
                "expected_gain": expected_gain,
                "level": level,
                "name": name,
                "resources": resources,
                "target_level": target_level,
                "theme_code": theme_code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.recommended_resource import RecommendedResource  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        criterion = d.pop("criterion")

        expected_gain = d.pop("expected_gain")

        level = d.pop("level")

        name = d.pop("name")

        resources = []
        _resources = d.pop("resources")
        for resources_item_data in _resources:
            resources_item = RecommendedResource.from_dict(resources_item_data)

            resources.append(resources_item)

        target_level = d.pop("target_level")

        theme_code = d.pop("theme_code")

        gap_recommendation = cls(
            code=code,
            criterion=criterion,
            expected_gain=expected_gain,
            level=level,
            name=name,
            resources=resources,
            target_level=target_level,
            theme_code=theme_code,
        )

        gap_recommendation.additional_properties = d
        return gap_recommendation

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
