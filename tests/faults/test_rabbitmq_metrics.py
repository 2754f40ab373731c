"""RabbitMQ's own metrics the alert rules and dashboards query exist as they are written: a
throwaway node with RabbitMQ's Prometheus exporter (``rabbitmq_prometheus``, on in the official
image compose and Kubernetes run), scraped as ``deploy/prometheus/prometheus.yml`` scrapes it
(its path and metric families), has every ``rabbitmq_*`` series the rules and the dashboards
name, with the labels they use and the figures of a queue whose state is known."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aio_pika
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from cap_shared.testing.rabbit_node import RabbitNode

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy/prometheus/prometheus.yml"
RULES = sorted((ROOT / "deploy/prometheus/rules").glob("*.yml"))
DASHBOARDS = sorted((ROOT / "deploy/grafana/dashboards").glob("*.json"))
RABBITMQ_SERIES = re.compile(r"\brabbitmq_[a-z_]+")


def _queried() -> set[str]:
    """Every rabbitmq_* series an alert rule or a dashboard panel queries."""
    texts = [
        rule["expr"]
        for path in RULES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]
    texts += [
        target["expr"]
        for path in DASHBOARDS
        for panel in json.loads(path.read_text())["panels"]
        for target in panel.get("targets", [])
        if "expr" in target
    ]
    return {name for text in texts for name in RABBITMQ_SERIES.findall(text)}


@pytest.fixture(scope="module")
def node() -> Iterator[RabbitNode]:
    """A node of its own with the exporter on (never the machine's broker on 5672)."""
    node = RabbitNode(prometheus=True)
    try:
        node.start()
        yield node
    finally:
        node.remove()


def _scrape(node: RabbitNode) -> dict[str, list[tuple[dict[str, str], float]]]:
    (job,) = [
        job
        for job in yaml.safe_load(PROMETHEUS.read_text())["scrape_configs"]
        if job["job_name"] == "rabbitmq"
    ]
    query = urllib.parse.urlencode(job.get("params", {}), doseq=True)
    url = f"{node.metrics_url}{job.get('metrics_path', '/metrics')}?{query}"
    with urllib.request.urlopen(url, timeout=30) as answer:
        text = answer.read().decode()
    series: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            series.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return series


async def _keep_unacked(_message: aio_pika.abc.AbstractIncomingMessage) -> None:
    return None


async def test_the_series_the_rules_and_dashboards_query_are_what_rabbitmq_exports(
    node: RabbitNode,
) -> None:
    queried = _queried()
    assert {
        "rabbitmq_detailed_queue_messages_ready",
        "rabbitmq_detailed_queue_consumers",
    } <= queried  # CapQueueBacklog; the event pipeline's dashboard
    connection = await aio_pika.connect_robust(node.url)
    try:
        channel = await connection.channel()
        quorum = {"x-queue-type": "quorum"}
        await channel.declare_queue("cap.audit", durable=True, arguments=quorum)
        await channel.declare_queue("cap.audit.dlq", durable=True, arguments=quorum)
        for key, count in (("cap.audit", 7), ("cap.audit.dlq", 3)):
            for _ in range(count):
                await channel.default_exchange.publish(aio_pika.Message(b"{}"), routing_key=key)
        consumer = await connection.channel()
        await consumer.set_qos(prefetch_count=2)  # two unacked: five ready
        queue = await consumer.get_queue("cap.audit")
        await queue.consume(_keep_unacked, no_ack=False)

        def figures() -> dict[tuple[str, str], float]:
            found = _scrape(node)
            return {
                (name, labels.get("queue", "")): value
                for name in queried
                for labels, value in found.get(name, [])
            }

        expected = {
            ("rabbitmq_detailed_queue_messages_ready", "cap.audit"): 5.0,
            ("rabbitmq_detailed_queue_messages_ready", "cap.audit.dlq"): 3.0,
            ("rabbitmq_detailed_queue_consumers", "cap.audit"): 1.0,
            ("rabbitmq_detailed_queue_consumers", "cap.audit.dlq"): 0.0,
        }
        # The exporter reads the queues' figures as the node refreshes them (every few seconds).
        seen: dict[tuple[str, str], float] = {}
        for _ in range(120):
            seen = await asyncio.to_thread(figures)
            if all(seen.get(k) == v for k, v in expected.items()):
                break
            await asyncio.sleep(0.5)
        assert {k: seen.get(k) for k in expected} == expected
        scraped = _scrape(node)
        for name in queried:
            assert scraped.get(name), f"{name}: not exported by {PROMETHEUS.name}'s scrape"
            for labels, _value in scraped[name]:
                assert set(labels) == {"vhost", "queue"}, (name, labels)
    finally:
        await connection.close()
