from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="EvaluatedMaturityV1")


@_attrs_define
class EvaluatedMaturityV1:
    """The auditor's evaluated maturity for a criterion (CAP RSE).

    Attributes:
        criterion_urn (str):
        level (int): Ignored when not_applicable
        not_applicable (bool | Unset): The auditor judged the criterion not applicable Default: False.
        site_id (None | str | Unset): The group member (site) evaluated; null: the audited organisation itself
    """

    criterion_urn: str
    level: int
    not_applicable: bool | Unset = False
    site_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        criterion_urn = self.criterion_urn

        level = self.level

        not_applicable = self.not_applicable

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "criterion_urn": criterion_urn,
                "level": level,
            }
        )
        if not_applicable is not UNSET:
            field_dict["not_applicable"] = not_applicable
        if site_id is not UNSET:
            field_dict["site_id"] = site_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        criterion_urn = d.pop("criterion_urn")

        level = d.pop("level")

        not_applicable = d.pop("not_applicable", UNSET)

        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))

        evaluated_maturity_v1 = cls(
            criterion_urn=criterion_urn,
            level=level,
            not_applicable=not_applicable,
            site_id=site_id,
        )

        evaluated_maturity_v1.additional_properties = d
        return evaluated_maturity_v1

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
