from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="InvitationPublic")


@_attrs_define
class InvitationPublic:
    """A pending invitation (the token is never shown again).

    Attributes:
        certification_body_id (None | str):
        created_at (datetime.datetime):
        email (str):
        expires_at (datetime.datetime):
        id (str):
        invited_by (str):
        name (str):
        organisation_id (None | str):
        region (None | str):
        role (str):
    """

    certification_body_id: None | str
    created_at: datetime.datetime
    email: str
    expires_at: datetime.datetime
    id: str
    invited_by: str
    name: str
    organisation_id: None | str
    region: None | str
    role: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        certification_body_id: None | str
        certification_body_id = self.certification_body_id

        created_at = self.created_at.isoformat()

        email = self.email

        expires_at = self.expires_at.isoformat()

        id = self.id

        invited_by = self.invited_by

        name = self.name

        organisation_id: None | str
        organisation_id = self.organisation_id

        region: None | str
        region = self.region

        role = self.role

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "certification_body_id": certification_body_id,
                "created_at": created_at,
                "email": email,
                "expires_at": expires_at,
                "id": id,
                "invited_by": invited_by,
                "name": name,
                "organisation_id": organisation_id,
                "region": region,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_certification_body_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        certification_body_id = _parse_certification_body_id(d.pop("certification_body_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        email = d.pop("email")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        id = d.pop("id")

        invited_by = d.pop("invited_by")

        name = d.pop("name")

        def _parse_organisation_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        organisation_id = _parse_organisation_id(d.pop("organisation_id"))

        def _parse_region(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        region = _parse_region(d.pop("region"))

        role = d.pop("role")

        invitation_public = cls(
            certification_body_id=certification_body_id,
            created_at=created_at,
            email=email,
            expires_at=expires_at,
            id=id,
            invited_by=invited_by,
            name=name,
            organisation_id=organisation_id,
            region=region,
            role=role,
        )

        invitation_public.additional_properties = d
        return invitation_public

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
