from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.band_gap import BandGap
    from ..models.criterion_point import CriterionPoint
    from ..models.diagnostic_scores_frameworks import DiagnosticScoresFrameworks
    from ..models.group_score import GroupScore


T = TypeVar("T", bound="DiagnosticScores")


@_attrs_define
class DiagnosticScores:
    """Every score of a diagnostic: overall, per theme, per framework group and per kind;
    strengths, weak points and the gap to each band.

        Attributes:
            complete (bool):
            frameworks (DiagnosticScoresFrameworks):
            gaps (list[BandGap]):
            kinds (list[GroupScore]):
            missing (list[str]): Codes of the criteria neither rated nor N/A
            overall (GroupScore): The score of one group of criteria (a theme, a kind, a framework's group, overall).
            strengths (list[CriterionPoint]):
            themes (list[GroupScore]):
            weak_points (list[CriterionPoint]):
    """

    complete: bool
    frameworks: DiagnosticScoresFrameworks
    gaps: list[BandGap]
    kinds: list[GroupScore]
    missing: list[str]
    overall: GroupScore
    strengths: list[CriterionPoint]
    themes: list[GroupScore]
    weak_points: list[CriterionPoint]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        complete = self.complete

        frameworks = self.frameworks.to_dict()

        gaps = []
        for gaps_item_data in self.gaps:
            gaps_item = gaps_item_data.to_dict()
            gaps.append(gaps_item)

        kinds = []
        for kinds_item_data in self.kinds:
            kinds_item = kinds_item_data.to_dict()
            kinds.append(kinds_item)

        missing = self.missing

        overall = self.overall.to_dict()

        strengths = []
        for strengths_item_data in self.strengths:
            strengths_item = strengths_item_data.to_dict()
            strengths.append(strengths_item)

        themes = []
        for themes_item_data in self.themes:
            themes_item = themes_item_data.to_dict()
            themes.append(themes_item)

        weak_points = []
        for weak_points_item_data in self.weak_points:
            weak_points_item = weak_points_item_data.to_dict()
            weak_points.append(weak_points_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "complete": complete,
                "frameworks": frameworks,
                "gaps": gaps,
                "kinds": kinds,
                "missing": missing,
                "overall": overall,
                "strengths": strengths,
                "themes": themes,
                "weak_points": weak_points,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.band_gap import BandGap  # noqa: PLC0415
        from ..models.criterion_point import CriterionPoint  # noqa: PLC0415
        from ..models.diagnostic_scores_frameworks import DiagnosticScoresFrameworks  # noqa: PLC0415
        from ..models.group_score import GroupScore  # noqa: PLC0415

        d = dict(src_dict)
        complete = d.pop("complete")

        frameworks = DiagnosticScoresFrameworks.from_dict(d.pop("frameworks"))

        gaps = []
        _gaps = d.pop("gaps")
        for gaps_item_data in _gaps:
            gaps_item = BandGap.from_dict(gaps_item_data)

            gaps.append(gaps_item)

        kinds = []
        _kinds = d.pop("kinds")
        for kinds_item_data in _kinds:
            kinds_item = GroupScore.from_dict(kinds_item_data)

            kinds.append(kinds_item)

        missing = cast(list[str], d.pop("missing"))

        overall = GroupScore.from_dict(d.pop("overall"))

        strengths = []
        _strengths = d.pop("strengths")
        for strengths_item_data in _strengths:
            strengths_item = CriterionPoint.from_dict(strengths_item_data)

            strengths.append(strengths_item)

        themes = []
        _themes = d.pop("themes")
        for themes_item_data in _themes:
            themes_item = GroupScore.from_dict(themes_item_data)

            themes.append(themes_item)

        weak_points = []
        _weak_points = d.pop("weak_points")
        for weak_points_item_data in _weak_points:
            weak_points_item = CriterionPoint.from_dict(weak_points_item_data)

            weak_points.append(weak_points_item)

        diagnostic_scores = cls(
            complete=complete,
            frameworks=frameworks,
            gaps=gaps,
            kinds=kinds,
            missing=missing,
            overall=overall,
            strengths=strengths,
            themes=themes,
            weak_points=weak_points,
        )

        diagnostic_scores.additional_properties = d
        return diagnostic_scores

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
