from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="LevelRulesImportLevelRuleJsonLevelRuleCoreCriteriaCoreCap")


@_attrs_define
class LevelRulesImportLevelRuleJsonLevelRuleCoreCriteriaCoreCap:
    """A core criterion rated at ``level`` or below caps the label at ``at_most``.

    Attributes:
        at_most (str):
        level (int):
    """

    at_most: str
    level: int

    def to_dict(self) -> dict[str, Any]:
        at_most = self.at_most

        level = self.level

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "at_most": at_most,
                "level": level,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at_most = d.pop("at_most")

        level = d.pop("level")

        level_rules_import_level_rule_json_level_rule_core_criteria_core_cap = cls(
            at_most=at_most,
            level=level,
        )

        return level_rules_import_level_rule_json_level_rule_core_criteria_core_cap
