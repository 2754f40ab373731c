from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GroupScore")


@_attrs_define
class GroupScore:
    """The score of one group of criteria (a theme, a kind, a framework's group, overall).

    Attributes:
        band (None | str):
        code (str):
        group (str): "overall", "theme", "kind", or a framework id
        name (str):
        not_applicable (int):
        rated (int):
        score (int | None): None when nothing in the group is rated
        total (int):
    """

    band: None | str
    code: str
    group: str
    name: str
    not_applicable: int
    rated: int
    score: int | None
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        band: None | str
        band = self.band

        code = self.code

        group = self.group

        name = self.name

        not_applicable = self.not_applicable

        rated = self.rated

        score: int | None
        score = self.score

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "band": band,
                "code": code,
                "group": group,
                "name": name,
                "not_applicable": not_applicable,
                "rated": rated,
                "score": score,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_band(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        band = _parse_band(d.pop("band"))

        code = d.pop("code")

        group = d.pop("group")

        name = d.pop("name")

        not_applicable = d.pop("not_applicable")

        rated = d.pop("rated")

        def _parse_score(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        score = _parse_score(d.pop("score"))

        total = d.pop("total")

        group_score = cls(
            band=band,
            code=code,
            group=group,
            name=name,
            not_applicable=not_applicable,
            rated=rated,
            score=score,
            total=total,
        )

        group_score.additional_properties = d
        return group_score

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
