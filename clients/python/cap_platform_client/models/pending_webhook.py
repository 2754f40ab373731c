from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.pending_webhook_payload import PendingWebhookPayload


T = TypeVar("T", bound="PendingWebhook")


@_attrs_define
class PendingWebhook:
    """An event the body holds for an audit (reconciliation).

    Attributes:
        payload (PendingWebhookPayload): One of the webhook events, as it was (or would be) sent
        webhook_id (str):
    """

    payload: PendingWebhookPayload
    webhook_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        payload = self.payload.to_dict()

        webhook_id = self.webhook_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "payload": payload,
                "webhook_id": webhook_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pending_webhook_payload import PendingWebhookPayload  # noqa: PLC0415

        d = dict(src_dict)
        payload = PendingWebhookPayload.from_dict(d.pop("payload"))

        webhook_id = d.pop("webhook_id")

        pending_webhook = cls(
            payload=payload,
            webhook_id=webhook_id,
        )

        pending_webhook.additional_properties = d
        return pending_webhook

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
