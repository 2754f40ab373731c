"""A RabbitMQ cluster's nodes in one broker setting, and a connection that fails over between them.

aio-pika's ``connect_robust`` takes one address and reconnects to it alone. Here a setting lists
every node (``amqp://a:5672/,amqp://b:5672/``): :func:`connect_nodes` connects to the first node
that answers, and its connection (:class:`FailoverConnection`) sends each later connection
attempt to the next node in turn, so a dead node costs one ``reconnect_interval`` before a live
one is tried. aio-pika then restores channels, queues and consumers on the new node.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Sequence
from typing import Any

import aio_pika
from aio_pika.abc import AbstractRobustConnection
from yarl import URL

logger = logging.getLogger(__name__)


def broker_addresses(url: str | Sequence[str]) -> list[str]:
    """The AMQP URLs of a broker setting: one URL, or a cluster's URLs separated by commas
    (a comma counts as a separator only before another ``amqp://`` or ``amqps://``, so a
    password may contain one)."""
    urls = [url] if isinstance(url, str) else list(url)
    found = [
        part.strip()
        for item in urls
        for part in re.split(r",\s*(?=amqps?://)", item.strip())
        if part.strip()
    ]
    if not found:
        raise ValueError("no AMQP URL given")
    return found


class FailoverConnection(aio_pika.RobustConnection):
    """A robust connection that tries a cluster's addresses in turn, one per connection attempt.

    Query parameters (heartbeat...) are read from the first URL.
    """

    def __init__(self, url: URL, *, addresses: Sequence[URL], **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self._addresses = list(addresses) or [url]
        self._next = 0

    async def _RobustConnection__connect_transport(self) -> None:
        # aio-pika's one connection attempt (RobustConnection.__connect_transport, name-mangled):
        # point it at the next address first. shared/tests/messaging/test_rabbitmq.py's
        # TestClusterAddresses proves the failover on the pinned aio-pika.
        self.url = self._addresses[self._next % len(self._addresses)]
        self._next += 1
        await super()._RobustConnection__connect_transport()  # type: ignore[misc]


async def connect_nodes(
    urls: Sequence[str],
    *,
    connect_timeout: float,
    reconnect_interval: float,
    errors: tuple[type[BaseException], ...],
) -> AbstractRobustConnection:
    """A robust connection to the one node of ``urls`` (aio-pika's own), or to the first of
    several that answers (each within ``connect_timeout``), whose reconnections then go to the
    next addresses in turn, that one last.

    Raises the last node's error (one of ``errors`` or ``TimeoutError``) when none answers.
    """
    if len(urls) == 1:
        return await asyncio.wait_for(
            aio_pika.connect_robust(
                urls[0], timeout=connect_timeout, reconnect_interval=reconnect_interval
            ),
            timeout=connect_timeout + 1,
        )
    caught: tuple[type[BaseException], ...] = (*errors, TimeoutError)
    last: BaseException | None = None
    for start in range(len(urls)):
        order = [URL(u) for u in [*urls[start:], *urls[:start]]]
        connection = FailoverConnection(
            order[0], addresses=order, reconnect_interval=reconnect_interval
        )
        try:
            await asyncio.wait_for(
                connection.connect(timeout=connect_timeout), timeout=connect_timeout + 1
            )
        except caught as exc:
            last = exc
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=3.0)
            logger.warning("RabbitMQ node %s:%s unreachable: %s", order[0].host, order[0].port, exc)
            continue
        return connection
    if last is None:
        raise ValueError("no AMQP URL given")
    raise last
