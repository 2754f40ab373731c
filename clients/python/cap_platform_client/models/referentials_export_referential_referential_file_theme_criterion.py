from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.referentials_export_referential_referential_file_theme_criterion_criterion_kind import (
    ReferentialsExportReferentialReferentialFileThemeCriterionCriterionKind,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.referentials_export_referential_referential_file_theme_criterion_action_template import (
        ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplate,
    )
    from ..models.referentials_export_referential_referential_file_theme_criterion_indicator import (
        ReferentialsExportReferentialReferentialFileThemeCriterionIndicator,
    )
    from ..models.referentials_export_referential_referential_file_theme_criterion_mapping import (
        ReferentialsExportReferentialReferentialFileThemeCriterionMapping,
    )


T = TypeVar("T", bound="ReferentialsExportReferentialReferentialFileThemeCriterion")


@_attrs_define
class ReferentialsExportReferentialReferentialFileThemeCriterion:
    """What is rated in a diagnostic.

    Attributes:
        code (str):
        guidance (str):
        name (str):
        urn (str):
        action_templates (list[ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplate] | Unset):
        core (bool | Unset):  Default: False.
        evidence_examples (list[str] | Unset):
        indicators (list[ReferentialsExportReferentialReferentialFileThemeCriterionIndicator] | Unset):
        kind (ReferentialsExportReferentialReferentialFileThemeCriterionCriterionKind | Unset): Practice criteria (what
            is done) or result criteria (what it achieves), as in Engagé RSE.
        mappings (list[ReferentialsExportReferentialReferentialFileThemeCriterionMapping] | Unset):
        scale (None | str | Unset):
        weight (float | Unset):  Default: 1.0.
    """

    code: str
    guidance: str
    name: str
    urn: str
    action_templates: list[ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplate] | Unset = UNSET
    core: bool | Unset = False
    evidence_examples: list[str] | Unset = UNSET
    indicators: list[ReferentialsExportReferentialReferentialFileThemeCriterionIndicator] | Unset = UNSET
    kind: ReferentialsExportReferentialReferentialFileThemeCriterionCriterionKind | Unset = UNSET
    mappings: list[ReferentialsExportReferentialReferentialFileThemeCriterionMapping] | Unset = UNSET
    scale: None | str | Unset = UNSET
    weight: float | Unset = 1.0

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        guidance = self.guidance

        name = self.name

        urn = self.urn

        action_templates: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.action_templates, Unset):
            action_templates = []
            for action_templates_item_data in self.action_templates:
                action_templates_item = action_templates_item_data.to_dict()
                action_templates.append(action_templates_item)

        core = self.core

        evidence_examples: list[str] | Unset = UNSET
        if not isinstance(self.evidence_examples, Unset):
            evidence_examples = self.evidence_examples

        indicators: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.indicators, Unset):
            indicators = []
            for indicators_item_data in self.indicators:
                indicators_item = indicators_item_data.to_dict()
                indicators.append(indicators_item)

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value

        mappings: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.mappings, Unset):
            mappings = []
            for mappings_item_data in self.mappings:
                mappings_item = mappings_item_data.to_dict()
                mappings.append(mappings_item)

        scale: None | str | Unset
        if isinstance(self.scale, Unset):
            scale = UNSET
        else:
            scale = self.scale

        weight = self.weight

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
                "guidance": guidance,
                "name": name,
                "urn": urn,
            }
        )
        if action_templates is not UNSET:
            field_dict["action_templates"] = action_templates
        if core is not UNSET:
            field_dict["core"] = core
        if evidence_examples is not UNSET:
            field_dict["evidence_examples"] = evidence_examples
        if indicators is not UNSET:
            field_dict["indicators"] = indicators
        if kind is not UNSET:
            field_dict["kind"] = kind
        if mappings is not UNSET:
            field_dict["mappings"] = mappings
        if scale is not UNSET:
            field_dict["scale"] = scale
        if weight is not UNSET:
            field_dict["weight"] = weight

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.referentials_export_referential_referential_file_theme_criterion_action_template import (
            ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplate,  # noqa: PLC0415
        )
        from ..models.referentials_export_referential_referential_file_theme_criterion_indicator import (
            ReferentialsExportReferentialReferentialFileThemeCriterionIndicator,  # noqa: PLC0415
        )
        from ..models.referentials_export_referential_referential_file_theme_criterion_mapping import (
            ReferentialsExportReferentialReferentialFileThemeCriterionMapping,  # noqa: PLC0415
        )

        d = dict(src_dict)
        code = d.pop("code")

        guidance = d.pop("guidance")

        name = d.pop("name")

        urn = d.pop("urn")

        _action_templates = d.pop("action_templates", UNSET)
        action_templates: list[ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplate] | Unset = UNSET
        if _action_templates is not UNSET:
            action_templates = []
            for action_templates_item_data in _action_templates:
                action_templates_item = (
                    ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplate.from_dict(
                        action_templates_item_data
                    )
                )

                action_templates.append(action_templates_item)

        core = d.pop("core", UNSET)

        evidence_examples = cast(list[str], d.pop("evidence_examples", UNSET))

        _indicators = d.pop("indicators", UNSET)
        indicators: list[ReferentialsExportReferentialReferentialFileThemeCriterionIndicator] | Unset = UNSET
        if _indicators is not UNSET:
            indicators = []
            for indicators_item_data in _indicators:
                indicators_item = ReferentialsExportReferentialReferentialFileThemeCriterionIndicator.from_dict(
                    indicators_item_data
                )

                indicators.append(indicators_item)

        _kind = d.pop("kind", UNSET)
        kind: ReferentialsExportReferentialReferentialFileThemeCriterionCriterionKind | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = ReferentialsExportReferentialReferentialFileThemeCriterionCriterionKind(_kind)

        _mappings = d.pop("mappings", UNSET)
        mappings: list[ReferentialsExportReferentialReferentialFileThemeCriterionMapping] | Unset = UNSET
        if _mappings is not UNSET:
            mappings = []
            for mappings_item_data in _mappings:
                mappings_item = ReferentialsExportReferentialReferentialFileThemeCriterionMapping.from_dict(
                    mappings_item_data
                )

                mappings.append(mappings_item)

        def _parse_scale(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scale = _parse_scale(d.pop("scale", UNSET))

        weight = d.pop("weight", UNSET)

        referentials_export_referential_referential_file_theme_criterion = cls(
            code=code,
            guidance=guidance,
            name=name,
            urn=urn,
            action_templates=action_templates,
            core=core,
            evidence_examples=evidence_examples,
            indicators=indicators,
            kind=kind,
            mappings=mappings,
            scale=scale,
            weight=weight,
        )

        return referentials_export_referential_referential_file_theme_criterion
