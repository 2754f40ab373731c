from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.public_structure import PublicStructure


T = TypeVar("T", bound="RegistryEntry")


@_attrs_define
class RegistryEntry:
    """A listed recognition.

    Attributes:
        certificate_url (str):
        certification_body_id (None | str):
        decided_on (datetime.date):
        effective_date (datetime.date):
        expiry_date (datetime.date):
        external_number (None | str):
        holder (PublicStructure): A structure as the registry shows it: public facts only.
        issued_on (datetime.date): When the certificate was last issued (reissued)
        level (None | str):
        members (list[PublicStructure]):
        number (str):
        renewed_by (None | str): Number of the recognition of the next cycle
        scheme (str):
        scheme_name (str):
        scope (str):
        status (str):
        status_name (str):
        verification_url (str):
    """

    certificate_url: str
    certification_body_id: None | str
    decided_on: datetime.date
    effective_date: datetime.date
    expiry_date: datetime.date
    external_number: None | str
    holder: PublicStructure
    issued_on: datetime.date
    level: None | str
    members: list[PublicStructure]
    number: str
    renewed_by: None | str
    scheme: str
    scheme_name: str
    scope: str
    status: str
    status_name: str
    verification_url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        certificate_url = self.certificate_url

        certification_body_id: None | str
        certification_body_id = self.certification_body_id

        decided_on = self.decided_on.isoformat()

        effective_date = self.effective_date.isoformat()

        expiry_date = self.expiry_date.isoformat()

        external_number: None | str
        external_number = self.external_number

        holder = self.holder.to_dict()

        issued_on = self.issued_on.isoformat()

        level: None | str
        level = self.level

        members = []
        for members_item_data in self.members:
            members_item = members_item_data.to_dict()
            members.append(members_item)

        number = self.number

        renewed_by: None | str
        renewed_by = self.renewed_by

        scheme = self.scheme

        scheme_name = self.scheme_name

        scope = self.scope

        status = self.status

        status_name = self.status_name

        verification_url = self.verification_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "certificate_url": certificate_url,
                "certification_body_id": certification_body_id,
                "decided_on": decided_on,
                "effective_date": effective_date,
                "expiry_date": expiry_date,
                "external_number": external_number,
                "holder": holder,
                "issued_on": issued_on,
                "level": level,
                "members": members,
                "number": number,
                "renewed_by": renewed_by,
                "scheme": scheme,
                "scheme_name": scheme_name,
                "scope": scope,
                "status": status,
                "status_name": status_name,
                "verification_url": verification_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.public_structure import PublicStructure  # noqa: PLC0415

        d = dict(src_dict)
        certificate_url = d.pop("certificate_url")

        def _parse_certification_body_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        certification_body_id = _parse_certification_body_id(d.pop("certification_body_id"))

        decided_on = datetime.date.fromisoformat(d.pop("decided_on"))

        effective_date = datetime.date.fromisoformat(d.pop("effective_date"))

        expiry_date = datetime.date.fromisoformat(d.pop("expiry_date"))

        def _parse_external_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        external_number = _parse_external_number(d.pop("external_number"))

        holder = PublicStructure.from_dict(d.pop("holder"))

        issued_on = datetime.date.fromisoformat(d.pop("issued_on"))

        def _parse_level(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        level = _parse_level(d.pop("level"))

        members = []
        _members = d.pop("members")
        for members_item_data in _members:
            members_item = PublicStructure.from_dict(members_item_data)

            members.append(members_item)

        number = d.pop("number")

        def _parse_renewed_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        renewed_by = _parse_renewed_by(d.pop("renewed_by"))

        scheme = d.pop("scheme")

        scheme_name = d.pop("scheme_name")

        scope = d.pop("scope")

        status = d.pop("status")

        status_name = d.pop("status_name")

        verification_url = d.pop("verification_url")

        registry_entry = cls(
            certificate_url=certificate_url,
            certification_body_id=certification_body_id,
            decided_on=decided_on,
            effective_date=effective_date,
            expiry_date=expiry_date,
            external_number=external_number,
            holder=holder,
            issued_on=issued_on,
            level=level,
            members=members,
            number=number,
            renewed_by=renewed_by,
            scheme=scheme,
            scheme_name=scheme_name,
            scope=scope,
            status=status,
            status_name=status_name,
            verification_url=verification_url,
        )

        registry_entry.additional_properties = d
        return registry_entry

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
