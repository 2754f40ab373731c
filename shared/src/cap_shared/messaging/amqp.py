"""AMQP messages as the RabbitMQ broker writes and reads them: persistent messages, the event's
original routing key after a hop through a delay or dead-letter exchange, the attempt header."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from cap_shared.clock import wall_now
from cap_shared.logging import message_logging
from cap_shared.messaging.base import ATTEMPT_HEADER, ROUTING_KEY_HEADER, OutgoingMessage


def to_amqp(message: OutgoingMessage, headers: dict[str, Any] | None = None) -> aio_pika.Message:
    """``message`` as a persistent AMQP message (its own headers unless ``headers`` are given)."""
    return aio_pika.Message(
        body=message.body,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        type=message.type,
        correlation_id=message.correlation_id,
        content_type=message.content_type,
        timestamp=message.timestamp or wall_now(),
        headers=headers if headers is not None else dict(message.headers),
    )


def original_routing_key(headers: dict[str, Any], routing_key: str | None) -> str:
    """The event's routing key, even after a hop through a delay, dead-letter or default exchange."""
    if headers.get(ROUTING_KEY_HEADER):
        return str(headers[ROUTING_KEY_HEADER])
    deaths = headers.get("x-death") or []
    if deaths and isinstance(deaths[0], dict) and deaths[0].get("routing-keys"):
        return str(deaths[0]["routing-keys"][0])
    return routing_key or ""


def attempt_of(headers: dict[str, Any]) -> int:
    """The delivery's attempt number from our header (1 when missing or not a positive int)."""
    value = headers.get(ATTEMPT_HEADER, 1)
    return value if isinstance(value, int) and value > 0 else 1


def logging_of(message: AbstractIncomingMessage) -> AbstractContextManager[None]:
    """Around a line about ``message`` not (or no longer) read as a delivery: its event id,
    type and request id, as :func:`~cap_shared.messaging.base.delivery_logging` binds them."""
    return message_logging(
        message.message_id, message.type or message.routing_key, message.correlation_id
    )
