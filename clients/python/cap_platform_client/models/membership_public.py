from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MembershipPublic")


@_attrs_define
class MembershipPublic:
    """A role held, with its scope and display names.

    Attributes:
        certification_body_id (None | str):
        id (str):
        organisation_id (None | str):
        organisation_name (None | str):
        region (None | str):
        region_name (None | str):
        role (str):
    """

    certification_body_id: None | str
    id: str
    organisation_id: None | str
    organisation_name: None | str
    region: None | str
    region_name: None | str
    role: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        certification_body_id: None | str
        certification_body_id = self.certification_body_id

        id = self.id

        organisation_id: None | str
        organisation_id = self.organisation_id

        organisation_name: None | str
        organisation_name = self.organisation_name

        region: None | str
        region = self.region

        region_name: None | str
        region_name = self.region_name

        role = self.role

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "certification_body_id": certification_body_id,
                "id": id,
                "organisation_id": organisation_id,
                "organisation_name": organisation_name,
                "region": region,
                "region_name": region_name,
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

        id = d.pop("id")

        def _parse_organisation_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        organisation_id = _parse_organisation_id(d.pop("organisation_id"))

        def _parse_organisation_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        organisation_name = _parse_organisation_name(d.pop("organisation_name"))

        def _parse_region(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        region = _parse_region(d.pop("region"))

        def _parse_region_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        region_name = _parse_region_name(d.pop("region_name"))

        role = d.pop("role")

        membership_public = cls(
            certification_body_id=certification_body_id,
            id=id,
            organisation_id=organisation_id,
            organisation_name=organisation_name,
            region=region,
            region_name=region_name,
            role=role,
        )

        membership_public.additional_properties = d
        return membership_public

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
