from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.level_rules_import_level_rule_json_level_rule_core_criteria import (
        LevelRulesImportLevelRuleJsonLevelRuleCoreCriteria,
    )
    from ..models.level_rules_import_level_rule_json_level_rule_level import LevelRulesImportLevelRuleJsonLevelRuleLevel
    from ..models.level_rules_import_level_rule_json_level_rule_referential_version import (
        LevelRulesImportLevelRuleJsonLevelRuleReferentialVersion,
    )


T = TypeVar("T", bound="LevelRulesImportLevelRuleJsonLevelRule")


@_attrs_define
class LevelRulesImportLevelRuleJsonLevelRule:
    """One referential version's level rule (levels listed from lowest to highest).

    Attributes:
        core_subjects (list[str]):
        levels (list[LevelRulesImportLevelRuleJsonLevelRuleLevel]):
        referential (LevelRulesImportLevelRuleJsonLevelRuleReferentialVersion): The referential version a rule applies
            to.
        rule (str):
        core_criteria (LevelRulesImportLevelRuleJsonLevelRuleCoreCriteria | Unset): What the referential's core criteria
            (``criteria[].core`` of the evaluation) demand.
        framework (str | Unset):  Default: 'iso26000'.
        label_from (None | str | Unset):
        no_open_major_nc (bool | Unset):  Default: True.
    """

    core_subjects: list[str]
    levels: list[LevelRulesImportLevelRuleJsonLevelRuleLevel]
    referential: LevelRulesImportLevelRuleJsonLevelRuleReferentialVersion
    rule: str
    core_criteria: LevelRulesImportLevelRuleJsonLevelRuleCoreCriteria | Unset = UNSET
    framework: str | Unset = "iso26000"
    label_from: None | str | Unset = UNSET
    no_open_major_nc: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:
        core_subjects = self.core_subjects

        levels = []
        for levels_item_data in self.levels:
            levels_item = levels_item_data.to_dict()
            levels.append(levels_item)

        referential = self.referential.to_dict()

        rule = self.rule

        core_criteria: dict[str, Any] | Unset = UNSET
        if not isinstance(self.core_criteria, Unset):
            core_criteria = self.core_criteria.to_dict()

        framework = self.framework

        label_from: None | str | Unset
        if isinstance(self.label_from, Unset):
            label_from = UNSET
        else:
            label_from = self.label_from

        no_open_major_nc = self.no_open_major_nc

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "core_subjects": core_subjects,
                "levels": levels,
                "referential": referential,
                "rule": rule,
            }
        )
        if core_criteria is not UNSET:
            field_dict["core_criteria"] = core_criteria
        if framework is not UNSET:
            field_dict["framework"] = framework
        if label_from is not UNSET:
            field_dict["label_from"] = label_from
        if no_open_major_nc is not UNSET:
            field_dict["no_open_major_nc"] = no_open_major_nc

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.level_rules_import_level_rule_json_level_rule_core_criteria import (
            LevelRulesImportLevelRuleJsonLevelRuleCoreCriteria,  # noqa: PLC0415
        )
        from ..models.level_rules_import_level_rule_json_level_rule_level import (
            LevelRulesImportLevelRuleJsonLevelRuleLevel,  # noqa: PLC0415
        )
        from ..models.level_rules_import_level_rule_json_level_rule_referential_version import (
            LevelRulesImportLevelRuleJsonLevelRuleReferentialVersion,  # noqa: PLC0415
        )

        d = dict(src_dict)
        core_subjects = cast(list[str], d.pop("core_subjects"))

        levels = []
        _levels = d.pop("levels")
        for levels_item_data in _levels:
            levels_item = LevelRulesImportLevelRuleJsonLevelRuleLevel.from_dict(levels_item_data)

            levels.append(levels_item)

        referential = LevelRulesImportLevelRuleJsonLevelRuleReferentialVersion.from_dict(d.pop("referential"))

        rule = d.pop("rule")

        _core_criteria = d.pop("core_criteria", UNSET)
        core_criteria: LevelRulesImportLevelRuleJsonLevelRuleCoreCriteria | Unset
        if isinstance(_core_criteria, Unset):
            core_criteria = UNSET
        else:
            core_criteria = LevelRulesImportLevelRuleJsonLevelRuleCoreCriteria.from_dict(_core_criteria)

        framework = d.pop("framework", UNSET)

        def _parse_label_from(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        label_from = _parse_label_from(d.pop("label_from", UNSET))

        no_open_major_nc = d.pop("no_open_major_nc", UNSET)

        level_rules_import_level_rule_json_level_rule = cls(
            core_subjects=core_subjects,
            levels=levels,
            referential=referential,
            rule=rule,
            core_criteria=core_criteria,
            framework=framework,
            label_from=label_from,
            no_open_major_nc=no_open_major_nc,
        )

        return level_rules_import_level_rule_json_level_rule
