from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ConnectionPublic")


@_attrs_define
class ConnectionPublic:
    """How the platform reaches a body's system (without its secret).

    Attributes:
        api_url (str):
        callback_url (str):
        certification_body_id (str):
        client_id (str):
        token_url (str):
    """

    api_url: str
    callback_url: str
    certification_body_id: str
    client_id: str
    token_url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        api_url = self.api_url

        callback_url = self.callback_url

        certification_body_id = self.certification_body_id

        client_id = self.client_id

        token_url = self.token_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "api_url": api_url,
                "callback_url": callback_url,
                "certification_body_id": certification_body_id,
                "client_id": client_id,
                "token_url": token_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        api_url = d.pop("api_url")

        callback_url = d.pop("callback_url")

        certification_body_id = d.pop("certification_body_id")

        client_id = d.pop("client_id")

        token_url = d.pop("token_url")

        connection_public = cls(
            api_url=api_url,
            callback_url=callback_url,
            certification_body_id=certification_body_id,
            client_id=client_id,
            token_url=token_url,
        )

        connection_public.additional_properties = d
        return connection_public

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
