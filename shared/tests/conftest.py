"""Fixtures of the shared infrastructure tests: the toy service on both topologies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from cap_shared.db.session import Database
from cap_shared.messaging import Broker
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.testing import toy
from cap_shared.testing.fixtures import cleanup_rabbit, unique_namespace
from cap_shared.testing.services import RABBITMQ_URL


@dataclass
class Stack:
    """A toy service's database and broker, as one topology runs them."""

    name: str
    db: Database
    broker: Broker


@pytest.fixture(params=["postgresql+rabbitmq", "sqlite+memory"])
async def stack(
    request: pytest.FixtureRequest, make_database: Callable[..., Any]
) -> AsyncIterator[Stack]:
    """The toy service on PostgreSQL + RabbitMQ (distributed) and on SQLite + memory (standalone)."""
    kind, broker_kind = request.param.split("+")
    db = await make_database(kind, "toy", None, toy.metadata)
    if broker_kind == "rabbitmq":
        broker: Broker = RabbitBroker(RABBITMQ_URL, namespace=unique_namespace())
    else:
        broker = MemoryBroker(namespace=unique_namespace())
    await broker.start()
    yield Stack(request.param, db, broker)
    if isinstance(broker, RabbitBroker):
        await cleanup_rabbit(broker)
    else:
        await broker.close()
