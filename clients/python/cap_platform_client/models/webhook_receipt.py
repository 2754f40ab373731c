from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookReceipt")


@_attrs_define
class WebhookReceipt:
    """A webhook applied (or recognised as already applied: ``duplicate``), and what it did.

    Attributes:
        duplicate (bool):
        webhook_id (str):
        audit_id (None | str | Unset):
        finding_id (None | str | Unset):
        outcome (None | str | Unset): The decision recorded
        status (None | str | Unset): The audit's or finding's new status
        type_ (None | str | Unset): The event type, when applied now
    """

    duplicate: bool
    webhook_id: str
    audit_id: None | str | Unset = UNSET
    finding_id: None | str | Unset = UNSET
    outcome: None | str | Unset = UNSET
    status: None | str | Unset = UNSET
    type_: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        duplicate = self.duplicate

        webhook_id = self.webhook_id

        audit_id: None | str | Unset
        if isinstance(self.audit_id, Unset):
            audit_id = UNSET
        else:
            audit_id = self.audit_id

        finding_id: None | str | Unset
        if isinstance(self.finding_id, Unset):
            finding_id = UNSET
        else:
            finding_id = self.finding_id

        outcome: None | str | Unset
        if isinstance(self.outcome, Unset):
            outcome = UNSET
        else:
            outcome = self.outcome

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "duplicate": duplicate,
                "webhook_id": webhook_id,
            }
        )
        if audit_id is not UNSET:
            field_dict["audit_id"] = audit_id
        if finding_id is not UNSET:
            field_dict["finding_id"] = finding_id
        if outcome is not UNSET:
            field_dict["outcome"] = outcome
        if status is not UNSET:
            field_dict["status"] = status
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        duplicate = d.pop("duplicate")

        webhook_id = d.pop("webhook_id")

        def _parse_audit_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        audit_id = _parse_audit_id(d.pop("audit_id", UNSET))

        def _parse_finding_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        finding_id = _parse_finding_id(d.pop("finding_id", UNSET))

        def _parse_outcome(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        outcome = _parse_outcome(d.pop("outcome", UNSET))

        def _parse_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_type_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))

        webhook_receipt = cls(
            duplicate=duplicate,
            webhook_id=webhook_id,
            audit_id=audit_id,
            finding_id=finding_id,
            outcome=outcome,
            status=status,
            type_=type_,
        )

        webhook_receipt.additional_properties = d
        return webhook_receipt

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
