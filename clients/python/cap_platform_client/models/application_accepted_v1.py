from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.application_accepted_v1_scheme import ApplicationAcceptedV1Scheme
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApplicationAcceptedV1")


@_attrs_define
class ApplicationAcceptedV1:
    """An accepted application; the audit service opens the programme and requests the first audit.

    Attributes:
        accepted_at (datetime.datetime):
        application_id (str):
        certification_body_id (str): The body chosen to audit, e.g. sgs-tuv
        organisation_id (str): The applicant (the central function for a group)
        scheme (ApplicationAcceptedV1Scheme):
        group_member_ids (list[str] | Unset): Other members of a group
    """

    accepted_at: datetime.datetime
    application_id: str
    certification_body_id: str
    organisation_id: str
    scheme: ApplicationAcceptedV1Scheme
    group_member_ids: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        accepted_at = self.accepted_at.isoformat()

        application_id = self.application_id

        certification_body_id = self.certification_body_id

        organisation_id = self.organisation_id

        scheme = self.scheme.value

        group_member_ids: list[str] | Unset = UNSET
        if not isinstance(self.group_member_ids, Unset):
            group_member_ids = self.group_member_ids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "accepted_at": accepted_at,
                "application_id": application_id,
                "certification_body_id": certification_body_id,
                "organisation_id": organisation_id,
                "scheme": scheme,
            }
        )
        if group_member_ids is not UNSET:
            field_dict["group_member_ids"] = group_member_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        accepted_at = datetime.datetime.fromisoformat(d.pop("accepted_at"))

        application_id = d.pop("application_id")

        certification_body_id = d.pop("certification_body_id")

        organisation_id = d.pop("organisation_id")

        scheme = ApplicationAcceptedV1Scheme(d.pop("scheme"))

        group_member_ids = cast(list[str], d.pop("group_member_ids", UNSET))

        application_accepted_v1 = cls(
            accepted_at=accepted_at,
            application_id=application_id,
            certification_body_id=certification_body_id,
            organisation_id=organisation_id,
            scheme=scheme,
            group_member_ids=group_member_ids,
        )

        application_accepted_v1.additional_properties = d
        return application_accepted_v1

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
