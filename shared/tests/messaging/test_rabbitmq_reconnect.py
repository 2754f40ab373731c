"""Subscribing while the robust connection is reconnecting (found by tests/faults M2: a worker
that subscribed just after the broker came back got aio-pika's ``RuntimeError("Connection was
not opened")``)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from prometheus_client import REGISTRY

from cap_shared.messaging import BrokerUnavailable
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.testing.fixtures import cleanup_rabbit, rabbit_url_through
from cap_shared.testing.messaging import Recorder, message, spec, wait_until
from cap_shared.testing.tcpproxy import TCPProxy


def _through(proxy: TCPProxy, namespace: str, connect_timeout: float) -> RabbitBroker:
    url = rabbit_url_through(proxy)
    return RabbitBroker(
        url, namespace=namespace, reconnect_interval=0.2, connect_timeout=connect_timeout
    )


async def test_consume_waits_for_the_connection_coming_back(
    rabbit_broker: RabbitBroker, rabbit_proxy: TCPProxy
) -> None:
    worker = _through(rabbit_proxy, rabbit_broker.namespace, connect_timeout=5)
    await worker.start()
    recorder = Recorder()
    try:
        await worker.declare_queue(spec())
        await (
            rabbit_proxy.pause()
        )  # the broker looks down: the robust connection starts reconnecting
        await asyncio.sleep(0.3)
        asyncio.get_running_loop().call_later(
            1.0, lambda: asyncio.ensure_future(rabbit_proxy.resume())
        )
        await worker.consume(spec(), recorder)  # waits for the reconnection, then subscribes
        await rabbit_broker.publish(message())
        await wait_until(lambda: len(recorder.deliveries) == 1, timeout=15)
    finally:
        await cleanup_rabbit(worker)


async def test_consume_while_still_down_raises_broker_unavailable(
    rabbit_broker: RabbitBroker, rabbit_proxy: TCPProxy
) -> None:
    worker = _through(rabbit_proxy, rabbit_broker.namespace, connect_timeout=1)
    await worker.start()
    try:
        await worker.declare_queue(spec())
        await rabbit_proxy.pause()
        await asyncio.sleep(0.3)
        with pytest.raises(BrokerUnavailable):
            await worker.consume(spec(), Recorder())
        with pytest.raises(BrokerUnavailable):
            await worker.queue_depth(worker.queue_name(spec()))
    finally:
        await rabbit_proxy.resume()
        await cleanup_rabbit(worker)


async def test_consumers_count_zero_while_the_connection_is_down_then_one_again(
    rabbit_broker: RabbitBroker, rabbit_proxy: TCPProxy
) -> None:
    """``cap_event_consumers``: 1 while subscribed, 0 while the connection is lost, 1 once
    aio-pika has restored the consumer, 0 after cancelling it."""
    worker = _through(rabbit_proxy, rabbit_broker.namespace, connect_timeout=5)
    await worker.start()
    queue = spec(name=f"gauge{uuid.uuid4().hex[:6]}")

    def consumers() -> float | None:
        return REGISTRY.get_sample_value("cap_event_consumers", {"queue": queue.name})

    try:
        handle = await worker.consume(queue, Recorder())
        assert consumers() == 1
        await rabbit_proxy.pause()
        await wait_until(lambda: consumers() == 0, timeout=15)
        await rabbit_proxy.resume()
        await wait_until(lambda: consumers() == 1, timeout=15)
        await handle.cancel()
        assert consumers() == 0
    finally:
        await cleanup_rabbit(worker)
