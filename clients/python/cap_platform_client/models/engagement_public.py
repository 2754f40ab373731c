from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="EngagementPublic")


@_attrs_define
class EngagementPublic:
    """An engagement of an auditor (or their account) with an organisation.

    Attributes:
        auditor_id (None | str):
        id (str):
        kind (str):
        note (None | str):
        on (datetime.date):
        organisation_id (str):
        user_id (None | str):
        audit_id (None | str | Unset):
        diagnostic_id (None | str | Unset):
        role (None | str | Unset):
    """

    auditor_id: None | str
    id: str
    kind: str
    note: None | str
    on: datetime.date
    organisation_id: str
    user_id: None | str
    audit_id: None | str | Unset = UNSET
    diagnostic_id: None | str | Unset = UNSET
    role: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        auditor_id: None | str
        auditor_id = self.auditor_id

        id = self.id

        kind = self.kind

        note: None | str
        note = self.note

        on = self.on.isoformat()

        organisation_id = self.organisation_id

        user_id: None | str
        user_id = self.user_id

        audit_id: None | str | Unset
        if isinstance(self.audit_id, Unset):
            audit_id = UNSET
        else:
            audit_id = self.audit_id

        diagnostic_id: None | str | Unset
        if isinstance(self.diagnostic_id, Unset):
            diagnostic_id = UNSET
        else:
            diagnostic_id = self.diagnostic_id

        role: None | str | Unset
        if isinstance(self.role, Unset):
            role = UNSET
        else:
            role = self.role

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "auditor_id": auditor_id,
                "id": id,
                "kind": kind,
                "note": note,
                "on": on,
                "organisation_id": organisation_id,
                "user_id": user_id,
            }
        )
        if audit_id is not UNSET:
            field_dict["audit_id"] = audit_id
        if diagnostic_id is not UNSET:
            field_dict["diagnostic_id"] = diagnostic_id
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_auditor_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        auditor_id = _parse_auditor_id(d.pop("auditor_id"))

        id = d.pop("id")

        kind = d.pop("kind")

        def _parse_note(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        note = _parse_note(d.pop("note"))

        on = datetime.date.fromisoformat(d.pop("on"))

        organisation_id = d.pop("organisation_id")

        def _parse_user_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        user_id = _parse_user_id(d.pop("user_id"))

        def _parse_audit_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        audit_id = _parse_audit_id(d.pop("audit_id", UNSET))

        def _parse_diagnostic_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        diagnostic_id = _parse_diagnostic_id(d.pop("diagnostic_id", UNSET))

        def _parse_role(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        role = _parse_role(d.pop("role", UNSET))

        engagement_public = cls(
            auditor_id=auditor_id,
            id=id,
            kind=kind,
            note=note,
            on=on,
            organisation_id=organisation_id,
            user_id=user_id,
            audit_id=audit_id,
            diagnostic_id=diagnostic_id,
            role=role,
        )

        engagement_public.additional_properties = d
        return engagement_public

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
