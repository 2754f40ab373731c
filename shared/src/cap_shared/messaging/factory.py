"""Pick the broker implementation from a URL: ``memory://`` or ``amqp://...``."""

from __future__ import annotations

from cap_shared.messaging.base import Broker


def broker_from_url(url: str, *, namespace: str = "cap") -> Broker:
    """``memory://`` gives the in-memory broker, ``amqp(s)://`` RabbitMQ (a cluster: its nodes'
    URLs separated by commas, ``amqp://u:p@a:5672/,amqp://u:p@b:5672/``)."""
    if url.startswith("memory://"):
        from cap_shared.messaging.memory import MemoryBroker

        return MemoryBroker(namespace=namespace)
    if url.startswith(("amqp://", "amqps://")):
        from cap_shared.messaging.rabbitmq import RabbitBroker

        return RabbitBroker(url, namespace=namespace)
    msg = f"unsupported broker URL scheme: {url.split(':', 1)[0]!r} (use memory:// or amqp://)"
    raise ValueError(msg)
