"""RabbitMQ specifics: persistence and queue types (M4), bounded publishes when the broker is
away or hangs (M10), reconnection, failover between a cluster's addresses, and a consumer
process killed before its ack (M5)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

import aio_pika
import pytest
from sqlalchemy.engine import make_url

from cap_shared.messaging import BrokerUnavailable, PublishFailed, QueueSpec, broker_from_url
from cap_shared.messaging.rabbitmq import RabbitBroker, broker_addresses
from cap_shared.outbox import OutboxRelay
from cap_shared.testing import toy
from cap_shared.testing.crashing_consumer import EXIT_CODE
from cap_shared.testing.fixtures import cleanup_rabbit, unique_namespace
from cap_shared.testing.messaging import Recorder, message, spec, wait_until
from cap_shared.testing.services import RABBITMQ_URL
from cap_shared.testing.tcpproxy import TCPProxy


async def proxied_broker(namespace: str) -> tuple[RabbitBroker, TCPProxy]:
    target = make_url(RABBITMQ_URL.replace("amqp://", "postgresql://"))
    proxy = TCPProxy(target.host or "127.0.0.1", target.port or 5672)
    await proxy.start()
    url = RABBITMQ_URL.replace(f"{target.host}:{target.port or 5672}", f"127.0.0.1:{proxy.port}")
    broker = RabbitBroker(url, namespace=namespace, reconnect_interval=0.3)
    await broker.start()
    return broker, proxy


def list_queues(namespace: str) -> dict[str, dict]:
    out = subprocess.run(
        [
            "rabbitmqctl",
            "list_queues",
            "name",
            "durable",
            "type",
            "arguments",
            "--formatter",
            "json",
            "-q",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    queues = {q["name"]: q for q in json.loads(out) if q["name"].startswith(namespace + ".")}
    for q in queues.values():  # rabbitmqctl renders arguments as [key, type, value]
        if isinstance(q["arguments"], list):
            q["arguments"] = {item[0]: item[-1] for item in q["arguments"]}
    return queues


class TestDurability:
    async def test_published_and_republished_messages_are_persistent(
        self, rabbit_broker: RabbitBroker
    ) -> None:
        """M4: events, delayed retries and dead letters all travel with delivery_mode=2."""
        queue = spec(retry_delays=(0.05,))
        recorder = Recorder(fail=lambda _d: ValueError("boom"))
        await rabbit_broker.consume(queue, recorder)
        await rabbit_broker.publish(message())
        await wait_until(lambda: len(recorder.deliveries) == 2)

        connection = await aio_pika.connect(RABBITMQ_URL)
        try:
            channel = await connection.channel()
            dlq = await channel.get_queue(rabbit_broker.dead_letter_queue_name(queue))
            raw = None
            for _ in range(200):
                raw = await dlq.get(fail=False)
                if raw:
                    break
                await asyncio.sleep(0.02)
            assert raw is not None
            assert raw.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
            assert raw.headers["x-cap-attempt"] == 2  # it went through the delay queue
            await raw.ack()
        finally:
            await connection.close()

    async def test_every_declared_queue_is_a_durable_quorum_queue_with_explicit_limits(
        self, rabbit_broker: RabbitBroker
    ) -> None:
        """M4: quorum + durable; the consumer queue sets delivery limit and at-least-once DLX."""
        queue = spec(delivery_limit=7, retry_delays=(1.0, 10.0))
        await rabbit_broker.declare_queue(queue)
        queues = await asyncio.to_thread(list_queues, rabbit_broker.namespace)
        main = rabbit_broker.queue_name(queue)
        assert set(queues) == {main, f"{main}.dlq", f"{main}.retry.1000", f"{main}.retry.10000"}
        assert all(q["durable"] and q["type"] == "quorum" for q in queues.values())
        args = queues[main]["arguments"]
        assert args["x-delivery-limit"] == 7
        assert args["x-dead-letter-exchange"] == rabbit_broker.dead_letter_exchange_name
        assert args["x-dead-letter-strategy"] == "at-least-once"
        assert queues[f"{main}.retry.1000"]["arguments"]["x-message-ttl"] == 1000


class TestOutages:
    async def test_unreachable_broker_fails_fast_at_start(self) -> None:
        broker = RabbitBroker(
            "amqp://guest:guest@127.0.0.1:9/", namespace=unique_namespace(), connect_timeout=2
        )
        started = time.monotonic()
        with pytest.raises(BrokerUnavailable):
            await broker.start()
        assert time.monotonic() - started < 5

    @pytest.mark.parametrize("fault", ["down", "hanging"])
    async def test_publish_is_bounded_and_the_event_stays_in_the_outbox(
        self, rabbit_broker, make_database, fault
    ) -> None:
        """M10: broker down or hanging -> publish raises within the timeout; the row stays pending."""
        await rabbit_broker.declare_queue(QueueSpec(name="toy", bindings=(toy.TOY_EVENT,)))
        publisher, proxy = await proxied_broker(rabbit_broker.namespace)
        db = await make_database("postgresql", "toy", None, toy.metadata)
        try:
            await toy.write_thing(db, 1)
            if fault == "down":
                await proxy.pause()
            else:
                proxy.stall()
            relay = OutboxRelay(
                db=db, broker=publisher, table=toy.tables.outbox, service="toy", publish_timeout=2.0
            )
            started = time.monotonic()
            with pytest.raises((BrokerUnavailable, PublishFailed)):
                await relay.publish_pending()
            assert time.monotonic() - started <= 10
            assert await toy.pending_outbox(db) == 1
        finally:
            await publisher.close()
            await proxy.close()

    async def test_consumer_resumes_after_the_connection_is_cut(
        self, rabbit_broker: RabbitBroker
    ) -> None:
        """The robust connection restores channel, queue and consumer after a TCP loss."""
        consumer_broker, proxy = await proxied_broker(rabbit_broker.namespace)
        recorder = Recorder()
        try:
            await consumer_broker.consume(spec(), recorder)
            await rabbit_broker.publish(message(n=1))
            await wait_until(lambda: len(recorder.deliveries) == 1)
            for round_ in range(3):
                proxy.disconnect_all()
                await asyncio.sleep(0.5)
                await rabbit_broker.publish(message(n=round_))
                await wait_until(lambda r=round_: len(recorder.deliveries) >= r + 2, timeout=30)
        finally:
            await cleanup_rabbit(consumer_broker)
            await proxy.close()


class TestProcessKill:
    async def test_consumer_killed_after_commit_before_ack(
        self, rabbit_broker: RabbitBroker, make_database
    ) -> None:
        """M5: the process dies after its commit; the redelivery (redelivered=True) has no effect."""
        db = await make_database("postgresql", "toy", None, toy.metadata)
        queue = QueueSpec(name="toy", bindings=(toy.TOY_EVENT,), delivery_limit=5)
        await rabbit_broker.declare_queue(queue)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "cap_shared.testing.crashing_consumer",
            db.url.render_as_string(hide_password=False),
            RABBITMQ_URL,
            rabbit_broker.namespace,
            "toy",
            stdout=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None
        assert (await asyncio.wait_for(proc.stdout.readline(), 30)).strip() == b"ready"
        event = await toy.write_thing(db, 5)
        await OutboxRelay(
            db=db, broker=rabbit_broker, table=toy.tables.outbox, service="toy"
        ).publish_pending()

        assert await asyncio.wait_for(proc.wait(), 30) == EXIT_CODE
        assert await toy.effects_by_event(db) == {event.id: 1}  # committed before dying

        recorder = Recorder()
        await rabbit_broker.consume(
            queue, _Both(recorder, toy.toy_consumer(db, toy.EffectCounter()))
        )
        await wait_until(lambda: len(recorder.deliveries) == 1, timeout=15)
        assert recorder.deliveries[0].redelivered is True
        assert recorder.deliveries[0].message_id == event.id
        await asyncio.sleep(0.2)
        assert await toy.effects_by_event(db) == {event.id: 1}


class _Both:
    def __init__(self, recorder: Recorder, consumer) -> None:
        self.recorder, self.consumer = recorder, consumer

    async def __call__(self, delivery) -> None:
        await self.recorder(delivery)
        await self.consumer(delivery)


class TestClusterAddresses:
    """A cluster's nodes in one setting: the broker connects to the first that answers and
    reconnects to the next in turn (the M13 fault test kills a real node; these run on the
    shared server behind proxies)."""

    def test_a_setting_with_several_urls_gives_every_node(self) -> None:
        assert broker_addresses("amqp://u:p@a:5672/") == ["amqp://u:p@a:5672/"]
        assert broker_addresses("amqp://u:p@a:5672/, amqps://u:p@b:5671/v,amqp://c/") == [
            "amqp://u:p@a:5672/",
            "amqps://u:p@b:5671/v",
            "amqp://c/",
        ]
        # A comma is a separator only before another URL: passwords may hold one.
        assert broker_addresses("amqp://u:p,w@a/") == ["amqp://u:p,w@a/"]
        assert broker_addresses(["amqp://a/", "amqp://b/"]) == ["amqp://a/", "amqp://b/"]
        with pytest.raises(ValueError, match="no AMQP URL"):
            broker_addresses(" ")
        assert broker_from_url("amqp://a/,amqp://b/").urls == ["amqp://a/", "amqp://b/"]  # type: ignore[attr-defined]

    async def test_start_skips_a_dead_node(self, rabbit_broker: RabbitBroker) -> None:
        dead = "amqp://guest:guest@127.0.0.1:9/"
        broker = RabbitBroker(
            f"{dead},{RABBITMQ_URL}", namespace=rabbit_broker.namespace, connect_timeout=2
        )
        started = time.monotonic()
        await broker.start()
        try:
            assert time.monotonic() - started < 6
            await broker.declare_queue(spec())
            await broker.publish(message())
        finally:
            await broker.close()

    async def test_every_node_dead_fails_fast(self) -> None:
        urls = "amqp://guest:guest@127.0.0.1:9/,amqp://guest:guest@127.0.0.1:7/"
        broker = RabbitBroker(urls, namespace=unique_namespace(), connect_timeout=2)
        started = time.monotonic()
        with pytest.raises(BrokerUnavailable):
            await broker.start()
        assert time.monotonic() - started < 8

    async def test_a_lost_node_fails_over_to_the_next_and_the_consumer_resumes(
        self, rabbit_broker: RabbitBroker
    ) -> None:
        target = make_url(RABBITMQ_URL.replace("amqp://", "postgresql://"))
        proxies = [TCPProxy(target.host or "127.0.0.1", target.port or 5672) for _ in range(2)]
        for proxy in proxies:
            await proxy.start()
        host = f"{target.host}:{target.port or 5672}"
        urls = ",".join(RABBITMQ_URL.replace(host, f"127.0.0.1:{p.port}") for p in proxies)
        consumer = RabbitBroker(urls, namespace=rabbit_broker.namespace, reconnect_interval=0.3)
        recorder = Recorder()
        try:
            await consumer.start()
            await consumer.consume(spec(), recorder)
            await rabbit_broker.publish(message(n=1))
            await wait_until(lambda: len(recorder.deliveries) == 1)
            assert consumer._connection is not None
            assert consumer._connection.url.port == proxies[0].port

            await proxies[0].pause()  # the first node dies: refused from now on
            # The failover first: a message published at once may still reach the consumer
            # over the first connection before the pause has cut it.
            await wait_until(
                lambda: (
                    consumer._connection is not None
                    and consumer._connection.url.port == proxies[1].port
                ),
                timeout=20,
            )
            await rabbit_broker.publish(message(n=2))
            await wait_until(lambda: len(recorder.deliveries) == 2, timeout=20)
            # Its publishing channel is back too (reopened just after the consuming one: a
            # publish in between is refused with BrokerUnavailable and retried, as the relay does).
            for _ in range(100):
                try:
                    await consumer.publish(message(n=3))
                    break
                except BrokerUnavailable:
                    await asyncio.sleep(0.1)
            await wait_until(lambda: len(recorder.deliveries) == 3, timeout=10)
        finally:
            await cleanup_rabbit(consumer)
            for proxy in proxies:
                await proxy.close()
