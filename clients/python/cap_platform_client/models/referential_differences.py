from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.criterion_change import CriterionChange
    from ..models.criterion_item import CriterionItem
    from ..models.referential_differences_bands_after_item import ReferentialDifferencesBandsAfterItem
    from ..models.referential_differences_bands_before_item import ReferentialDifferencesBandsBeforeItem
    from ..models.theme_item import ThemeItem


T = TypeVar("T", bound="ReferentialDifferences")


@_attrs_define
class ReferentialDifferences:
    """What changed from one version of a referential to another, field by field.

    Attributes:
        bands_after (list[ReferentialDifferencesBandsAfterItem]):
        bands_before (list[ReferentialDifferencesBandsBeforeItem]):
        bands_changed (bool):
        code (str):
        criteria_added (list[CriterionItem]):
        criteria_changed (list[CriterionChange]):
        criteria_removed (list[CriterionItem]):
        criteria_unchanged (int):
        from_version (int):
        themes_added (list[ThemeItem]):
        themes_removed (list[ThemeItem]):
        to_version (int):
    """

    bands_after: list[ReferentialDifferencesBandsAfterItem]
    bands_before: list[ReferentialDifferencesBandsBeforeItem]
    bands_changed: bool
    code: str
    criteria_added: list[CriterionItem]
    criteria_changed: list[CriterionChange]
    criteria_removed: list[CriterionItem]
    criteria_unchanged: int
    from_version: int
    themes_added: list[ThemeItem]
    themes_removed: list[ThemeItem]
    to_version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bands_after = []
        for bands_after_item_data in self.bands_after:
            bands_after_item = bands_after_item_data.to_dict()
            bands_after.append(bands_after_item)

        bands_before = []
        for bands_before_item_data in self.bands_before:
            bands_before_item = bands_before_item_data.to_dict()
            bands_before.append(bands_before_item)

        bands_changed = self.bands_changed

        code = self.code

        criteria_added = []
        for criteria_added_item_data in self.criteria_added:
            criteria_added_item = criteria_added_item_data.to_dict()
            criteria_added.append(criteria_added_item)

        criteria_changed = []
        for criteria_changed_item_data in self.criteria_changed:
            criteria_changed_item = criteria_changed_item_data.to_dict()
            criteria_changed.append(criteria_changed_item)

        criteria_removed = []
        for criteria_removed_item_data in self.criteria_removed:
            criteria_removed_item = criteria_removed_item_data.to_dict()
            criteria_removed.append(criteria_removed_item)

        criteria_unchanged = self.criteria_unchanged

        from_version = self.from_version

        themes_added = []
        for themes_added_item_data in self.themes_added:
            themes_added_item = themes_added_item_data.to_dict()
            themes_added.append(themes_added_item)

        themes_removed = []
        for themes_removed_item_data in self.themes_removed:
            themes_removed_item = themes_removed_item_data.to_dict()
            themes_removed.append(themes_removed_item)

        to_version = self.to_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bands_after": bands_after,
                "bands_before": bands_before,
                "bands_changed": bands_changed,
                "code": code,
                "criteria_added": criteria_added,
                "criteria_changed": criteria_changed,
                "criteria_removed": criteria_removed,
                "criteria_unchanged": criteria_unchanged,
                "from_version": from_version,
                "themes_added": themes_added,
                "themes_removed": themes_removed,
                "to_version": to_version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.criterion_change import CriterionChange  # noqa: PLC0415
        from ..models.criterion_item import CriterionItem  # noqa: PLC0415
        from ..models.referential_differences_bands_after_item import ReferentialDifferencesBandsAfterItem  # noqa: PLC0415
        from ..models.referential_differences_bands_before_item import ReferentialDifferencesBandsBeforeItem  # noqa: PLC0415
        from ..models.theme_item import ThemeItem  # noqa: PLC0415

        d = dict(src_dict)
        bands_after = []
        _bands_after = d.pop("bands_after")
        for bands_after_item_data in _bands_after:
            bands_after_item = ReferentialDifferencesBandsAfterItem.from_dict(bands_after_item_data)

            bands_after.append(bands_after_item)

        bands_before = []
        _bands_before = d.pop("bands_before")
        for bands_before_item_data in _bands_before:
            bands_before_item = ReferentialDifferencesBandsBeforeItem.from_dict(bands_before_item_data)

            bands_before.append(bands_before_item)

        bands_changed = d.pop("bands_changed")

        code = d.pop("code")

        criteria_added = []
        _criteria_added = d.pop("criteria_added")
        for criteria_added_item_data in _criteria_added:
            criteria_added_item = CriterionItem.from_dict(criteria_added_item_data)

            criteria_added.append(criteria_added_item)

        criteria_changed = []
        _criteria_changed = d.pop("criteria_changed")
        for criteria_changed_item_data in _criteria_changed:
            criteria_changed_item = CriterionChange.from_dict(criteria_changed_item_data)

            criteria_changed.append(criteria_changed_item)

        criteria_removed = []
        _criteria_removed = d.pop("criteria_removed")
        for criteria_removed_item_data in _criteria_removed:
            criteria_removed_item = CriterionItem.from_dict(criteria_removed_item_data)

            criteria_removed.append(criteria_removed_item)

        criteria_unchanged = d.pop("criteria_unchanged")

        from_version = d.pop("from_version")

        themes_added = []
        _themes_added = d.pop("themes_added")
        for themes_added_item_data in _themes_added:
            themes_added_item = ThemeItem.from_dict(themes_added_item_data)

            themes_added.append(themes_added_item)

        themes_removed = []
        _themes_removed = d.pop("themes_removed")
        for themes_removed_item_data in _themes_removed:
            themes_removed_item = ThemeItem.from_dict(themes_removed_item_data)

            themes_removed.append(themes_removed_item)

        to_version = d.pop("to_version")

        referential_differences = cls(
            bands_after=bands_after,
            bands_before=bands_before,
            bands_changed=bands_changed,
            code=code,
            criteria_added=criteria_added,
            criteria_changed=criteria_changed,
            criteria_removed=criteria_removed,
            criteria_unchanged=criteria_unchanged,
            from_version=from_version,
            themes_added=themes_added,
            themes_removed=themes_removed,
            to_version=to_version,
        )

        referential_differences.additional_properties = d
        return referential_differences

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
