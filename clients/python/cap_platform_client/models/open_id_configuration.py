from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OpenIdConfiguration")


@_attrs_define
class OpenIdConfiguration:
    """OpenID Connect discovery (OpenID Connect Discovery 1.0 §3): the authorization server's
    metadata plus what an OpenID client library needs.

        Attributes:
            authorization_endpoint (str):
            id_token_signing_alg_values_supported (list[str]):
            issuer (str):
            jwks_uri (str):
            response_types_supported (list[str]):
            subject_types_supported (list[str]):
            token_endpoint (str):
            userinfo_endpoint (str):
            claims_supported (list[str] | Unset):
            code_challenge_methods_supported (list[str] | Unset):
            grant_types_supported (list[str] | Unset):
            response_modes_supported (list[str] | Unset):
            revocation_endpoint (None | str | Unset):
            scopes_supported (list[str] | Unset):
            token_endpoint_auth_methods_supported (list[str] | Unset):
            token_endpoint_auth_signing_alg_values_supported (list[str] | Unset):
    """

    authorization_endpoint: str
    id_token_signing_alg_values_supported: list[str]
    issuer: str
    jwks_uri: str
    response_types_supported: list[str]
    subject_types_supported: list[str]
    token_endpoint: str
    userinfo_endpoint: str
    claims_supported: list[str] | Unset = UNSET
    code_challenge_methods_supported: list[str] | Unset = UNSET
    grant_types_supported: list[str] | Unset = UNSET
    response_modes_supported: list[str] | Unset = UNSET
    revocation_endpoint: None | str | Unset = UNSET
    scopes_supported: list[str] | Unset = UNSET
    token_endpoint_auth_methods_supported: list[str] | Unset = UNSET
    token_endpoint_auth_signing_alg_values_supported: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        authorization_endpoint = self.authorization_endpoint

        id_token_signing_alg_values_supported = self.id_token_signing_alg_values_supported

        issuer = self.issuer

        jwks_uri = self.jwks_uri

        response_types_supported = self.response_types_supported

        subject_types_supported = self.subject_types_supported

        token_endpoint = self.token_endpoint

        userinfo_endpoint = self.userinfo_endpoint

        claims_supported: list[str] | Unset = UNSET
        if not isinstance(self.claims_supported, Unset):
            claims_supported = self.claims_supported

        code_challenge_methods_supported: list[str] | Unset = UNSET
        if not isinstance(self.code_challenge_methods_supported, Unset):
            code_challenge_methods_supported = self.code_challenge_methods_supported

        grant_types_supported: list[str] | Unset = UNSET
        if not isinstance(self.grant_types_supported, Unset):
            grant_types_supported = self.grant_types_supported

        response_modes_supported: list[str] | Unset = UNSET
        if not isinstance(self.response_modes_supported, Unset):
            response_modes_supported = self.response_modes_supported

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
                "authorization_endpoint": authorization_endpoint,
                "id_token_signing_alg_values_supported": id_token_signing_alg_values_supported,
                "issuer": issuer,
                "jwks_uri": jwks_uri,
                "response_types_supported": response_types_supported,
                "subject_types_supported": subject_types_supported,
                "token_endpoint": token_endpoint,
                "userinfo_endpoint": userinfo_endpoint,
            }
        )
        if claims_supported is not UNSET:
            field_dict["claims_supported"] = claims_supported
        if code_challenge_methods_supported is not UNSET:
            field_dict["code_challenge_methods_supported"] = code_challenge_methods_supported
        if grant_types_supported is not UNSET:
            field_dict["grant_types_supported"] = grant_types_supported
        if response_modes_supported is not UNSET:
            field_dict["response_modes_supported"] = response_modes_supported
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
        authorization_endpoint = d.pop("authorization_endpoint")

        id_token_signing_alg_values_supported = cast(list[str], d.pop("id_token_signing_alg_values_supported"))

        issuer = d.pop("issuer")

        jwks_uri = d.pop("jwks_uri")

        response_types_supported = cast(list[str], d.pop("response_types_supported"))

        subject_types_supported = cast(list[str], d.pop("subject_types_supported"))

        token_endpoint = d.pop("token_endpoint")

        userinfo_endpoint = d.pop("userinfo_endpoint")

        claims_supported = cast(list[str], d.pop("claims_supported", UNSET))

        code_challenge_methods_supported = cast(list[str], d.pop("code_challenge_methods_supported", UNSET))

        grant_types_supported = cast(list[str], d.pop("grant_types_supported", UNSET))

        response_modes_supported = cast(list[str], d.pop("response_modes_supported", UNSET))

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

        open_id_configuration = cls(
            authorization_endpoint=authorization_endpoint,
            id_token_signing_alg_values_supported=id_token_signing_alg_values_supported,
            issuer=issuer,
            jwks_uri=jwks_uri,
            response_types_supported=response_types_supported,
            subject_types_supported=subject_types_supported,
            token_endpoint=token_endpoint,
            userinfo_endpoint=userinfo_endpoint,
            claims_supported=claims_supported,
            code_challenge_methods_supported=code_challenge_methods_supported,
            grant_types_supported=grant_types_supported,
            response_modes_supported=response_modes_supported,
            revocation_endpoint=revocation_endpoint,
            scopes_supported=scopes_supported,
            token_endpoint_auth_methods_supported=token_endpoint_auth_methods_supported,
            token_endpoint_auth_signing_alg_values_supported=token_endpoint_auth_signing_alg_values_supported,
        )

        open_id_configuration.additional_properties = d
        return open_id_configuration

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
