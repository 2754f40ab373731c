from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthorizationServerMetadata")


@_attrs_define
class AuthorizationServerMetadata:
    """Where to get tokens and keys and what is supported (RFC 8414 §2).

    Attributes:
        issuer (str):
        jwks_uri (str):
        token_endpoint (str):
        grant_types_supported (list[str] | Unset):
        revocation_endpoint (None | str | Unset):
        scopes_supported (list[str] | Unset):
        token_endpoint_auth_methods_supported (list[str] | Unset):
        token_endpoint_auth_signing_alg_values_supported (list[str] | Unset):
    """

    issuer: str
    jwks_uri: str
    token_endpoint: str
    grant_types_supported: list[str] | Unset = UNSET
    revocation_endpoint: None | str | Unset = UNSET
    scopes_supported: list[str] | Unset = UNSET
    token_endpoint_auth_methods_supported: list[str] | Unset = UNSET
    token_endpoint_auth_signing_alg_values_supported: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        issuer = self.issuer

        jwks_uri = self.jwks_uri

        token_endpoint = self.token_endpoint

        grant_types_supported: list[str] | Unset = UNSET
        if not isinstance(self.grant_types_supported, Unset):
            grant_types_supported = self.grant_types_supported

        revocation_endpoint: None | str | Unset
        if isinstance(self.revocation_endpoint, Unset):
            revocation_endpoint = UNSET
        else:
            revocation_endpoint = self.revocation_endpoint

        scopes_supported: list[str] | Unset = UNSET
        if not isinstance(self.scopes_supported, Unset):
            scopes_supported = self.scopes_supported

        token_endpoint_auth_methods_supported: list[str] | Unset = UNSET
        if not isinstance(self.token_endpoint_auth_methods_supported, Unset):
            token_endpoint_auth_methods_supported = self.token_endpoint_auth_methods_supported

        token_endpoint_auth_signing_alg_values_supported: list[str] | Unset = UNSET
        if not isinstance(self.token_endpoint_auth_signing_alg_values_supported, Unset):
            token_endpoint_auth_signing_alg_values_supported = self.token_endpoint_auth_signing_alg_values_supported

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "issuer": issuer,
                "jwks_uri": jwks_uri,
                "token_endpoint": token_endpoint,
            }
        )
        if grant_types_supported is not UNSET:
            field_dict["grant_types_supported"] = grant_types_supported
        if revocation_endpoint is not UNSET:
            field_dict["revocation_endpoint"] = revocation_endpoint
        if scopes_supported is not UNSET:
            field_dict["scopes_supported"] = scopes_supported
        if token_endpoint_auth_methods_supported is not UNSET:
            field_dict["token_endpoint_auth_methods_supported"] = token_endpoint_auth_methods_supported
        if token_endpoint_auth_signing_alg_values_supported is not UNSET:
            field_dict["token_endpoint_auth_signing_alg_values_supported"] = (
                token_endpoint_auth_signing_alg_values_supported
            )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        issuer = d.pop("issuer")

        jwks_uri = d.pop("jwks_uri")

        token_endpoint = d.pop("token_endpoint")

        grant_types_supported = cast(list[str], d.pop("grant_types_supported", UNSET))

        def _parse_revocation_endpoint(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        revocation_endpoint = _parse_revocation_endpoint(d.pop("revocation_endpoint", UNSET))

        scopes_supported = cast(list[str], d.pop("scopes_supported", UNSET))

        token_endpoint_auth_methods_supported = cast(list[str], d.pop("token_endpoint_auth_methods_supported", UNSET))

        token_endpoint_auth_signing_alg_values_supported = cast(
            list[str], d.pop("token_endpoint_auth_signing_alg_values_supported", UNSET)
        )

        authorization_server_metadata = cls(
            issuer=issuer,
            jwks_uri=jwks_uri,
            token_endpoint=token_endpoint,
            grant_types_supported=grant_types_supported,
            revocation_endpoint=revocation_endpoint,
            scopes_supported=scopes_supported,
            token_endpoint_auth_methods_supported=token_endpoint_auth_methods_supported,
            token_endpoint_auth_signing_alg_values_supported=token_endpoint_auth_signing_alg_values_supported,
        )

        authorization_server_metadata.additional_properties = d
        return authorization_server_metadata

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
