from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contract_document_info import ContractDocumentInfo
    from ..models.contract_document_webhooks import ContractDocumentWebhooks


T = TypeVar("T", bound="ContractDocument")


@_attrs_define
class ContractDocument:
    """An OpenAPI 3.1 document (its ``webhooks`` are the events a body sends).

    Attributes:
        info (ContractDocumentInfo):
        openapi (str):
        webhooks (ContractDocumentWebhooks | Unset):
    """

    info: ContractDocumentInfo
    openapi: str
    webhooks: ContractDocumentWebhooks | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        info = self.info.to_dict()

        openapi = self.openapi

        webhooks: dict[str, Any] | Unset = UNSET
        if not isinstance(self.webhooks, Unset):
            webhooks = self.webhooks.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "info": info,
                "openapi": openapi,
            }
        )
        if webhooks is not UNSET:
            field_dict["webhooks"] = webhooks

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.contract_document_info import ContractDocumentInfo  # noqa: PLC0415
        from ..models.contract_document_webhooks import ContractDocumentWebhooks  # noqa: PLC0415

        d = dict(src_dict)
        info = ContractDocumentInfo.from_dict(d.pop("info"))

        openapi = d.pop("openapi")

        _webhooks = d.pop("webhooks", UNSET)
        webhooks: ContractDocumentWebhooks | Unset
        if isinstance(_webhooks, Unset):
            webhooks = UNSET
        else:
            webhooks = ContractDocumentWebhooks.from_dict(_webhooks)

        contract_document = cls(
            info=info,
            openapi=openapi,
            webhooks=webhooks,
        )

        contract_document.additional_properties = d
        return contract_document

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
