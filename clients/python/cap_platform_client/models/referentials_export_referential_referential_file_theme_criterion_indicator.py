from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReferentialsExportReferentialReferentialFileThemeCriterionIndicator")


@_attrs_define
class ReferentialsExportReferentialReferentialFileThemeCriterionIndicator:
    """A measure that helps rate a criterion.

    Attributes:
        code (str):
        name (str):
        definition (None | str | Unset):
        target (None | str | Unset):
        unit (str | Unset):  Default: ''.
    """

    code: str
    name: str
    definition: None | str | Unset = UNSET
    target: None | str | Unset = UNSET
    unit: str | Unset = ""

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        definition: None | str | Unset
        if isinstance(self.definition, Unset):
            definition = UNSET
        else:
            definition = self.definition

        target: None | str | Unset
        if isinstance(self.target, Unset):
            target = UNSET
        else:
            target = self.target

        unit = self.unit

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
                "name": name,
            }
        )
        if definition is not UNSET:
            field_dict["definition"] = definition
        if target is not UNSET:
            field_dict["target"] = target
        if unit is not UNSET:
            field_dict["unit"] = unit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        name = d.pop("name")

        def _parse_definition(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        definition = _parse_definition(d.pop("definition", UNSET))

        def _parse_target(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        target = _parse_target(d.pop("target", UNSET))

        unit = d.pop("unit", UNSET)

        referentials_export_referential_referential_file_theme_criterion_indicator = cls(
            code=code,
            name=name,
            definition=definition,
            target=target,
            unit=unit,
        )

        return referentials_export_referential_referential_file_theme_criterion_indicator
