from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.me_kind import MeKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.me_organisations_item import MeOrganisationsItem
    from ..models.membership_public import MembershipPublic


T = TypeVar("T", bound="Me")


@_attrs_define
class Me:
    """The caller: a person with their roles, or a system with its scopes.

    Attributes:
        id (str):
        kind (MeKind):
        roles (list[str]):
        certification_body_id (None | str | Unset):
        email (None | str | Unset):
        memberships (list[MembershipPublic] | Unset):
        name (None | str | Unset):
        organisations (list[MeOrganisationsItem] | Unset):
        scopes (list[str] | Unset):
    """

    id: str
    kind: MeKind
    roles: list[str]
    certification_body_id: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    memberships: list[MembershipPublic] | Unset = UNSET
    name: None | str | Unset = UNSET
    organisations: list[MeOrganisationsItem] | Unset = UNSET
    scopes: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        roles = self.roles

        certification_body_id: None | str | Unset
        if isinstance(self.certification_body_id, Unset):
            certification_body_id = UNSET
        else:
            certification_body_id = self.certification_body_id

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        memberships: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.memberships, Unset):
            memberships = []
            for memberships_item_data in self.memberships:
                memberships_item = memberships_item_data.to_dict()
                memberships.append(memberships_item)

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        organisations: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.organisations, Unset):
            organisations = []
            for organisations_item_data in self.organisations:
                organisations_item = organisations_item_data.to_dict()
                organisations.append(organisations_item)

        scopes: list[str] | Unset = UNSET
        if not isinstance(self.scopes, Unset):
            scopes = self.scopes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "roles": roles,
            }
        )
        if certification_body_id is not UNSET:
            field_dict["certification_body_id"] = certification_body_id
        if email is not UNSET:
            field_dict["email"] = email
        if memberships is not UNSET:
            field_dict["memberships"] = memberships
        if name is not UNSET:
            field_dict["name"] = name
        if organisations is not UNSET:
            field_dict["organisations"] = organisations
        if scopes is not UNSET:
            field_dict["scopes"] = scopes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.me_organisations_item import MeOrganisationsItem  # noqa: PLC0415
        from ..models.membership_public import MembershipPublic  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        kind = MeKind(d.pop("kind"))

        roles = cast(list[str], d.pop("roles"))

        def _parse_certification_body_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        certification_body_id = _parse_certification_body_id(d.pop("certification_body_id", UNSET))

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        _memberships = d.pop("memberships", UNSET)
        memberships: list[MembershipPublic] | Unset = UNSET
        if _memberships is not UNSET:
            memberships = []
            for memberships_item_data in _memberships:
                memberships_item = MembershipPublic.from_dict(memberships_item_data)

                memberships.append(memberships_item)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        _organisations = d.pop("organisations", UNSET)
        organisations: list[MeOrganisationsItem] | Unset = UNSET
        if _organisations is not UNSET:
            organisations = []
            for organisations_item_data in _organisations:
                organisations_item = MeOrganisationsItem.from_dict(organisations_item_data)

                organisations.append(organisations_item)

        scopes = cast(list[str], d.pop("scopes", UNSET))

        me = cls(
            id=id,
            kind=kind,
            roles=roles,
            certification_body_id=certification_body_id,
            email=email,
            memberships=memberships,
            name=name,
            organisations=organisations,
            scopes=scopes,
        )

        me.additional_properties = d
        return me

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
