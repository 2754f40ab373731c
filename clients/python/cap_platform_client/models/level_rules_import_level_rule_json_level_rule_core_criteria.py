from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.level_rules_import_level_rule_json_level_rule_core_criteria_core_cap import (
        LevelRulesImportLevelRuleJsonLevelRuleCoreCriteriaCoreCap,
    )


T = TypeVar("T", bound="LevelRulesImportLevelRuleJsonLevelRuleCoreCriteria")


@_attrs_define
class LevelRulesImportLevelRuleJsonLevelRuleCoreCriteria:
    """What the referential's core criteria (``criteria[].core`` of the evaluation) demand.

    Attributes:
        caps (list[LevelRulesImportLevelRuleJsonLevelRuleCoreCriteriaCoreCap] | Unset):
        minimum_level (int | Unset):  Default: 0.
    """

    caps: list[LevelRulesImportLevelRuleJsonLevelRuleCoreCriteriaCoreCap] | Unset = UNSET
    minimum_level: int | Unset = 0

    def to_dict(self) -> dict[str, Any]:
        caps: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.caps, Unset):
            caps = []
            for caps_item_data in self.caps:
                caps_item = caps_item_data.to_dict()
                caps.append(caps_item)

        minimum_level = self.minimum_level

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if caps is not UNSET:
            field_dict["caps"] = caps
        if minimum_level is not UNSET:
            field_dict["minimum_level"] = minimum_level

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.level_rules_import_level_rule_json_level_rule_core_criteria_core_cap import (
            LevelRulesImportLevelRuleJsonLevelRuleCoreCriteriaCoreCap,  # noqa: PLC0415
        )

        d = dict(src_dict)
        _caps = d.pop("caps", UNSET)
        caps: list[LevelRulesImportLevelRuleJsonLevelRuleCoreCriteriaCoreCap] | Unset = UNSET
        if _caps is not UNSET:
            caps = []
            for caps_item_data in _caps:
                caps_item = LevelRulesImportLevelRuleJsonLevelRuleCoreCriteriaCoreCap.from_dict(caps_item_data)

                caps.append(caps_item)

        minimum_level = d.pop("minimum_level", UNSET)

        level_rules_import_level_rule_json_level_rule_core_criteria = cls(
            caps=caps,
            minimum_level=minimum_level,
        )

        return level_rules_import_level_rule_json_level_rule_core_criteria
