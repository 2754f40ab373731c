from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.scope import Scope

T = TypeVar("T", bound="ApiClientCreate")


@_attrs_define
class ApiClientCreate:
    """Register a certification body's system.

    Attributes:
        certification_body_id (str):
        name (str):
        scopes (list[Scope]):
    """

    certification_body_id: str
    name: str
    scopes: list[Scope]

    def to_dict(self) -> dict[str, Any]:
        certification_body_id = self.certification_body_id

        name = self.name

        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.value
            scopes.append(scopes_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "certification_body_id": certification_body_id,
                "name": name,
                "scopes": scopes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        certification_body_id = d.pop("certification_body_id")

        name = d.pop("name")

        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in _scopes:
            scopes_item = Scope(scopes_item_data)

            scopes.append(scopes_item)

        api_client_create = cls(
            certification_body_id=certification_body_id,
            name=name,
            scopes=scopes,
        )

        return api_client_create
