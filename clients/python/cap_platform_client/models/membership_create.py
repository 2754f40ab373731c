from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.membership_create_role import MembershipCreateRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="MembershipCreate")


@_attrs_define
class MembershipCreate:
    """Give an existing user one more role (admin only).

    Attributes:
        role (MembershipCreateRole):
        certification_body_id (None | str | Unset):
        organisation_id (None | str | Unset):
        region (None | str | Unset): INSEE region code
    """

    role: MembershipCreateRole
    certification_body_id: None | str | Unset = UNSET
    organisation_id: None | str | Unset = UNSET
    region: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        role = self.role.value

        certification_body_id: None | str | Unset
        if isinstance(self.certification_body_id, Unset):
            certification_body_id = UNSET
        else:
            certification_body_id = self.certification_body_id

        organisation_id: None | str | Unset
        if isinstance(self.organisation_id, Unset):
            organisation_id = UNSET
        else:
            organisation_id = self.organisation_id

        region: None | str | Unset
        if isinstance(self.region, Unset):
            region = UNSET
        else:
            region = self.region

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
            }
        )
        if certification_body_id is not UNSET:
            field_dict["certification_body_id"] = certification_body_id
        if organisation_id is not UNSET:
            field_dict["organisation_id"] = organisation_id
        if region is not UNSET:
            field_dict["region"] = region

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        role = MembershipCreateRole(d.pop("role"))

        def _parse_certification_body_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        certification_body_id = _parse_certification_body_id(d.pop("certification_body_id", UNSET))

        def _parse_organisation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        organisation_id = _parse_organisation_id(d.pop("organisation_id", UNSET))

        def _parse_region(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        region = _parse_region(d.pop("region", UNSET))

        membership_create = cls(
            role=role,
            certification_body_id=certification_body_id,
            organisation_id=organisation_id,
            region=region,
        )

        return membership_create
