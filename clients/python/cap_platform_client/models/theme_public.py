from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.criterion_public import CriterionPublic


T = TypeVar("T", bound="ThemePublic")


@_attrs_define
class ThemePublic:
    """A theme and its criteria.

    Attributes:
        code (str):
        criteria (list[CriterionPublic]):
        description (str):
        name (str):
        urn (str):
    """

    code: str
    criteria: list[CriterionPublic]
    description: str
    name: str
    urn: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        criteria = []
        for criteria_item_data in self.criteria:
            criteria_item = criteria_item_data.to_dict()
            criteria.append(criteria_item)

        description = self.description

        name = self.name

        urn = self.urn

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "criteria": criteria,
                "description": description,
                "name": name,
                "urn": urn,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.criterion_public import CriterionPublic  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        criteria = []
        _criteria = d.pop("criteria")
        for criteria_item_data in _criteria:
            criteria_item = CriterionPublic.from_dict(criteria_item_data)

            criteria.append(criteria_item)

        description = d.pop("description")

        name = d.pop("name")

        urn = d.pop("urn")

        theme_public = cls(
            code=code,
            criteria=criteria,
            description=description,
            name=name,
            urn=urn,
        )

        theme_public.additional_properties = d
        return theme_public

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
