"""The event envelope: CloudEvents 1.0 attributes plus correlation id and actor.

Serialised in the CloudEvents JSON format (structured mode): attribute names are the
CloudEvents ones (``specversion``, ``id``, ``source``, ``type``, ``time``, ``subject``,
``datacontenttype``, ``data``) and our extensions are lowercase alphanumerics as the spec
requires (``correlationid``, ``actor``, ``subjectversion``).

``subjectversion`` orders the events of one stream (an event type, whatever its ``vN``) about
one ``subject``: 1, 2, 3… with no gap, assigned by the producer in the transaction that records
the event (:func:`cap_shared.outbox.add_event` with ``versioned=True``), so it follows the
commit order of the aggregate's changes. Consumers use it to apply them in order
(:mod:`cap_shared.inbox.order`); an event without it is unordered.

``traceparent`` and ``tracestate`` are the CloudEvents distributed-tracing extension (W3C Trace
Context): the span that recorded the event, filled by :func:`cap_shared.outbox.add_event` when
tracing is on and absent otherwise. A ``traceparent`` that is not a well-formed W3C value (or a
``tracestate`` over its length) is *dropped* while parsing, never rejected: a bad trace context
costs the event its place in a trace, never a dead letter.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cap_shared import clock
from cap_shared.correlation import current_or_new_request_id
from cap_shared.telemetry import TRACEPARENT_PATTERN

#: ``<entity>.<past_verb>.vN`` with dots, e.g. ``identity.organisation.registered.v1``.
EVENT_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+\.v[1-9][0-9]*$")
#: W3C's limit: 32 list members of at most 256 characters, with their commas.
TRACESTATE_MAX_LENGTH = 512


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
    subjectversion: int | None = Field(
        default=None,
        ge=1,
        description="Position of the event among its stream's events about the subject (1, 2…)",
    )
    traceparent: str | None = Field(
        default=None,
        max_length=55,
        description="W3C trace context of the span that recorded the event (tracing on only)",
    )
    tracestate: str | None = Field(
        default=None,
        max_length=TRACESTATE_MAX_LENGTH,
        description="W3C tracestate going with traceparent (vendor trace data)",
    )
    data: dict[str, Any]

    @field_validator("traceparent", mode="before")
    @classmethod
    def _drop_bad_traceparent(cls, value: object) -> object:
        # Not W3C (or all-zero ids, which W3C declares invalid): dropped, never rejected.
        if value is None:
            return None
        if (
            not isinstance(value, str)
            or not TRACEPARENT_PATTERN.match(value)
            or value[3:35] == "0" * 32
            or value[36:52] == "0" * 16
            or value.startswith("ff")
        ):
            return None
        return value

    @field_validator("tracestate", mode="before")
    @classmethod
    def _drop_bad_tracestate(cls, value: object) -> object:
        if not isinstance(value, str) or len(value) > TRACESTATE_MAX_LENGTH:
            return None
        return value

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
