from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GroupScoreV1")


@_attrs_define
class GroupScoreV1:
    """A score on the 0-1000 scale for one group of criteria.

    Attributes:
        band (None | str): Named band: Non engagé, Initial, Progression, Confirmé, Exemplaire
        code (str):
        group (str): "overall", "theme", "kind", or a framework id (iso26000, iso9001)
        name (str):
        not_applicable (int):
        rated (int):
        score (int | None): 0-1000; null when nothing in the group was rated
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

        group_score_v1 = cls(
            band=band,
            code=code,
            group=group,
            name=name,
            not_applicable=not_applicable,
            rated=rated,
            score=score,
            total=total,
        )

        group_score_v1.additional_properties = d
        return group_score_v1

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
