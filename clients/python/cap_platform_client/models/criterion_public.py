from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.criterion_public_action_templates_item import CriterionPublicActionTemplatesItem
    from ..models.criterion_public_indicators_item import CriterionPublicIndicatorsItem
    from ..models.criterion_public_mappings_item import CriterionPublicMappingsItem
    from ..models.scale_level import ScaleLevel


T = TypeVar("T", bound="CriterionPublic")


@_attrs_define
class CriterionPublic:
    """A criterion as clients show it for rating.

    Attributes:
        action_templates (list[CriterionPublicActionTemplatesItem]):
        code (str):
        core (bool):
        evidence_examples (list[str]):
        guidance (str):
        indicators (list[CriterionPublicIndicatorsItem]):
        kind (str):
        mappings (list[CriterionPublicMappingsItem]):
        name (str):
        origin (str):
        scale (list[ScaleLevel]):
        urn (str):
        weight (float):
    """

    action_templates: list[CriterionPublicActionTemplatesItem]
    code: str
    core: bool
    evidence_examples: list[str]
    guidance: str
    indicators: list[CriterionPublicIndicatorsItem]
    kind: str
    mappings: list[CriterionPublicMappingsItem]
    name: str
    origin: str
    scale: list[ScaleLevel]
    urn: str
    weight: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action_templates = []
        for action_templates_item_data in self.action_templates:
            action_templates_item = action_templates_item_data.to_dict()
            action_templates.append(action_templates_item)

        code = self.code

        core = self.core

        evidence_examples = self.evidence_examples

        guidance = self.guidance

        indicators = []
        for indicators_item_data in self.indicators:
            indicators_item = indicators_item_data.to_dict()
            indicators.append(indicators_item)

        kind = self.kind

        mappings = []
        for mappings_item_data in self.mappings:
            mappings_item = mappings_item_data.to_dict()
            mappings.append(mappings_item)

        name = self.name

        origin = self.origin

        scale = []
        for scale_item_data in self.scale:
            scale_item = scale_item_data.to_dict()
            scale.append(scale_item)

        urn = self.urn

        weight = self.weight

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action_templates": action_templates,
                "code": code,
                "core": core,
                "evidence_examples": evidence_examples,
                "guidance": guidance,
                "indicators": indicators,
                "kind": kind,
                "mappings": mappings,
                "name": name,
                "origin": origin,
                "scale": scale,
                "urn": urn,
                "weight": weight,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.criterion_public_action_templates_item import CriterionPublicActionTemplatesItem  # noqa: PLC0415
        from ..models.criterion_public_indicators_item import CriterionPublicIndicatorsItem  # noqa: PLC0415
        from ..models.criterion_public_mappings_item import CriterionPublicMappingsItem  # noqa: PLC0415
        from ..models.scale_level import ScaleLevel  # noqa: PLC0415

        d = dict(src_dict)
        action_templates = []
        _action_templates = d.pop("action_templates")
        for action_templates_item_data in _action_templates:
            action_templates_item = CriterionPublicActionTemplatesItem.from_dict(action_templates_item_data)

            action_templates.append(action_templates_item)

        code = d.pop("code")

        core = d.pop("core")

        evidence_examples = cast(list[str], d.pop("evidence_examples"))

        guidance = d.pop("guidance")

        indicators = []
        _indicators = d.pop("indicators")
        for indicators_item_data in _indicators:
            indicators_item = CriterionPublicIndicatorsItem.from_dict(indicators_item_data)

            indicators.append(indicators_item)

        kind = d.pop("kind")

        mappings = []
        _mappings = d.pop("mappings")
        for mappings_item_data in _mappings:
            mappings_item = CriterionPublicMappingsItem.from_dict(mappings_item_data)

            mappings.append(mappings_item)

        name = d.pop("name")

        origin = d.pop("origin")

        scale = []
        _scale = d.pop("scale")
        for scale_item_data in _scale:
            scale_item = ScaleLevel.from_dict(scale_item_data)

            scale.append(scale_item)

        urn = d.pop("urn")

        weight = d.pop("weight")

        criterion_public = cls(
            action_templates=action_templates,
            code=code,
            core=core,
            evidence_examples=evidence_examples,
            guidance=guidance,
            indicators=indicators,
            kind=kind,
            mappings=mappings,
            name=name,
            origin=origin,
            scale=scale,
            urn=urn,
            weight=weight,
        )

        criterion_public.additional_properties = d
        return criterion_public

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
