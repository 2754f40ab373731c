from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.group_invitation_sent_v1_scheme import GroupInvitationSentV1Scheme

T = TypeVar("T", bound="GroupInvitationSentV1")


@_attrs_define
class GroupInvitationSentV1:
    """An invitation to join a group application (CAP RSE or CAP ISO 9001): nothing of the
    invited structure reaches the applicant before its member_admin accepts. Addressed to the
    invited structure (``organisation_id``).

        Attributes:
            applicant_name (str): The central function's name
            applicant_organisation_id (str): The group's central function
            application_id (str):
            certification_body_id (str):
            invitation_id (str):
            invited_at (datetime.datetime):
            organisation_id (str): The invited structure
            scheme (GroupInvitationSentV1Scheme):
    """

    applicant_name: str
    applicant_organisation_id: str
    application_id: str
    certification_body_id: str
    invitation_id: str
    invited_at: datetime.datetime
    organisation_id: str
    scheme: GroupInvitationSentV1Scheme
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        applicant_name = self.applicant_name

        applicant_organisation_id = self.applicant_organisation_id

        application_id = self.application_id

        certification_body_id = self.certification_body_id

        invitation_id = self.invitation_id

        invited_at = self.invited_at.isoformat()

        organisation_id = self.organisation_id

        scheme = self.scheme.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "applicant_name": applicant_name,
                "applicant_organisation_id": applicant_organisation_id,
                "application_id": application_id,
                "certification_body_id": certification_body_id,
                "invitation_id": invitation_id,
                "invited_at": invited_at,
                "organisation_id": organisation_id,
                "scheme": scheme,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        applicant_name = d.pop("applicant_name")

        applicant_organisation_id = d.pop("applicant_organisation_id")

        application_id = d.pop("application_id")

        certification_body_id = d.pop("certification_body_id")

        invitation_id = d.pop("invitation_id")

        invited_at = datetime.datetime.fromisoformat(d.pop("invited_at"))

        organisation_id = d.pop("organisation_id")

        scheme = GroupInvitationSentV1Scheme(d.pop("scheme"))

        group_invitation_sent_v1 = cls(
            applicant_name=applicant_name,
            applicant_organisation_id=applicant_organisation_id,
            application_id=application_id,
            certification_body_id=certification_body_id,
            invitation_id=invitation_id,
            invited_at=invited_at,
            organisation_id=organisation_id,
            scheme=scheme,
        )

        group_invitation_sent_v1.additional_properties = d
        return group_invitation_sent_v1

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
