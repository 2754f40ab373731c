from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.labelling_appeal_public import LabellingAppealPublic
    from ..models.labelling_decision_public_evaluation_type_0 import LabellingDecisionPublicEvaluationType0
    from ..models.labelling_decision_public_hold_type_0 import LabellingDecisionPublicHoldType0
    from ..models.labelling_decision_public_steps_item import LabellingDecisionPublicStepsItem


T = TypeVar("T", bound="LabellingDecisionPublic")


@_attrs_define
class LabellingDecisionPublic:
    """A decision file as the caller may see it.

    Attributes:
        application_id (None | str):
        audit_id (None | str):
        certification_body_id (None | str):
        computed_level (None | str):
        decided_by (None | str):
        decided_on (datetime.date | None):
        evaluation (LabellingDecisionPublicEvaluationType0 | None):
        group_member_ids (list[str]):
        id (str):
        kind (str):
        level (None | str):
        organisation_id (str):
        reason (None | str):
        recognition_id (None | str):
        renews_id (None | str):
        scheme (str):
        status (str):
        steps (list[LabellingDecisionPublicStepsItem]):
        appeals (list[LabellingAppealPublic] | Unset):
        hold (LabellingDecisionPublicHoldType0 | None | Unset):
        round_ (int | Unset):  Default: 1.
    """

    application_id: None | str
    audit_id: None | str
    certification_body_id: None | str
    computed_level: None | str
    decided_by: None | str
    decided_on: datetime.date | None
    evaluation: LabellingDecisionPublicEvaluationType0 | None
    group_member_ids: list[str]
    id: str
    kind: str
    level: None | str
    organisation_id: str
    reason: None | str
    recognition_id: None | str
    renews_id: None | str
    scheme: str
    status: str
    steps: list[LabellingDecisionPublicStepsItem]
    appeals: list[LabellingAppealPublic] | Unset = UNSET
    hold: LabellingDecisionPublicHoldType0 | None | Unset = UNSET
    round_: int | Unset = 1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.labelling_decision_public_evaluation_type_0 import LabellingDecisionPublicEvaluationType0  # noqa: PLC0415
        from ..models.labelling_decision_public_hold_type_0 import LabellingDecisionPublicHoldType0  # noqa: PLC0415

        application_id: None | str
        application_id = self.application_id

        audit_id: None | str
        audit_id = self.audit_id

        certification_body_id: None | str
        certification_body_id = self.certification_body_id

        computed_level: None | str
        computed_level = self.computed_level

        decided_by: None | str
        decided_by = self.decided_by

        decided_on: None | str
        if isinstance(self.decided_on, datetime.date):
            decided_on = self.decided_on.isoformat()
        else:
            decided_on = self.decided_on

        evaluation: dict[str, Any] | None
        if isinstance(self.evaluation, LabellingDecisionPublicEvaluationType0):
            evaluation = self.evaluation.to_dict()
        else:
            evaluation = self.evaluation

        group_member_ids = self.group_member_ids

        id = self.id

        kind = self.kind

        level: None | str
        level = self.level

        organisation_id = self.organisation_id

        reason: None | str
        reason = self.reason

        recognition_id: None | str
        recognition_id = self.recognition_id

        renews_id: None | str
        renews_id = self.renews_id

        scheme = self.scheme

        status = self.status

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        appeals: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.appeals, Unset):
            appeals = []
            for appeals_item_data in self.appeals:
                appeals_item = appeals_item_data.to_dict()
                appeals.append(appeals_item)

        hold: dict[str, Any] | None | Unset
        if isinstance(self.hold, Unset):
            hold = UNSET
        elif isinstance(self.hold, LabellingDecisionPublicHoldType0):
            hold = self.hold.to_dict()
        else:
            hold = self.hold

        round_ = self.round_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "application_id": application_id,
                "audit_id": audit_id,
                "certification_body_id": certification_body_id,
                "computed_level": computed_level,
                "decided_by": decided_by,
                "decided_on": decided_on,
                "evaluation": evaluation,
                "group_member_ids": group_member_ids,
                "id": id,
                "kind": kind,
                "level": level,
                "organisation_id": organisation_id,
                "reason": reason,
                "recognition_id": recognition_id,
                "renews_id": renews_id,
                "scheme": scheme,
                "status": status,
                "steps": steps,
            }
        )
        if appeals is not UNSET:
            field_dict["appeals"] = appeals
        if hold is not UNSET:
            field_dict["hold"] = hold
        if round_ is not UNSET:
            field_dict["round"] = round_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.labelling_appeal_public import LabellingAppealPublic  # noqa: PLC0415
        from ..models.labelling_decision_public_evaluation_type_0 import LabellingDecisionPublicEvaluationType0  # noqa: PLC0415
        from ..models.labelling_decision_public_hold_type_0 import LabellingDecisionPublicHoldType0  # noqa: PLC0415
        from ..models.labelling_decision_public_steps_item import LabellingDecisionPublicStepsItem  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_application_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        application_id = _parse_application_id(d.pop("application_id"))

        def _parse_audit_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        audit_id = _parse_audit_id(d.pop("audit_id"))

        def _parse_certification_body_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        certification_body_id = _parse_certification_body_id(d.pop("certification_body_id"))

        def _parse_computed_level(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        computed_level = _parse_computed_level(d.pop("computed_level"))

        def _parse_decided_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decided_by = _parse_decided_by(d.pop("decided_by"))

        def _parse_decided_on(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_on_type_0 = datetime.date.fromisoformat(data)

                return decided_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        decided_on = _parse_decided_on(d.pop("decided_on"))

        def _parse_evaluation(data: object) -> LabellingDecisionPublicEvaluationType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                evaluation_type_0 = LabellingDecisionPublicEvaluationType0.from_dict(data)

                return evaluation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LabellingDecisionPublicEvaluationType0 | None, data)

        evaluation = _parse_evaluation(d.pop("evaluation"))

        group_member_ids = cast(list[str], d.pop("group_member_ids"))

        id = d.pop("id")

        kind = d.pop("kind")

        def _parse_level(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        level = _parse_level(d.pop("level"))

        organisation_id = d.pop("organisation_id")

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        def _parse_recognition_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        recognition_id = _parse_recognition_id(d.pop("recognition_id"))

        def _parse_renews_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        renews_id = _parse_renews_id(d.pop("renews_id"))

        scheme = d.pop("scheme")

        status = d.pop("status")

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = LabellingDecisionPublicStepsItem.from_dict(steps_item_data)

            steps.append(steps_item)

        _appeals = d.pop("appeals", UNSET)
        appeals: list[LabellingAppealPublic] | Unset = UNSET
        if _appeals is not UNSET:
            appeals = []
            for appeals_item_data in _appeals:
                appeals_item = LabellingAppealPublic.from_dict(appeals_item_data)

                appeals.append(appeals_item)

        def _parse_hold(data: object) -> LabellingDecisionPublicHoldType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                hold_type_0 = LabellingDecisionPublicHoldType0.from_dict(data)

                return hold_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LabellingDecisionPublicHoldType0 | None | Unset, data)

        hold = _parse_hold(d.pop("hold", UNSET))

        round_ = d.pop("round", UNSET)

        labelling_decision_public = cls(
            application_id=application_id,
            audit_id=audit_id,
            certification_body_id=certification_body_id,
            computed_level=computed_level,
            decided_by=decided_by,
            decided_on=decided_on,
            evaluation=evaluation,
            group_member_ids=group_member_ids,
            id=id,
            kind=kind,
            level=level,
            organisation_id=organisation_id,
            reason=reason,
            recognition_id=recognition_id,
            renews_id=renews_id,
            scheme=scheme,
            status=status,
            steps=steps,
            appeals=appeals,
            hold=hold,
            round_=round_,
        )

        labelling_decision_public.additional_properties = d
        return labelling_decision_public

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
