"""Shapes of the public documents the gateway serves about its tokens (RFC 7517, RFC 8414).

Declared in the API description so that clients get typed answers; the routes build the
documents themselves (members beyond these are allowed, as both RFCs allow them).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PublicJwk(BaseModel):
    """A public signing key (RFC 7517 §4; Ed25519 as RFC 8037 gives it)."""

    model_config = ConfigDict(extra="allow")

    kty: str = Field(description="Key type (`OKP`)")
    kid: str = Field(description="Key id, as in the `kid` header of the tokens it signs")
    crv: str | None = Field(default=None, description="Curve (`Ed25519`)")
    x: str | None = Field(default=None, description="The public key, base64url")
    alg: str | None = Field(default=None, description="Algorithm (`EdDSA`)")
    use: str | None = Field(default=None, description="`sig`")


class Jwks(BaseModel):
    """The keys verifying the platform's access tokens, newest first (RFC 7517 §5)."""

    model_config = ConfigDict(extra="allow")

    keys: list[PublicJwk]


class AuthorizationServerMetadata(BaseModel):
    """Where to get tokens and keys and what is supported (RFC 8414 §2)."""

    model_config = ConfigDict(extra="allow")

    issuer: str
    token_endpoint: str
    jwks_uri: str
    revocation_endpoint: str | None = None
    grant_types_supported: list[str] = []
    token_endpoint_auth_methods_supported: list[str] = []
    scopes_supported: list[str] = []
    token_endpoint_auth_signing_alg_values_supported: list[str] = []


class OpenIdConfiguration(AuthorizationServerMetadata):
    """OpenID Connect discovery (OpenID Connect Discovery 1.0 §3): the authorization server's
    metadata plus what an OpenID client library needs."""

    authorization_endpoint: str
    userinfo_endpoint: str
    response_types_supported: list[str]
    subject_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    code_challenge_methods_supported: list[str] = []
    response_modes_supported: list[str] = []
    claims_supported: list[str] = []
