from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TeamMemberPublic")


@_attrs_define
class TeamMemberPublic:
    """An auditor of an audit's team, as planned.

    Attributes:
        auditor_id (str):
        declaration (str):
        declared_at (datetime.datetime):
        name (str):
        role (str):
    """

    auditor_id: str
    declaration: str
    declared_at: datetime.datetime
    name: str
    role: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        auditor_id = self.auditor_id

        declaration = self.declaration

        declared_at = self.declared_at.isoformat()

        name = self.name

        role = self.role

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "auditor_id": auditor_id,
                "declaration": declaration,
                "declared_at": declared_at,
                "name": name,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        auditor_id = d.pop("auditor_id")

        declaration = d.pop("declaration")

        declared_at = datetime.datetime.fromisoformat(d.pop("declared_at"))

        name = d.pop("name")

        role = d.pop("role")

        team_member_public = cls(
            auditor_id=auditor_id,
            declaration=declaration,
            declared_at=declared_at,
            name=name,
            role=role,
        )

        team_member_public.additional_properties = d
        return team_member_public

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
