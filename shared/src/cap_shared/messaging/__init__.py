"""Messaging behind one interface: RabbitMQ (aio-pika) and an in-memory broker."""

from cap_shared.messaging.base import (
    Broker,
    BrokerUnavailable,
    Delivery,
    Handler,
    OutgoingMessage,
    PermanentError,
    PublishFailed,
    QueueSpec,
    Unroutable,
)
from cap_shared.messaging.factory import broker_from_url

__all__ = [
    "Broker",
    "BrokerUnavailable",
    "Delivery",
    "Handler",
    "OutgoingMessage",
    "PermanentError",
    "PublishFailed",
    "QueueSpec",
    "Unroutable",
    "broker_from_url",
]
