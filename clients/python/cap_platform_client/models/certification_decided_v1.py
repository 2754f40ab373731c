from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.certification_decided_v1_outcome import CertificationDecidedV1Outcome
from ..types import UNSET, Unset

T = TypeVar("T", bound="CertificationDecidedV1")


@_attrs_define
class CertificationDecidedV1:
    """The body's certification decision, received through the certifier integration.

    The platform records it; it never makes it. The decision maker is not one of the audit's
    auditors (checked when the body sends it).

        Attributes:
            audit_id (str):
            audit_type (str): The audit decided on: stage2 or renewal
            certification_body_id (str):
            decided_by (str): The body's decision maker
            decided_on (datetime.date):
            organisation_id (str):
            outcome (CertificationDecidedV1Outcome):
            certificate_number (None | str | Unset):
            cycle (int | Unset):  Default: 1.
            excluded_member_ids (list[str] | Unset): Group members the body did not certify
            open_major_nc (int | Unset): Major nonconformities of the audit not verified closed when the decision was
                recorded: the certificate takes effect only once they are Default: 0.
            reason (None | str | Unset):
            scheme (Literal['CAP_ISO9001'] | Unset):  Default: 'CAP_ISO9001'.
            scope (None | str | Unset):
    """

    audit_id: str
    audit_type: str
    certification_body_id: str
    decided_by: str
    decided_on: datetime.date
    organisation_id: str
    outcome: CertificationDecidedV1Outcome
    certificate_number: None | str | Unset = UNSET
    cycle: int | Unset = 1
    excluded_member_ids: list[str] | Unset = UNSET
    open_major_nc: int | Unset = 0
    reason: None | str | Unset = UNSET
    scheme: Literal["CAP_ISO9001"] | Unset = "CAP_ISO9001"
    scope: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        audit_type = self.audit_type

        certification_body_id = self.certification_body_id

        decided_by = self.decided_by

        decided_on = self.decided_on.isoformat()

        organisation_id = self.organisation_id

        outcome = self.outcome.value

        certificate_number: None | str | Unset
        if isinstance(self.certificate_number, Unset):
            certificate_number = UNSET
        else:
            certificate_number = self.certificate_number

        cycle = self.cycle

        excluded_member_ids: list[str] | Unset = UNSET
        if not isinstance(self.excluded_member_ids, Unset):
            excluded_member_ids = self.excluded_member_ids

        open_major_nc = self.open_major_nc

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        scheme = self.scheme

        scope: None | str | Unset
        if isinstance(self.scope, Unset):
            scope = UNSET
        else:
            scope = self.scope

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "audit_type": audit_type,
                "certification_body_id": certification_body_id,
                "decided_by": decided_by,
                "decided_on": decided_on,
                "organisation_id": organisation_id,
                "outcome": outcome,
            }
        )
        if certificate_number is not UNSET:
            field_dict["certificate_number"] = certificate_number
        if cycle is not UNSET:
            field_dict["cycle"] = cycle
        if excluded_member_ids is not UNSET:
            field_dict["excluded_member_ids"] = excluded_member_ids
        if open_major_nc is not UNSET:
            field_dict["open_major_nc"] = open_major_nc
        if reason is not UNSET:
            field_dict["reason"] = reason
        if scheme is not UNSET:
            field_dict["scheme"] = scheme
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        audit_type = d.pop("audit_type")

        certification_body_id = d.pop("certification_body_id")

        decided_by = d.pop("decided_by")

        decided_on = datetime.date.fromisoformat(d.pop("decided_on"))

        organisation_id = d.pop("organisation_id")

        outcome = CertificationDecidedV1Outcome(d.pop("outcome"))

        def _parse_certificate_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        certificate_number = _parse_certificate_number(d.pop("certificate_number", UNSET))

        cycle = d.pop("cycle", UNSET)

        excluded_member_ids = cast(list[str], d.pop("excluded_member_ids", UNSET))

        open_major_nc = d.pop("open_major_nc", UNSET)

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        scheme = cast(Literal["CAP_ISO9001"] | Unset, d.pop("scheme", UNSET))
        if scheme != "CAP_ISO9001" and not isinstance(scheme, Unset):
            raise ValueError(f"scheme must match const 'CAP_ISO9001', got '{scheme}'")

        def _parse_scope(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scope = _parse_scope(d.pop("scope", UNSET))

        certification_decided_v1 = cls(
            audit_id=audit_id,
            audit_type=audit_type,
            certification_body_id=certification_body_id,
            decided_by=decided_by,
            decided_on=decided_on,
            organisation_id=organisation_id,
            outcome=outcome,
            certificate_number=certificate_number,
            cycle=cycle,
            excluded_member_ids=excluded_member_ids,
            open_major_nc=open_major_nc,
            reason=reason,
            scheme=scheme,
            scope=scope,
        )

        certification_decided_v1.additional_properties = d
        return certification_decided_v1

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
