from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.diagnostic_completed_v1_kind import DiagnosticCompletedV1Kind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.criterion_score_v1 import CriterionScoreV1
    from ..models.diagnostic_completed_v1_frameworks import DiagnosticCompletedV1Frameworks
    from ..models.group_score_v1 import GroupScoreV1
    from ..models.referential_ref import ReferentialRef


T = TypeVar("T", bound="DiagnosticCompletedV1")


@_attrs_define
class DiagnosticCompletedV1:
    """A diagnostic was completed; its scores are final.

    Attributes:
        completed_at (datetime.datetime):
        criteria (list[CriterionScoreV1]):
        diagnostic_id (str):
        kind (DiagnosticCompletedV1Kind): cap_session and self_assessment: the structure's own assessment;
            audit_evaluation: the auditor's evaluated maturity of a CAP RSE audit, recorded and scored by the diagnostic
            service
        organisation_id (str):
        overall (GroupScoreV1): A score on the 0-1000 scale for one group of criteria.
        referential (ReferentialRef): Which referential version a diagnostic was made on.
        themes (list[GroupScoreV1]):
        audit_id (None | str | Unset): For an audit_evaluation: the audit whose report it records
        dynamic_exit_rate (float | None | Unset): Share of dynamic exits among counted exits
        facilitator_user_ids (list[str] | Unset): Platform accounts of the facilitators who accompanied the session (an
            accompaniment: bars them from auditing or deciding on the structure for the scheme's cooling-off period)
        frameworks (DiagnosticCompletedV1Frameworks | Unset): Per ISO 26000 core subject, per ISO 9001 clause group
        kinds (list[GroupScoreV1] | Unset): Practice vs result
        session_date (datetime.date | None | Unset):
    """

    completed_at: datetime.datetime
    criteria: list[CriterionScoreV1]
    diagnostic_id: str
    kind: DiagnosticCompletedV1Kind
    organisation_id: str
    overall: GroupScoreV1
    referential: ReferentialRef
    themes: list[GroupScoreV1]
    audit_id: None | str | Unset = UNSET
    dynamic_exit_rate: float | None | Unset = UNSET
    facilitator_user_ids: list[str] | Unset = UNSET
    frameworks: DiagnosticCompletedV1Frameworks | Unset = UNSET
    kinds: list[GroupScoreV1] | Unset = UNSET
    session_date: datetime.date | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        completed_at = self.completed_at.isoformat()

        criteria = []
        for criteria_item_data in self.criteria:
            criteria_item = criteria_item_data.to_dict()
            criteria.append(criteria_item)

        diagnostic_id = self.diagnostic_id

        kind = self.kind.value

        organisation_id = self.organisation_id

        overall = self.overall.to_dict()

        referential = self.referential.to_dict()

        themes = []
        for themes_item_data in self.themes:
            themes_item = themes_item_data.to_dict()
            themes.append(themes_item)

        audit_id: None | str | Unset
        if isinstance(self.audit_id, Unset):
            audit_id = UNSET
        else:
            audit_id = self.audit_id

        dynamic_exit_rate: float | None | Unset
        if isinstance(self.dynamic_exit_rate, Unset):
            dynamic_exit_rate = UNSET
        else:
            dynamic_exit_rate = self.dynamic_exit_rate

        facilitator_user_ids: list[str] | Unset = UNSET
        if not isinstance(self.facilitator_user_ids, Unset):
            facilitator_user_ids = self.facilitator_user_ids

        frameworks: dict[str, Any] | Unset = UNSET
        if not isinstance(self.frameworks, Unset):
            frameworks = self.frameworks.to_dict()

        kinds: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.kinds, Unset):
            kinds = []
            for kinds_item_data in self.kinds:
                kinds_item = kinds_item_data.to_dict()
                kinds.append(kinds_item)

        session_date: None | str | Unset
        if isinstance(self.session_date, Unset):
            session_date = UNSET
        elif isinstance(self.session_date, datetime.date):
            session_date = self.session_date.isoformat()
        else:
            session_date = self.session_date

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "completed_at": completed_at,
                "criteria": criteria,
                "diagnostic_id": diagnostic_id,
                "kind": kind,
                "organisation_id": organisation_id,
                "overall": overall,
                "referential": referential,
                "themes": themes,
            }
        )
        if audit_id is not UNSET:
            field_dict["audit_id"] = audit_id
        if dynamic_exit_rate is not UNSET:
            field_dict["dynamic_exit_rate"] = dynamic_exit_rate
        if facilitator_user_ids is not UNSET:
            field_dict["facilitator_user_ids"] = facilitator_user_ids
        if frameworks is not UNSET:
            field_dict["frameworks"] = frameworks
        if kinds is not UNSET:
            field_dict["kinds"] = kinds
        if session_date is not UNSET:
            field_dict["session_date"] = session_date

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.criterion_score_v1 import CriterionScoreV1  # noqa: PLC0415
        from ..models.diagnostic_completed_v1_frameworks import DiagnosticCompletedV1Frameworks  # noqa: PLC0415
        from ..models.group_score_v1 import GroupScoreV1  # noqa: PLC0415
        from ..models.referential_ref import ReferentialRef  # noqa: PLC0415

        d = dict(src_dict)
        completed_at = datetime.datetime.fromisoformat(d.pop("completed_at"))

        criteria = []
        _criteria = d.pop("criteria")
        for criteria_item_data in _criteria:
            criteria_item = CriterionScoreV1.from_dict(criteria_item_data)

            criteria.append(criteria_item)

        diagnostic_id = d.pop("diagnostic_id")

        kind = DiagnosticCompletedV1Kind(d.pop("kind"))

        organisation_id = d.pop("organisation_id")

        overall = GroupScoreV1.from_dict(d.pop("overall"))

        referential = ReferentialRef.from_dict(d.pop("referential"))

        themes = []
        _themes = d.pop("themes")
        for themes_item_data in _themes:
            themes_item = GroupScoreV1.from_dict(themes_item_data)

            themes.append(themes_item)

        def _parse_audit_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        audit_id = _parse_audit_id(d.pop("audit_id", UNSET))

        def _parse_dynamic_exit_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        dynamic_exit_rate = _parse_dynamic_exit_rate(d.pop("dynamic_exit_rate", UNSET))

        facilitator_user_ids = cast(list[str], d.pop("facilitator_user_ids", UNSET))

        _frameworks = d.pop("frameworks", UNSET)
        frameworks: DiagnosticCompletedV1Frameworks | Unset
        if isinstance(_frameworks, Unset):
            frameworks = UNSET
        else:
            frameworks = DiagnosticCompletedV1Frameworks.from_dict(_frameworks)

        _kinds = d.pop("kinds", UNSET)
        kinds: list[GroupScoreV1] | Unset = UNSET
        if _kinds is not UNSET:
            kinds = []
            for kinds_item_data in _kinds:
                kinds_item = GroupScoreV1.from_dict(kinds_item_data)

                kinds.append(kinds_item)

        def _parse_session_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                session_date_type_0 = datetime.date.fromisoformat(data)

                return session_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        session_date = _parse_session_date(d.pop("session_date", UNSET))

        diagnostic_completed_v1 = cls(
            completed_at=completed_at,
            criteria=criteria,
            diagnostic_id=diagnostic_id,
            kind=kind,
            organisation_id=organisation_id,
            overall=overall,
            referential=referential,
            themes=themes,
            audit_id=audit_id,
            dynamic_exit_rate=dynamic_exit_rate,
            facilitator_user_ids=facilitator_user_ids,
            frameworks=frameworks,
            kinds=kinds,
            session_date=session_date,
        )

        diagnostic_completed_v1.additional_properties = d
        return diagnostic_completed_v1

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
