"""API bodies of the certification-body integration: connections, deliveries, secrets,
webhook receipts and the published contract."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from cap_shared.pagination import Page


class ConnectionUpdate(BaseModel):
    """How to reach a body's system (admin)."""

    model_config = ConfigDict(extra="forbid")

    api_url: AnyHttpUrl
    token_url: AnyHttpUrl
    client_id: str = Field(min_length=1, max_length=200)
    client_secret: str = Field(min_length=8, max_length=500)


class ConnectionPublic(BaseModel):
    """How the platform reaches a body's system (without its secret)."""

    certification_body_id: str
    api_url: str
    token_url: str
    client_id: str
    callback_url: str


class DeliveryPublic(BaseModel):
    """A request sent (or waiting) to a body's system, with every attempt."""

    id: str
    audit_id: str
    kind: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    delivered_at: datetime | None
    reference: str | None
    log: list[dict[str, Any]]


class BodyDeliveryPage(Page[DeliveryPublic]):
    """A page of a body's deliveries (named: the notifications service pages its own
    ``DeliveryPublic``)."""


class WebhookReceipt(BaseModel):
    """A webhook applied (or recognised as already applied: ``duplicate``), and what it did."""

    webhook_id: str
    duplicate: bool
    type: str | None = Field(default=None, description="The event type, when applied now")
    audit_id: str | None = None
    finding_id: str | None = None
    status: str | None = Field(default=None, description="The audit's or finding's new status")
    outcome: str | None = Field(default=None, description="The decision recorded")


class ContractDocument(BaseModel):
    """An OpenAPI 3.1 document (its ``webhooks`` are the events a body sends)."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    webhooks: dict[str, Any] = {}


class SecretPublic(BaseModel):
    """A webhook secret of a body and until when it verifies."""

    id: str
    created_at: datetime
    expires_at: datetime | None


class SecretCreated(SecretPublic):
    """The new secret, shown once: give it to the body's system."""

    secret: str
