from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.team_member_role import TeamMemberRole

T = TypeVar("T", bound="TeamMember")


@_attrs_define
class TeamMember:
    """An auditor of the team, their role and impartiality declaration.

    Attributes:
        auditor_id (str):
        declaration (str): The auditor's impartiality declaration for this organisation
        role (TeamMemberRole):
    """

    auditor_id: str
    declaration: str
    role: TeamMemberRole

    def to_dict(self) -> dict[str, Any]:
        auditor_id = self.auditor_id

        declaration = self.declaration

        role = self.role.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "auditor_id": auditor_id,
                "declaration": declaration,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        auditor_id = d.pop("auditor_id")

        declaration = d.pop("declaration")

        role = TeamMemberRole(d.pop("role"))

        team_member = cls(
            auditor_id=auditor_id,
            declaration=declaration,
            role=role,
        )

        return team_member
