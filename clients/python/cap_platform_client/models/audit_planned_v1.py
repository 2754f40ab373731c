from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.audit_planned_v1_scheme import AuditPlannedV1Scheme
from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditPlannedV1")


@_attrs_define
class AuditPlannedV1:
    """An audit's dates and team.

    Attributes:
        audit_id (str):
        audit_type (str):
        auditor_ids (list[str]):
        certification_body_id (str):
        end_date (datetime.date):
        organisation_id (str):
        scheme (AuditPlannedV1Scheme):
        start_date (datetime.date):
        auditor_user_ids (list[str] | Unset): The team's platform accounts (to notify them)
    """

    audit_id: str
    audit_type: str
    auditor_ids: list[str]
    certification_body_id: str
    end_date: datetime.date
    organisation_id: str
    scheme: AuditPlannedV1Scheme
    start_date: datetime.date
    auditor_user_ids: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        audit_type = self.audit_type

        auditor_ids = self.auditor_ids

        certification_body_id = self.certification_body_id

        end_date = self.end_date.isoformat()

        organisation_id = self.organisation_id

        scheme = self.scheme.value

        start_date = self.start_date.isoformat()

        auditor_user_ids: list[str] | Unset = UNSET
        if not isinstance(self.auditor_user_ids, Unset):
            auditor_user_ids = self.auditor_user_ids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "audit_type": audit_type,
                "auditor_ids": auditor_ids,
                "certification_body_id": certification_body_id,
                "end_date": end_date,
                "organisation_id": organisation_id,
                "scheme": scheme,
                "start_date": start_date,
            }
        )
        if auditor_user_ids is not UNSET:
            field_dict["auditor_user_ids"] = auditor_user_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        audit_type = d.pop("audit_type")

        auditor_ids = cast(list[str], d.pop("auditor_ids"))

        certification_body_id = d.pop("certification_body_id")

        end_date = datetime.date.fromisoformat(d.pop("end_date"))

        organisation_id = d.pop("organisation_id")

        scheme = AuditPlannedV1Scheme(d.pop("scheme"))

        start_date = datetime.date.fromisoformat(d.pop("start_date"))

        auditor_user_ids = cast(list[str], d.pop("auditor_user_ids", UNSET))

        audit_planned_v1 = cls(
            audit_id=audit_id,
            audit_type=audit_type,
            auditor_ids=auditor_ids,
            certification_body_id=certification_body_id,
            end_date=end_date,
            organisation_id=organisation_id,
            scheme=scheme,
            start_date=start_date,
            auditor_user_ids=auditor_user_ids,
        )

        audit_planned_v1.additional_properties = d
        return audit_planned_v1

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
