from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.referentials_export_referential_referential_file_theme_criterion import (
        ReferentialsExportReferentialReferentialFileThemeCriterion,
    )


T = TypeVar("T", bound="ReferentialsExportReferentialReferentialFileTheme")


@_attrs_define
class ReferentialsExportReferentialReferentialFileTheme:
    """A group of criteria scored together.

    Attributes:
        code (str):
        criteria (list[ReferentialsExportReferentialReferentialFileThemeCriterion]):
        description (str):
        name (str):
        urn (str):
    """

    code: str
    criteria: list[ReferentialsExportReferentialReferentialFileThemeCriterion]
    description: str
    name: str
    urn: str

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        criteria = []
        for criteria_item_data in self.criteria:
            criteria_item = criteria_item_data.to_dict()
            criteria.append(criteria_item)

        description = self.description

        name = self.name

        urn = self.urn

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
                "criteria": criteria,
                "description": description,
                "name": name,
                "urn": urn,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.referentials_export_referential_referential_file_theme_criterion import (
            ReferentialsExportReferentialReferentialFileThemeCriterion,  # noqa: PLC0415
        )

        d = dict(src_dict)
        code = d.pop("code")

        criteria = []
        _criteria = d.pop("criteria")
        for criteria_item_data in _criteria:
            criteria_item = ReferentialsExportReferentialReferentialFileThemeCriterion.from_dict(criteria_item_data)

            criteria.append(criteria_item)

        description = d.pop("description")

        name = d.pop("name")

        urn = d.pop("urn")

        referentials_export_referential_referential_file_theme = cls(
            code=code,
            criteria=criteria,
            description=description,
            name=name,
            urn=urn,
        )

        return referentials_export_referential_referential_file_theme
