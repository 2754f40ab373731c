from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.finding_status_changed_v1_previous_status import FindingStatusChangedV1PreviousStatus
from ..models.finding_status_changed_v1_previous_type_type_0 import FindingStatusChangedV1PreviousTypeType0
from ..models.finding_status_changed_v1_scheme import FindingStatusChangedV1Scheme
from ..models.finding_status_changed_v1_status import FindingStatusChangedV1Status
from ..models.finding_status_changed_v1_type import FindingStatusChangedV1Type
from ..types import UNSET, Unset

T = TypeVar("T", bound="FindingStatusChangedV1")


@_attrs_define
class FindingStatusChangedV1:
    """A nonconformity's new status (open majors block a label and may suspend a recognition).

    Attributes:
        audit_id (str):
        changed_at (datetime.datetime):
        finding_id (str):
        organisation_id (str):
        previous_status (FindingStatusChangedV1PreviousStatus):
        scheme (FindingStatusChangedV1Scheme):
        status (FindingStatusChangedV1Status):
        type_ (FindingStatusChangedV1Type):
        previous_type (FindingStatusChangedV1PreviousTypeType0 | None | Unset): Set when the type changed (a minor
            escalated to major)
        reason (None | str | Unset): Why: escalation, appeal outcome
        response_due (datetime.date | None | Unset):
        site_id (None | str | Unset):
    """

    audit_id: str
    changed_at: datetime.datetime
    finding_id: str
    organisation_id: str
    previous_status: FindingStatusChangedV1PreviousStatus
    scheme: FindingStatusChangedV1Scheme
    status: FindingStatusChangedV1Status
    type_: FindingStatusChangedV1Type
    previous_type: FindingStatusChangedV1PreviousTypeType0 | None | Unset = UNSET
    reason: None | str | Unset = UNSET
    response_due: datetime.date | None | Unset = UNSET
    site_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        changed_at = self.changed_at.isoformat()

        finding_id = self.finding_id

        organisation_id = self.organisation_id

        previous_status = self.previous_status.value

        scheme = self.scheme.value

        status = self.status.value

        type_ = self.type_.value

        previous_type: None | str | Unset
        if isinstance(self.previous_type, Unset):
            previous_type = UNSET
        elif isinstance(self.previous_type, FindingStatusChangedV1PreviousTypeType0):
            previous_type = self.previous_type.value
        else:
            previous_type = self.previous_type

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        response_due: None | str | Unset
        if isinstance(self.response_due, Unset):
            response_due = UNSET
        elif isinstance(self.response_due, datetime.date):
            response_due = self.response_due.isoformat()
        else:
            response_due = self.response_due

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "changed_at": changed_at,
                "finding_id": finding_id,
                "organisation_id": organisation_id,
                "previous_status": previous_status,
                "scheme": scheme,
                "status": status,
                "type": type_,
            }
        )
        if previous_type is not UNSET:
            field_dict["previous_type"] = previous_type
        if reason is not UNSET:
            field_dict["reason"] = reason
        if response_due is not UNSET:
            field_dict["response_due"] = response_due
        if site_id is not UNSET:
            field_dict["site_id"] = site_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        changed_at = datetime.datetime.fromisoformat(d.pop("changed_at"))

        finding_id = d.pop("finding_id")

        organisation_id = d.pop("organisation_id")

        previous_status = FindingStatusChangedV1PreviousStatus(d.pop("previous_status"))

        scheme = FindingStatusChangedV1Scheme(d.pop("scheme"))

        status = FindingStatusChangedV1Status(d.pop("status"))

        type_ = FindingStatusChangedV1Type(d.pop("type"))

        def _parse_previous_type(data: object) -> FindingStatusChangedV1PreviousTypeType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                previous_type_type_0 = FindingStatusChangedV1PreviousTypeType0(data)

                return previous_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FindingStatusChangedV1PreviousTypeType0 | None | Unset, data)

        previous_type = _parse_previous_type(d.pop("previous_type", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        def _parse_response_due(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                response_due_type_0 = datetime.date.fromisoformat(data)

                return response_due_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        response_due = _parse_response_due(d.pop("response_due", UNSET))

        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))

        finding_status_changed_v1 = cls(
            audit_id=audit_id,
            changed_at=changed_at,
            finding_id=finding_id,
            organisation_id=organisation_id,
            previous_status=previous_status,
            scheme=scheme,
            status=status,
            type_=type_,
            previous_type=previous_type,
            reason=reason,
            response_due=response_due,
            site_id=site_id,
        )

        finding_status_changed_v1.additional_properties = d
        return finding_status_changed_v1

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
