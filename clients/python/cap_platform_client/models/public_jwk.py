from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PublicJwk")


@_attrs_define
class PublicJwk:
    """A public signing key (RFC 7517 §4; Ed25519 as RFC 8037 gives it).

    Attributes:
        kid (str): Key id, as in the `kid` header of the tokens it signs
        kty (str): Key type (`OKP`)
        alg (None | str | Unset): Algorithm (`EdDSA`)
        crv (None | str | Unset): Curve (`Ed25519`)
        use (None | str | Unset): `sig`
        x (None | str | Unset): The public key, base64url
    """

    kid: str
    kty: str
    alg: None | str | Unset = UNSET
    crv: None | str | Unset = UNSET
    use: None | str | Unset = UNSET
    x: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kid = self.kid

        kty = self.kty

        alg: None | str | Unset
        if isinstance(self.alg, Unset):
            alg = UNSET
        else:
            alg = self.alg

        crv: None | str | Unset
        if isinstance(self.crv, Unset):
            crv = UNSET
        else:
            crv = self.crv

        use: None | str | Unset
        if isinstance(self.use, Unset):
            use = UNSET
        else:
            use = self.use

        x: None | str | Unset
        if isinstance(self.x, Unset):
            x = UNSET
        else:
            x = self.x

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kid": kid,
                "kty": kty,
            }
        )
        if alg is not UNSET:
            field_dict["alg"] = alg
        if crv is not UNSET:
            field_dict["crv"] = crv
        if use is not UNSET:
            field_dict["use"] = use
        if x is not UNSET:
            field_dict["x"] = x

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kid = d.pop("kid")

        kty = d.pop("kty")

        def _parse_alg(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        alg = _parse_alg(d.pop("alg", UNSET))

        def _parse_crv(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        crv = _parse_crv(d.pop("crv", UNSET))

        def _parse_use(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        use = _parse_use(d.pop("use", UNSET))

        def _parse_x(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        x = _parse_x(d.pop("x", UNSET))

        public_jwk = cls(
            kid=kid,
            kty=kty,
            alg=alg,
            crv=crv,
            use=use,
            x=x,
        )

        public_jwk.additional_properties = d
        return public_jwk

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
