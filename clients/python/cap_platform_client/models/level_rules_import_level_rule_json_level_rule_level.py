from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.level_rules_import_level_rule_json_level_rule_level_core_subject_minimums import (
        LevelRulesImportLevelRuleJsonLevelRuleLevelCoreSubjectMinimums,
    )


T = TypeVar("T", bound="LevelRulesImportLevelRuleJsonLevelRuleLevel")


@_attrs_define
class LevelRulesImportLevelRuleJsonLevelRuleLevel:
    """A level: its band of overall scores and the core subjects' minimums.

    Attributes:
        max_score (int):
        min_score (int):
        name (str):
        core_subject_minimum (int | Unset):  Default: 0.
        core_subject_minimums (LevelRulesImportLevelRuleJsonLevelRuleLevelCoreSubjectMinimums | Unset):
    """

    max_score: int
    min_score: int
    name: str
    core_subject_minimum: int | Unset = 0
    core_subject_minimums: LevelRulesImportLevelRuleJsonLevelRuleLevelCoreSubjectMinimums | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        max_score = self.max_score

        min_score = self.min_score

        name = self.name

        core_subject_minimum = self.core_subject_minimum

        core_subject_minimums: dict[str, Any] | Unset = UNSET
        if not isinstance(self.core_subject_minimums, Unset):
            core_subject_minimums = self.core_subject_minimums.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "max_score": max_score,
                "min_score": min_score,
                "name": name,
            }
        )
        if core_subject_minimum is not UNSET:
            field_dict["core_subject_minimum"] = core_subject_minimum
        if core_subject_minimums is not UNSET:
            field_dict["core_subject_minimums"] = core_subject_minimums

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.level_rules_import_level_rule_json_level_rule_level_core_subject_minimums import (
            LevelRulesImportLevelRuleJsonLevelRuleLevelCoreSubjectMinimums,  # noqa: PLC0415
        )

        d = dict(src_dict)
        max_score = d.pop("max_score")

        min_score = d.pop("min_score")

        name = d.pop("name")

        core_subject_minimum = d.pop("core_subject_minimum", UNSET)

        _core_subject_minimums = d.pop("core_subject_minimums", UNSET)
        core_subject_minimums: LevelRulesImportLevelRuleJsonLevelRuleLevelCoreSubjectMinimums | Unset
        if isinstance(_core_subject_minimums, Unset):
            core_subject_minimums = UNSET
        else:
            core_subject_minimums = LevelRulesImportLevelRuleJsonLevelRuleLevelCoreSubjectMinimums.from_dict(
                _core_subject_minimums
            )

        level_rules_import_level_rule_json_level_rule_level = cls(
            max_score=max_score,
            min_score=min_score,
            name=name,
            core_subject_minimum=core_subject_minimum,
            core_subject_minimums=core_subject_minimums,
        )

        return level_rules_import_level_rule_json_level_rule_level
