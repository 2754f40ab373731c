from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.pending_webhook import PendingWebhook


T = TypeVar("T", bound="AuditRequestState")


@_attrs_define
class AuditRequestState:
    """``GET /audit-requests/{audit_id}``: read by the platform's reconciliation.

    Attributes:
        audit_id (str):
        reference (str):
        status (str):
        webhooks (list[PendingWebhook]): Every event produced for this audit, delivered or not
    """

    audit_id: str
    reference: str
    status: str
    webhooks: list[PendingWebhook]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        reference = self.reference

        status = self.status

        webhooks = []
        for webhooks_item_data in self.webhooks:
            webhooks_item = webhooks_item_data.to_dict()
            webhooks.append(webhooks_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "reference": reference,
                "status": status,
                "webhooks": webhooks,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pending_webhook import PendingWebhook  # noqa: PLC0415

        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        reference = d.pop("reference")

        status = d.pop("status")

        webhooks = []
        _webhooks = d.pop("webhooks")
        for webhooks_item_data in _webhooks:
            webhooks_item = PendingWebhook.from_dict(webhooks_item_data)

            webhooks.append(webhooks_item)

        audit_request_state = cls(
            audit_id=audit_id,
            reference=reference,
            status=status,
            webhooks=webhooks,
        )

        audit_request_state.additional_properties = d
        return audit_request_state

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
