"""Subscribing while the robust connection is reconnecting (found by tests/faults M2: a worker
that subscribed just after the broker came back got aio-pika's ``RuntimeError("Connection was
not opened")``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy.engine import make_url

from cap_shared.messaging import BrokerUnavailable
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.testing.fixtures import cleanup_rabbit
from cap_shared.testing.messaging import Recorder, message, spec, wait_until
from cap_shared.testing.services import RABBITMQ_URL
from cap_shared.testing.tcpproxy import TCPProxy


@pytest.fixture
async def proxy() -> AsyncIterator[TCPProxy]:
    target = make_url(RABBITMQ_URL.replace("amqp://", "postgresql://"))
    tcp = TCPProxy(target.host or "127.0.0.1", target.port or 5672)
    await tcp.start()
    yield tcp
    await tcp.close()


def _through(proxy: TCPProxy, namespace: str, connect_timeout: float) -> RabbitBroker:
    target = make_url(RABBITMQ_URL.replace("amqp://", "postgresql://"))
    url = RABBITMQ_URL.replace(f"{target.host}:{target.port or 5672}", f"127.0.0.1:{proxy.port}")
    return RabbitBroker(
        url, namespace=namespace, reconnect_interval=0.2, connect_timeout=connect_timeout
    )


async def test_consume_waits_for_the_connection_coming_back(
    rabbit_broker: RabbitBroker, proxy: TCPProxy
) -> None:
    worker = _through(proxy, rabbit_broker.namespace, connect_timeout=5)
    await worker.start()
    recorder = Recorder()
    try:
        await worker.declare_queue(spec())
        await proxy.pause()  # the broker looks down: the robust connection starts reconnecting
        await asyncio.sleep(0.3)
        asyncio.get_running_loop().call_later(1.0, lambda: asyncio.ensure_future(proxy.resume()))
        await worker.consume(spec(), recorder)  # waits for the reconnection, then subscribes
        await rabbit_broker.publish(message())
        await wait_until(lambda: len(recorder.deliveries) == 1, timeout=15)
    finally:
        await cleanup_rabbit(worker)


async def test_consume_while_still_down_raises_broker_unavailable(
    rabbit_broker: RabbitBroker, proxy: TCPProxy
) -> None:
    worker = _through(proxy, rabbit_broker.namespace, connect_timeout=1)
    await worker.start()
    try:
        await worker.declare_queue(spec())
        await proxy.pause()
        await asyncio.sleep(0.3)
        with pytest.raises(BrokerUnavailable):
            await worker.consume(spec(), Recorder())
        with pytest.raises(BrokerUnavailable):
            await worker.queue_depth(worker.queue_name(spec()))
    finally:
        await proxy.resume()
        await cleanup_rabbit(worker)


async def test_consumers_count_zero_while_the_connection_is_down_then_one_again(
    rabbit_broker: RabbitBroker, proxy: TCPProxy
) -> None:
    """``cap_event_consumers``: 1 while subscribed, 0 while the connection is lost, 1 once
    aio-pika has restored the consumer, 0 after cancelling it."""
    worker = _through(proxy, rabbit_broker.namespace, connect_timeout=5)
    await worker.start()
    queue = spec(name=f"gauge{uuid.uuid4().hex[:6]}")

    def consumers() -> float | None:
        return REGISTRY.get_sample_value("cap_event_consumers", {"queue": queue.name})

    try:
        handle = await worker.consume(queue, Recorder())
        assert consumers() == 1
        await proxy.pause()
        await wait_until(lambda: consumers() == 0, timeout=15)
        await proxy.resume()
        await wait_until(lambda: consumers() == 1, timeout=15)
        await handle.cancel()
        assert consumers() == 0
    finally:
        await cleanup_rabbit(worker)
