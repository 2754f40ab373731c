from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OrganisationPublic")


@_attrs_define
class OrganisationPublic:
    """A member structure as clients see it.

    Attributes:
        created_at (datetime.datetime):
        delegation (None | str):
        id (str):
        name (str):
        region (str):
        region_name (str):
        siae_types (list[str]):
        siret (str):
    """

    created_at: datetime.datetime
    delegation: None | str
    id: str
    name: str
    region: str
    region_name: str
    siae_types: list[str]
    siret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        delegation: None | str
        delegation = self.delegation

        id = self.id

        name = self.name

        region = self.region

        region_name = self.region_name

        siae_types = self.siae_types

        siret = self.siret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "delegation": delegation,
                "id": id,
                "name": name,
                "region": region,
                "region_name": region_name,
                "siae_types": siae_types,
                "siret": siret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_delegation(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        delegation = _parse_delegation(d.pop("delegation"))

        id = d.pop("id")

        name = d.pop("name")

        region = d.pop("region")

        region_name = d.pop("region_name")

        siae_types = cast(list[str], d.pop("siae_types"))

        siret = d.pop("siret")

        organisation_public = cls(
            created_at=created_at,
            delegation=delegation,
            id=id,
            name=name,
            region=region,
            region_name=region_name,
            siae_types=siae_types,
            siret=siret,
        )

        organisation_public.additional_properties = d
        return organisation_public

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
