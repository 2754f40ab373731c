from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.finding_appeal_lodged_v1_finding_type import FindingAppealLodgedV1FindingType
from ..models.finding_appeal_lodged_v1_scheme import FindingAppealLodgedV1Scheme

T = TypeVar("T", bound="FindingAppealLodgedV1")


@_attrs_define
class FindingAppealLodgedV1:
    """An appeal against a finding (ISO/IEC 17021-1 §9.7), within the scheme's appeal period.

    Attributes:
        appeal_id (str):
        audit_id (str):
        certification_body_id (str):
        finding_id (str):
        finding_type (FindingAppealLodgedV1FindingType):
        lodged_at (datetime.datetime):
        lodged_by (str):
        organisation_id (str):
        scheme (FindingAppealLodgedV1Scheme):
    """

    appeal_id: str
    audit_id: str
    certification_body_id: str
    finding_id: str
    finding_type: FindingAppealLodgedV1FindingType
    lodged_at: datetime.datetime
    lodged_by: str
    organisation_id: str
    scheme: FindingAppealLodgedV1Scheme
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        appeal_id = self.appeal_id

        audit_id = self.audit_id

        certification_body_id = self.certification_body_id

        finding_id = self.finding_id

        finding_type = self.finding_type.value

        lodged_at = self.lodged_at.isoformat()

        lodged_by = self.lodged_by

        organisation_id = self.organisation_id

        scheme = self.scheme.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "appeal_id": appeal_id,
                "audit_id": audit_id,
                "certification_body_id": certification_body_id,
                "finding_id": finding_id,
                "finding_type": finding_type,
                "lodged_at": lodged_at,
                "lodged_by": lodged_by,
                "organisation_id": organisation_id,
                "scheme": scheme,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        appeal_id = d.pop("appeal_id")

        audit_id = d.pop("audit_id")

        certification_body_id = d.pop("certification_body_id")

        finding_id = d.pop("finding_id")

        finding_type = FindingAppealLodgedV1FindingType(d.pop("finding_type"))

        lodged_at = datetime.datetime.fromisoformat(d.pop("lodged_at"))

        lodged_by = d.pop("lodged_by")

        organisation_id = d.pop("organisation_id")

        scheme = FindingAppealLodgedV1Scheme(d.pop("scheme"))

        finding_appeal_lodged_v1 = cls(
            appeal_id=appeal_id,
            audit_id=audit_id,
            certification_body_id=certification_body_id,
            finding_id=finding_id,
            finding_type=finding_type,
            lodged_at=lodged_at,
            lodged_by=lodged_by,
            organisation_id=organisation_id,
            scheme=scheme,
        )

        finding_appeal_lodged_v1.additional_properties = d
        return finding_appeal_lodged_v1

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
