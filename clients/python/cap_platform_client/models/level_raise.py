from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LevelRaise")


@_attrs_define
class LevelRaise:
    """Raising a criterion from one level to another, and what it adds to the overall score.

    Attributes:
        code (str):
        from_level (int):
        gain (float):
        name (str):
        to_level (int):
        urn (str):
    """

    code: str
    from_level: int
    gain: float
    name: str
    to_level: int
    urn: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        from_level = self.from_level

        gain = self.gain

        name = self.name

        to_level = self.to_level

        urn = self.urn

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "from_level": from_level,
                "gain": gain,
                "name": name,
                "to_level": to_level,
                "urn": urn,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        from_level = d.pop("from_level")

        gain = d.pop("gain")

        name = d.pop("name")

        to_level = d.pop("to_level")

        urn = d.pop("urn")

        level_raise = cls(
            code=code,
            from_level=from_level,
            gain=gain,
            name=name,
            to_level=to_level,
            urn=urn,
        )

        level_raise.additional_properties = d
        return level_raise

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
