"""Tables of the gateway's identity database."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cap_shared.db import TimestampMixin, make_registry
from cap_shared.db.types import AwareDateTime
from cap_shared.idempotency import idempotent_request_table
from cap_shared.runtime import infra_tables

registry = make_registry()
metadata = registry.metadata


class Base(SQLModel, registry=registry):
    """Base of the gateway's tables."""


tables = infra_tables(metadata)


class Organisation(TimestampMixin, Base, table=True):
    """A member structure — the tenant every other record belongs to."""

    __tablename__ = "organisation"

    id: str = Field(primary_key=True, max_length=36)
    siret: str = Field(max_length=14, unique=True)
    name: str = Field(max_length=200)
    siae_types: list[str] = Field(sa_type=sa.JSON)
    region: str = Field(max_length=2, index=True)
    delegation: str | None = Field(default=None, max_length=200)


class User(TimestampMixin, Base, table=True):
    """A person who signs in: member staff, facilitator, auditor, committee member, admin."""

    __tablename__ = "user_account"

    id: str = Field(primary_key=True, max_length=36)
    #: Lower-cased; the sign-in name.
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    #: Argon2id PHC string; None until the invitation is accepted.
    password_hash: str | None = Field(default=None, max_length=512)
    #: ``active`` or ``disabled`` (a disabled user cannot sign in or refresh).
    status: str = Field(default="active", max_length=16)
    last_login_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class Membership(TimestampMixin, Base, table=True):
    """A role a user holds, scoped to an organisation, a region or a certification body."""

    __tablename__ = "membership"
    __table_args__ = (
        # NULL scopes are distinct in a unique constraint: the service also checks first.
        sa.UniqueConstraint(
            "user_id",
            "role",
            "organisation_id",
            "region",
            "certification_body_id",
            name="uq_membership_grant",
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="user_account.id", index=True, max_length=36)
    role: str = Field(max_length=32)
    organisation_id: str | None = Field(
        default=None, foreign_key="organisation.id", index=True, max_length=36
    )
    region: str | None = Field(default=None, max_length=2)
    certification_body_id: str | None = Field(default=None, max_length=64)


class Invitation(TimestampMixin, Base, table=True):
    """An invitation to join with a role; accepted once with the secret token it was sent with."""

    __tablename__ = "invitation"

    id: str = Field(primary_key=True, max_length=36)
    email: str = Field(max_length=254, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=32)
    organisation_id: str | None = Field(
        default=None, foreign_key="organisation.id", index=True, max_length=36
    )
    region: str | None = Field(default=None, max_length=2)
    certification_body_id: str | None = Field(default=None, max_length=64)
    #: SHA-256 of the token (the token itself is only ever in the invitation link).
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: str = Field(max_length=200)
    expires_at: datetime = Field(sa_type=AwareDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class ApiClient(TimestampMixin, Base, table=True):
    """A certification body's system, authenticating with the client-credentials flow."""

    __tablename__ = "api_client"

    id: str = Field(primary_key=True, max_length=36)
    client_id: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    #: Argon2id hash of the secret (shown once, at creation or rotation).
    secret_hash: str = Field(max_length=512)
    scopes: list[str] = Field(sa_type=sa.JSON)
    certification_body_id: str = Field(max_length=64, index=True)
    created_by: str = Field(max_length=200)
    revoked_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class RefreshToken(Base, table=True):
    """One refresh token of a rotation family; a used one presented again revokes the family."""

    __tablename__ = "refresh_token"

    id: str = Field(primary_key=True, max_length=36)
    family_id: str = Field(max_length=36, index=True)
    user_id: str = Field(foreign_key="user_account.id", index=True, max_length=36)
    client_id: str = Field(max_length=64)
    #: SHA-256 of the token; the token is only ever held by the client.
    token_hash: str = Field(max_length=64, unique=True)
    issued_at: datetime = Field(sa_type=AwareDateTime)
    expires_at: datetime = Field(sa_type=AwareDateTime)
    used_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class SigningKey(Base, table=True):
    """A token-signing key pair. Published in the JWKS from creation until ``expires_at``;
    used for signing from ``activates_at`` until it is superseded by a newer active key."""

    __tablename__ = "signing_key"

    kid: str = Field(primary_key=True, max_length=64)
    algorithm: str = Field(max_length=16)
    #: PKCS#8 PEM, encrypted with the gateway's key-encryption secret.
    private_key: str = Field(sa_type=sa.Text)
    public_jwk: dict[str, str] = Field(sa_type=sa.JSON)
    created_at: datetime = Field(sa_type=AwareDateTime)
    activates_at: datetime = Field(sa_type=AwareDateTime)
    #: Set when a newer key takes over signing; tokens it signed stay valid until they expire.
    retired_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    #: After this the key leaves the JWKS (retired + longest access-token lifetime).
    expires_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class AuthorizationCode(Base, table=True):
    """An OAuth authorization code (RFC 6749 §4.1): single use, short-lived, bound to its client,
    redirect URI and PKCE challenge. Only its SHA-256 is kept; exchanging it a second time
    revokes the tokens the first exchange issued (``family_id``)."""

    __tablename__ = "authorization_code"

    id: str = Field(primary_key=True, max_length=36)
    code_hash: str = Field(max_length=64, unique=True)
    client_id: str = Field(max_length=64)
    user_id: str = Field(foreign_key="user_account.id", index=True, max_length=36)
    redirect_uri: str = Field(max_length=500)
    #: The S256 challenge (BASE64URL(SHA256(verifier))); ``plain`` is refused.
    code_challenge: str = Field(max_length=128)
    scope: str = Field(default="", max_length=200)
    nonce: str | None = Field(default=None, max_length=200)
    #: When the person typed their password (the ``auth_time`` of the id_token).
    auth_time: datetime = Field(sa_type=AwareDateTime)
    expires_at: datetime = Field(sa_type=AwareDateTime)
    used_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    #: The refresh-token family issued from this code (revoked if the code is replayed).
    family_id: str | None = Field(default=None, max_length=36)


#: Idempotency-Key claims and kept answers of every POST through the gateway
#: (cap_shared.idempotency, the edge layer).
idempotent_requests = idempotent_request_table(metadata)
