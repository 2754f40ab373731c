from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EvaluatedLevel")


@_attrs_define
class EvaluatedLevel:
    """The maturity recorded for a criterion at a site (``level`` is 0 when not applicable).

    Attributes:
        comment (None | str):
        criterion_urn (str):
        level (int):
        not_applicable (bool):
        site_id (None | str): The group member evaluated; null: the organisation
    """

    comment: None | str
    criterion_urn: str
    level: int
    not_applicable: bool
    site_id: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        comment: None | str
        comment = self.comment

        criterion_urn = self.criterion_urn

        level = self.level

        not_applicable = self.not_applicable

        site_id: None | str
        site_id = self.site_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "comment": comment,
                "criterion_urn": criterion_urn,
                "level": level,
                "not_applicable": not_applicable,
                "site_id": site_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_comment(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        comment = _parse_comment(d.pop("comment"))

        criterion_urn = d.pop("criterion_urn")

        level = d.pop("level")

        not_applicable = d.pop("not_applicable")

        def _parse_site_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        site_id = _parse_site_id(d.pop("site_id"))

        evaluated_level = cls(
            comment=comment,
            criterion_urn=criterion_urn,
            level=level,
            not_applicable=not_applicable,
            site_id=site_id,
        )

        evaluated_level.additional_properties = d
        return evaluated_level

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
