"""API shapes of API clients (certification bodies' systems). Inputs refuse unknown fields."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from cap_gateway.accounts.schemas import BodyId, Input, Name
from cap_shared.security import Scope


class ApiClientCreate(Input):
    """Register a certification body's system."""

    name: Name
    certification_body_id: BodyId
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope))


class ApiClientPublic(BaseModel):
    """An API client (the secret is never shown again)."""

    id: str
    client_id: str
    name: str
    certification_body_id: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiClientCreated(ApiClientPublic):
    """A new API client, or a rotated secret, with the secret shown this one time."""

    client_secret: str
