from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GroupMemberPublic")


@_attrs_define
class GroupMemberPublic:
    """A named member's answer, as the applicant reads it on its application.

    Attributes:
        answered_at (datetime.datetime | None):
        invitation_id (str):
        invited_at (datetime.datetime):
        organisation_id (str):
        status (str):
    """

    answered_at: datetime.datetime | None
    invitation_id: str
    invited_at: datetime.datetime
    organisation_id: str
    status: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        answered_at: None | str
        if isinstance(self.answered_at, datetime.datetime):
            answered_at = self.answered_at.isoformat()
        else:
            answered_at = self.answered_at

        invitation_id = self.invitation_id

        invited_at = self.invited_at.isoformat()

        organisation_id = self.organisation_id

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "answered_at": answered_at,
                "invitation_id": invitation_id,
                "invited_at": invited_at,
                "organisation_id": organisation_id,
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

        invitation_id = d.pop("invitation_id")

        invited_at = datetime.datetime.fromisoformat(d.pop("invited_at"))

        organisation_id = d.pop("organisation_id")

        status = d.pop("status")

        group_member_public = cls(
            answered_at=answered_at,
            invitation_id=invitation_id,
            invited_at=invited_at,
            organisation_id=organisation_id,
            status=status,
        )

        group_member_public.additional_properties = d
        return group_member_public

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
