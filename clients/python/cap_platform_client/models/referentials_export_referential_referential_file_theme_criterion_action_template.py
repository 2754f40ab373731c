from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.referentials_export_referential_referential_file_theme_criterion_action_template_priority import (
    ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplatePriority,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplate")


@_attrs_define
class ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplate:
    """A ready-made progress action proposed when the criterion is a gap.

    Attributes:
        code (str):
        description (str):
        title (str):
        duration_days (int | Unset):  Default: 90.
        priority (ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplatePriority | Unset): Priority of
            a progress action.
    """

    code: str
    description: str
    title: str
    duration_days: int | Unset = 90
    priority: ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplatePriority | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        description = self.description

        title = self.title

        duration_days = self.duration_days

        priority: str | Unset = UNSET
        if not isinstance(self.priority, Unset):
            priority = self.priority.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
                "description": description,
                "title": title,
            }
        )
        if duration_days is not UNSET:
            field_dict["duration_days"] = duration_days
        if priority is not UNSET:
            field_dict["priority"] = priority

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        description = d.pop("description")

        title = d.pop("title")

        duration_days = d.pop("duration_days", UNSET)

        _priority = d.pop("priority", UNSET)
        priority: ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplatePriority | Unset
        if isinstance(_priority, Unset):
            priority = UNSET
        else:
            priority = ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplatePriority(_priority)

        referentials_export_referential_referential_file_theme_criterion_action_template = cls(
            code=code,
            description=description,
            title=title,
            duration_days=duration_days,
            priority=priority,
        )

        return referentials_export_referential_referential_file_theme_criterion_action_template
