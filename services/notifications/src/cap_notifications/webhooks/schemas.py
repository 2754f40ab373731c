"""API shapes of the outbound webhooks: subscriptions and their delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints, field_validator

from cap_notifications.catalogue import EVENT_TYPES
from cap_notifications.webhooks.rules import ALL_EVENTS
from cap_shared.field_errors import FieldError

Url = Annotated[AnyHttpUrl, UrlConstraints(max_length=2000, allowed_schemes=["http", "https"])]
Name = Annotated[str, Field(min_length=1, max_length=200)]


def _check_event_types(value: list[str]) -> list[str]:
    known = set(EVENT_TYPES)
    unknown = [t for t in value if t != ALL_EVENTS and t not in known]
    if unknown:
        msg = f"unknown event type(s) {unknown}; expected '*' or some of {list(EVENT_TYPES)}"
        msg_fr = (
            f"Type(s) d'événement inconnu(s) {unknown} ; attendu : '*' ou certains de "
            f"{list(EVENT_TYPES)}"
        )
        raise FieldError(msg, msg_fr)
    return list(dict.fromkeys(value))  # without duplicates, in the given order


class SubscriptionCreate(BaseModel):
    """A system to call when some events happen (admin)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    #: http(s); a private or loopback address is refused unless allowed (development).
    url: Url
    #: Notified event types, or ``["*"]`` for all of them.
    event_types: list[str] = Field(min_length=1, max_length=len(EVENT_TYPES) + 1)

    _event_types = field_validator("event_types")(_check_event_types)


class SubscriptionUpdate(BaseModel):
    """Changes to a subscription; ``status: "active"`` re-enables a disabled one."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name | None = None
    url: Url | None = None
    event_types: list[str] | None = Field(
        default=None, min_length=1, max_length=len(EVENT_TYPES) + 1
    )
    status: Literal["active", "disabled"] | None = None

    @field_validator("event_types")
    @classmethod
    def _known(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_event_types(value)


class SubscriptionPublic(BaseModel):
    """A subscription, without its secret."""

    id: str
    name: str
    url: str
    event_types: list[str]
    #: active | disabled
    status: str
    disabled_reason: str | None
    created_by: str
    created_at: datetime
    modified_at: datetime | None


class SubscriptionWithSecret(SubscriptionPublic):
    """A subscription and its signing secret, shown once (creation, rotation)."""

    #: ``whsec_`` + base64 of 32 random bytes: verify with any Standard Webhooks library.
    secret: str


class AttemptPublic(BaseModel):
    """One attempt of a delivery, as the delivery log shows it."""

    number: int
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    manual: bool


class DeliveryPublic(BaseModel):
    """One event to one subscription, with every attempt (the delivery log)."""

    #: The ``webhook-id`` header, the same on every attempt.
    id: str
    event_id: str
    event_type: str
    #: pending | delivered | failed | cancelled
    status: str
    attempts: int
    #: When the next attempt is due (pending deliveries only).
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    log: list[AttemptPublic]
