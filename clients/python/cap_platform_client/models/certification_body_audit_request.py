from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.certification_body_audit_request_scheme import CertificationBodyAuditRequestScheme

if TYPE_CHECKING:
    from ..models.organisation_ref import OrganisationRef


T = TypeVar("T", bound="CertificationBodyAuditRequest")


@_attrs_define
class CertificationBodyAuditRequest:
    """``POST /audit-requests`` on a certification body's system (header ``Idempotency-Key``:
    the same on every retry).

        Attributes:
            audit_id (str):
            audit_type (str):
            callback_url (str): Where to send the signed webhooks
            due_by (datetime.date | None):
            organisation (OrganisationRef): The audited organisation, as the platform knows it.
            scheme (CertificationBodyAuditRequestScheme):
    """

    audit_id: str
    audit_type: str
    callback_url: str
    due_by: datetime.date | None
    organisation: OrganisationRef
    scheme: CertificationBodyAuditRequestScheme
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        audit_type = self.audit_type

        callback_url = self.callback_url

        due_by: None | str
        if isinstance(self.due_by, datetime.date):
            due_by = self.due_by.isoformat()
        else:
            due_by = self.due_by

        organisation = self.organisation.to_dict()

        scheme = self.scheme.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "audit_type": audit_type,
                "callback_url": callback_url,
                "due_by": due_by,
                "organisation": organisation,
                "scheme": scheme,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.organisation_ref import OrganisationRef  # noqa: PLC0415

        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        audit_type = d.pop("audit_type")

        callback_url = d.pop("callback_url")

        def _parse_due_by(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_by_type_0 = datetime.date.fromisoformat(data)

                return due_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        due_by = _parse_due_by(d.pop("due_by"))

        organisation = OrganisationRef.from_dict(d.pop("organisation"))

        scheme = CertificationBodyAuditRequestScheme(d.pop("scheme"))

        certification_body_audit_request = cls(
            audit_id=audit_id,
            audit_type=audit_type,
            callback_url=callback_url,
            due_by=due_by,
            organisation=organisation,
            scheme=scheme,
        )

        certification_body_audit_request.additional_properties = d
        return certification_body_audit_request

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
