"""API shapes of the token endpoints (RFC 6749, RFC 7009, RFC 8414)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class TokenResponse(BaseModel):
    """An access token (and, for people, a refresh token to rotate)."""

    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    refresh_token: str | None = None
    scope: str | None = None
    #: OpenID Connect: who signed in, for the app (``aud`` = its client id); when ``openid``
    #: was asked for in the authorization code flow.
    id_token: str | None = None


class UserInfo(BaseModel):
    """OpenID Connect userinfo: the signed-in person, with the platform's own claims."""

    sub: str
    name: str
    email: str
    email_verified: bool
    #: Every role held and its scope (as in the access token's ``roles`` claim).
    roles: list[dict[str, str]]
    #: The member organisations the person belongs to.
    organisations: list[dict[str, str]]


class SigningKeyPublic(BaseModel):
    """A signing key's public part and dates (never the private key)."""

    kid: str
    algorithm: str
    created_at: datetime
    activates_at: datetime
    retired_at: datetime | None
    expires_at: datetime | None
