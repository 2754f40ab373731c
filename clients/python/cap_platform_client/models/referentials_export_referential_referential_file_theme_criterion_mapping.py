from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ReferentialsExportReferentialReferentialFileThemeCriterionMapping")


@_attrs_define
class ReferentialsExportReferentialReferentialFileThemeCriterionMapping:
    """A criterion's link to an item of a declared framework.

    Attributes:
        framework (str):
        ref (str):
    """

    framework: str
    ref: str

    def to_dict(self) -> dict[str, Any]:
        framework = self.framework

        ref = self.ref

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "framework": framework,
                "ref": ref,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        framework = d.pop("framework")

        ref = d.pop("ref")

        referentials_export_referential_referential_file_theme_criterion_mapping = cls(
            framework=framework,
            ref=ref,
        )

        return referentials_export_referential_referential_file_theme_criterion_mapping
