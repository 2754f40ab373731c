from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.organisation_create_siae_types_item import OrganisationCreateSiaeTypesItem
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrganisationCreate")


@_attrs_define
class OrganisationCreate:
    """Register a member structure. Unknown fields are refused (no mass assignment).

    Attributes:
        name (str):
        region (str): INSEE region code
        siae_types (list[OrganisationCreateSiaeTypesItem]): SIAE types run by the structure
        siret (str): 14 digits; spaces are ignored
        delegation (None | str | Unset): Coorace regional delegation
    """

    name: str
    region: str
    siae_types: list[OrganisationCreateSiaeTypesItem]
    siret: str
    delegation: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        region = self.region

        siae_types = []
        for siae_types_item_data in self.siae_types:
            siae_types_item = siae_types_item_data.value
            siae_types.append(siae_types_item)

        siret = self.siret

        delegation: None | str | Unset
        if isinstance(self.delegation, Unset):
            delegation = UNSET
        else:
            delegation = self.delegation

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "region": region,
                "siae_types": siae_types,
                "siret": siret,
            }
        )
        if delegation is not UNSET:
            field_dict["delegation"] = delegation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        region = d.pop("region")

        siae_types = []
        _siae_types = d.pop("siae_types")
        for siae_types_item_data in _siae_types:
            siae_types_item = OrganisationCreateSiaeTypesItem(siae_types_item_data)

            siae_types.append(siae_types_item)

        siret = d.pop("siret")

        def _parse_delegation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        delegation = _parse_delegation(d.pop("delegation", UNSET))

        organisation_create = cls(
            name=name,
            region=region,
            siae_types=siae_types,
            siret=siret,
            delegation=delegation,
        )

        return organisation_create
