from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="LevelRulesExportLevelRuleLevelRuleReferentialVersion")


@_attrs_define
class LevelRulesExportLevelRuleLevelRuleReferentialVersion:
    """The referential version a rule applies to.

    Attributes:
        code (str):
        version (int):
    """

    code: str
    version: int

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        version = self.version

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        version = d.pop("version")

        level_rules_export_level_rule_level_rule_referential_version = cls(
            code=code,
            version=version,
        )

        return level_rules_export_level_rule_level_rule_referential_version
