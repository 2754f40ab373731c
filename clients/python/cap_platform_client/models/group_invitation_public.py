from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GroupInvitationPublic")


@_attrs_define
class GroupInvitationPublic:
    """An invitation as the invited structure (and the federation) reads it.

    Attributes:
        answered_at (datetime.datetime | None):
        applicant_name (None | str):
        applicant_organisation_id (str):
        application_id (str):
        certification_body_id (str):
        id (str):
        invited_at (datetime.datetime):
        motivation (None | str):
        organisation_id (str):
        scheme (str):
        status (str):
    """

    answered_at: datetime.datetime | None
    applicant_name: None | str
    applicant_organisation_id: str
    application_id: str
    certification_body_id: str
    id: str
    invited_at: datetime.datetime
    motivation: None | str
    organisation_id: str
    scheme: str
    status: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        answered_at: None | str
        if isinstance(self.answered_at, datetime.datetime):
            answered_at = self.answered_at.isoformat()
        else:
            answered_at = self.answered_at

        applicant_name: None | str
        applicant_name = self.applicant_name

        applicant_organisation_id = self.applicant_organisation_id

        application_id = self.application_id

        certification_body_id = self.certification_body_id

        id = self.id

        invited_at = self.invited_at.isoformat()

        motivation: None | str
        motivation = self.motivation

        organisation_id = self.organisation_id

        scheme = self.scheme

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "answered_at": answered_at,
                "applicant_name": applicant_name,
                "applicant_organisation_id": applicant_organisation_id,
                "application_id": application_id,
                "certification_body_id": certification_body_id,
                "id": id,
                "invited_at": invited_at,
                "motivation": motivation,
                "organisation_id": organisation_id,
                "scheme": scheme,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_answered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                answered_at_type_0 = datetime.datetime.fromisoformat(data)

                return answered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        answered_at = _parse_answered_at(d.pop("answered_at"))

        def _parse_applicant_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        applicant_name = _parse_applicant_name(d.pop("applicant_name"))

        applicant_organisation_id = d.pop("applicant_organisation_id")

        application_id = d.pop("application_id")

        certification_body_id = d.pop("certification_body_id")

        id = d.pop("id")

        invited_at = datetime.datetime.fromisoformat(d.pop("invited_at"))

        def _parse_motivation(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        motivation = _parse_motivation(d.pop("motivation"))

        organisation_id = d.pop("organisation_id")

        scheme = d.pop("scheme")

        status = d.pop("status")

        group_invitation_public = cls(
            answered_at=answered_at,
            applicant_name=applicant_name,
            applicant_organisation_id=applicant_organisation_id,
            application_id=application_id,
            certification_body_id=certification_body_id,
            id=id,
            invited_at=invited_at,
            motivation=motivation,
            organisation_id=organisation_id,
            scheme=scheme,
            status=status,
        )

        group_invitation_public.additional_properties = d
        return group_invitation_public

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
