from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.stage_2_required_v1_scheme import Stage2RequiredV1Scheme

T = TypeVar("T", bound="Stage2RequiredV1")


@_attrs_define
class Stage2RequiredV1:
    """Major nonconformities of a stage 2 (or renewal) audit still not verified
    ``major_verification_months`` after its last day (ISO/IEC 17021-1 §9.5.3.2): no decision
    can rest on it any more; a new stage 2 is due.

        Attributes:
            audit_id (str):
            audit_type (str):
            certification_body_id (str):
            deadline (datetime.date): The last day majors could have been verified
            last_day (datetime.date):
            open_major_nc (int):
            organisation_id (str):
            programme_id (str):
            scheme (Stage2RequiredV1Scheme):
    """

    audit_id: str
    audit_type: str
    certification_body_id: str
    deadline: datetime.date
    last_day: datetime.date
    open_major_nc: int
    organisation_id: str
    programme_id: str
    scheme: Stage2RequiredV1Scheme
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        audit_type = self.audit_type

        certification_body_id = self.certification_body_id

        deadline = self.deadline.isoformat()

        last_day = self.last_day.isoformat()

        open_major_nc = self.open_major_nc

        organisation_id = self.organisation_id

        programme_id = self.programme_id

        scheme = self.scheme.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "audit_type": audit_type,
                "certification_body_id": certification_body_id,
                "deadline": deadline,
                "last_day": last_day,
                "open_major_nc": open_major_nc,
                "organisation_id": organisation_id,
                "programme_id": programme_id,
                "scheme": scheme,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        audit_type = d.pop("audit_type")

        certification_body_id = d.pop("certification_body_id")

        deadline = datetime.date.fromisoformat(d.pop("deadline"))

        last_day = datetime.date.fromisoformat(d.pop("last_day"))

        open_major_nc = d.pop("open_major_nc")

        organisation_id = d.pop("organisation_id")

        programme_id = d.pop("programme_id")

        scheme = Stage2RequiredV1Scheme(d.pop("scheme"))

        stage_2_required_v1 = cls(
            audit_id=audit_id,
            audit_type=audit_type,
            certification_body_id=certification_body_id,
            deadline=deadline,
            last_day=last_day,
            open_major_nc=open_major_nc,
            organisation_id=organisation_id,
            programme_id=programme_id,
            scheme=scheme,
        )

        stage_2_required_v1.additional_properties = d
        return stage_2_required_v1

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
