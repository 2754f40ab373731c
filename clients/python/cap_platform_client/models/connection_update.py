from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ConnectionUpdate")


@_attrs_define
class ConnectionUpdate:
    """How to reach a body's system (admin).

    Attributes:
        api_url (str):
        client_id (str):
        client_secret (str):
        token_url (str):
    """

    api_url: str
    client_id: str
    client_secret: str
    token_url: str

    def to_dict(self) -> dict[str, Any]:
        api_url = self.api_url

        client_id = self.client_id

        client_secret = self.client_secret

        token_url = self.token_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "api_url": api_url,
                "client_id": client_id,
                "client_secret": client_secret,
                "token_url": token_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        api_url = d.pop("api_url")

        client_id = d.pop("client_id")

        client_secret = d.pop("client_secret")

        token_url = d.pop("token_url")

        connection_update = cls(
            api_url=api_url,
            client_id=client_id,
            client_secret=client_secret,
            token_url=token_url,
        )

        return connection_update
