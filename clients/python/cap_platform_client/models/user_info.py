from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.user_info_organisations_item import UserInfoOrganisationsItem
    from ..models.user_info_roles_item import UserInfoRolesItem


T = TypeVar("T", bound="UserInfo")


@_attrs_define
class UserInfo:
    """OpenID Connect userinfo: the signed-in person, with the platform's own claims.

    Attributes:
        email (str):
        email_verified (bool):
        name (str):
        organisations (list[UserInfoOrganisationsItem]):
        roles (list[UserInfoRolesItem]):
        sub (str):
    """

    email: str
    email_verified: bool
    name: str
    organisations: list[UserInfoOrganisationsItem]
    roles: list[UserInfoRolesItem]
    sub: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        email_verified = self.email_verified

        name = self.name

        organisations = []
        for organisations_item_data in self.organisations:
            organisations_item = organisations_item_data.to_dict()
            organisations.append(organisations_item)

        roles = []
        for roles_item_data in self.roles:
            roles_item = roles_item_data.to_dict()
            roles.append(roles_item)

        sub = self.sub

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "email_verified": email_verified,
                "name": name,
                "organisations": organisations,
                "roles": roles,
                "sub": sub,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.user_info_organisations_item import UserInfoOrganisationsItem  # noqa: PLC0415
        from ..models.user_info_roles_item import UserInfoRolesItem  # noqa: PLC0415

        d = dict(src_dict)
        email = d.pop("email")

        email_verified = d.pop("email_verified")

        name = d.pop("name")

        organisations = []
        _organisations = d.pop("organisations")
        for organisations_item_data in _organisations:
            organisations_item = UserInfoOrganisationsItem.from_dict(organisations_item_data)

            organisations.append(organisations_item)

        roles = []
        _roles = d.pop("roles")
        for roles_item_data in _roles:
            roles_item = UserInfoRolesItem.from_dict(roles_item_data)

            roles.append(roles_item)

        sub = d.pop("sub")

        user_info = cls(
            email=email,
            email_verified=email_verified,
            name=name,
            organisations=organisations,
            roles=roles,
            sub=sub,
        )

        user_info.additional_properties = d
        return user_info

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
