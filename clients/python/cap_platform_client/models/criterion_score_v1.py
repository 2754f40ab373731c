from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CriterionScoreV1")


@_attrs_define
class CriterionScoreV1:
    """A criterion's rating as completed.

    Attributes:
        code (str):
        core (bool):
        level (int | None):
        max_level (int):
        not_applicable (bool):
        urn (str):
    """

    code: str
    core: bool
    level: int | None
    max_level: int
    not_applicable: bool
    urn: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        core = self.core

        level: int | None
        level = self.level

        max_level = self.max_level

        not_applicable = self.not_applicable

        urn = self.urn

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "core": core,
                "level": level,
                "max_level": max_level,
                "not_applicable": not_applicable,
                "urn": urn,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        core = d.pop("core")

        def _parse_level(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        level = _parse_level(d.pop("level"))

        max_level = d.pop("max_level")

        not_applicable = d.pop("not_applicable")

        urn = d.pop("urn")

        criterion_score_v1 = cls(
            code=code,
            core=core,
            level=level,
            max_level=max_level,
            not_applicable=not_applicable,
            urn=urn,
        )

        criterion_score_v1.additional_properties = d
        return criterion_score_v1

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
