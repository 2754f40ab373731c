from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Comparison")


@_attrs_define
class Comparison:
    """A score of the structure against its peers'.

    Attributes:
        code (str):
        group (str):
        peers_median (int):
        peers_p25 (int):
        peers_p75 (int):
        percentile (int):
        score (int):
    """

    code: str
    group: str
    peers_median: int
    peers_p25: int
    peers_p75: int
    percentile: int
    score: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        group = self.group

        peers_median = self.peers_median

        peers_p25 = self.peers_p25

        peers_p75 = self.peers_p75

        percentile = self.percentile

        score = self.score

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "group": group,
                "peers_median": peers_median,
                "peers_p25": peers_p25,
                "peers_p75": peers_p75,
                "percentile": percentile,
                "score": score,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        group = d.pop("group")

        peers_median = d.pop("peers_median")

        peers_p25 = d.pop("peers_p25")

        peers_p75 = d.pop("peers_p75")

        percentile = d.pop("percentile")

        score = d.pop("score")

        comparison = cls(
            code=code,
            group=group,
            peers_median=peers_median,
            peers_p25=peers_p25,
            peers_p75=peers_p75,
            percentile=percentile,
            score=score,
        )

        comparison.additional_properties = d
        return comparison

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
