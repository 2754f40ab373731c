"""The event envelope: CloudEvents 1.0 attributes plus correlation id and actor.

Serialised in the CloudEvents JSON format (structured mode): attribute names are the
CloudEvents ones (``specversion``, ``id``, ``source``, ``type``, ``time``, ``subject``,
``datacontenttype``, ``data``) and our two extensions are lowercase alphanumerics as the
spec requires (``correlationid``, ``actor``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cap_shared import clock
from cap_shared.correlation import current_or_new_request_id

#: ``<entity>.<past_verb>.vN`` with dots, e.g. ``identity.organisation.registered.v1``.
EVENT_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+\.v[1-9][0-9]*$")


class Envelope(BaseModel):
    """One event as it travels: metadata every consumer can rely on, and the versioned ``data``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=64, description="Unique event id, the dedup key")
    source: str = Field(
        min_length=1, max_length=200, description="Producing service, e.g. /cap/gateway"
    )
    type: str = Field(description="Event type with its version; also the routing key")
    time: datetime
    subject: str | None = Field(
        default=None, max_length=200, description="Id of the entity the event is about"
    )
    datacontenttype: Literal["application/json"] = "application/json"
    correlationid: str | None = Field(default=None, max_length=128)
    actor: str | None = Field(
        default=None, max_length=200, description="Who caused it, e.g. user:<id>"
    )
    data: dict[str, Any]

    @field_validator("type")
    @classmethod
    def _type_is_versioned(cls, value: str) -> str:
        if not EVENT_TYPE_PATTERN.match(value):
            msg = "type must look like <entity>.<past_verb>.vN"
            raise ValueError(msg)
        return value

    @field_validator("time")
    @classmethod
    def _time_is_aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            msg = "time must carry a timezone"
            raise ValueError(msg)
        return value.astimezone(UTC)

    def to_json(self) -> bytes:
        """The structured-mode CloudEvents JSON body."""
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, body: bytes | str) -> Envelope:
        """Parse a structured-mode body; raises ``pydantic.ValidationError`` when malformed."""
        return cls.model_validate_json(body)


def new_event(
    event: BaseModel,
    *,
    source: str,
    subject: str | None = None,
    actor: str | None = None,
    correlation_id: str | None = None,
) -> Envelope:
    """Wrap a registered event model in a fresh envelope (new id, now, current request id)."""
    from cap_shared.contracts.registry import event_type_of

    return Envelope(
        id=str(uuid4()),
        source=source,
        type=event_type_of(type(event)),
        time=clock.now(),
        subject=subject,
        actor=actor,
        correlationid=correlation_id or current_or_new_request_id(),
        data=event.model_dump(mode="json"),
    )
