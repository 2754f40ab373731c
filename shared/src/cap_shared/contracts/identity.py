"""Events published by the gateway's identity module."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from cap_shared.contracts.registry import EventModel, event_model

SiaeType = Literal["ACI", "AI", "EI", "ETTI", "EITI", "EBE"]


@event_model(
    "identity.organisation.registered.v1",
    producer="gateway",
    summary="A member structure (tenant) was registered on the platform.",
)
class OrganisationRegisteredV1(EventModel):
    """A member structure joined the platform; every service keeps it in its read model."""

    organisation_id: str = Field(description="Platform id of the organisation (UUID)")
    siret: str = Field(pattern=r"^[0-9]{14}$")
    name: str = Field(min_length=1, max_length=200)
    siae_types: list[SiaeType] = Field(min_length=1)
    region: str = Field(pattern=r"^[0-9]{2}$", description="INSEE code of the region, e.g. 76")
    region_name: str = Field(
        min_length=1, max_length=100, description="Region name, e.g. Occitanie"
    )
    delegation: str | None = Field(default=None, max_length=200)
    registered_at: datetime


class MembershipV1(BaseModel):
    """A role a person holds, with its scope."""

    role: str
    organisation_id: str | None = None
    region: str | None = None
    certification_body_id: str | None = None


@event_model(
    "identity.user.changed.v1",
    producer="gateway",
    summary="A person's account was created or changed (name, status, roles): full state.",
)
class UserChangedV1(EventModel):
    """A person's current account state; consumers keep the one with the latest ``changed_at``.

    Carries the e-mail address (the notifications service writes to it); nothing else personal.
    """

    user_id: str
    email: str = Field(max_length=254)
    name: str = Field(max_length=200)
    status: Literal["active", "disabled"]
    memberships: list[MembershipV1] = Field(default_factory=list)
    changed_at: datetime
