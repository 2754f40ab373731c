from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.decision_appeal_lodged_v1_scheme import DecisionAppealLodgedV1Scheme
from ..types import UNSET, Unset

T = TypeVar("T", bound="DecisionAppealLodgedV1")


@_attrs_define
class DecisionAppealLodgedV1:
    """An appeal against a decision (ISO/IEC 17021-1 §9.7), within the scheme's appeal period.

    Attributes:
        appeal_id (str):
        decision_id (str):
        decision_status (str): The decision appealed: granted or refused
        lodged_at (datetime.datetime):
        lodged_by (str):
        organisation_id (str):
        scheme (DecisionAppealLodgedV1Scheme):
        certification_body_id (None | str | Unset):
    """

    appeal_id: str
    decision_id: str
    decision_status: str
    lodged_at: datetime.datetime
    lodged_by: str
    organisation_id: str
    scheme: DecisionAppealLodgedV1Scheme
    certification_body_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        appeal_id = self.appeal_id

        decision_id = self.decision_id

        decision_status = self.decision_status

        lodged_at = self.lodged_at.isoformat()

        lodged_by = self.lodged_by

        organisation_id = self.organisation_id

        scheme = self.scheme.value

        certification_body_id: None | str | Unset
        if isinstance(self.certification_body_id, Unset):
            certification_body_id = UNSET
        else:
            certification_body_id = self.certification_body_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "appeal_id": appeal_id,
                "decision_id": decision_id,
                "decision_status": decision_status,
                "lodged_at": lodged_at,
                "lodged_by": lodged_by,
                "organisation_id": organisation_id,
                "scheme": scheme,
            }
        )
        if certification_body_id is not UNSET:
            field_dict["certification_body_id"] = certification_body_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        appeal_id = d.pop("appeal_id")

        decision_id = d.pop("decision_id")

        decision_status = d.pop("decision_status")

        lodged_at = datetime.datetime.fromisoformat(d.pop("lodged_at"))

        lodged_by = d.pop("lodged_by")

        organisation_id = d.pop("organisation_id")

        scheme = DecisionAppealLodgedV1Scheme(d.pop("scheme"))

        def _parse_certification_body_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        certification_body_id = _parse_certification_body_id(d.pop("certification_body_id", UNSET))

        decision_appeal_lodged_v1 = cls(
            appeal_id=appeal_id,
            decision_id=decision_id,
            decision_status=decision_status,
            lodged_at=lodged_at,
            lodged_by=lodged_by,
            organisation_id=organisation_id,
            scheme=scheme,
            certification_body_id=certification_body_id,
        )

        decision_appeal_lodged_v1.additional_properties = d
        return decision_appeal_lodged_v1

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
