from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CriterionPoint")


@_attrs_define
class CriterionPoint:
    """A strength or a weak point.

    Attributes:
        code (str):
        level (int):
        max_level (int):
        name (str):
        theme_code (str):
        urn (str):
    """

    code: str
    level: int
    max_level: int
    name: str
    theme_code: str
    urn: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        level = self.level

        max_level = self.max_level

        name = self.name

        theme_code = self.theme_code

        urn = self.urn

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "level": level,
                "max_level": max_level,
                "name": name,
                "theme_code": theme_code,
                "urn": urn,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        level = d.pop("level")

        max_level = d.pop("max_level")

        name = d.pop("name")

        theme_code = d.pop("theme_code")

        urn = d.pop("urn")

        criterion_point = cls(
            code=code,
            level=level,
            max_level=max_level,
            name=name,
            theme_code=theme_code,
            urn=urn,
        )

        criterion_point.additional_properties = d
        return criterion_point

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
