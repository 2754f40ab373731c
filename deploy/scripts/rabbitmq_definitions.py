"""Write the RabbitMQ definitions (exchanges, queues, bindings) the services' code declares.

The workers declare their own topology on start (``RabbitBroker.declare_queue``); importing the
same topology into the broker before any process starts makes every event routable from the
first publish, whichever process comes up first. The file must match the code exactly: a queue
declared with other arguments than the existing one is refused by RabbitMQ
(``PRECONDITION_FAILED - inequivalent arg``). ``tests/deploy/test_deploy_artefacts.py`` checks it.

The definitions hold no vhost, user or permission: the broker's default user (set from the
environment / a Secret) imports them through the management API after the broker started, see
deploy/README.md.

Usage (from the repository root)::

    uv run python deploy/scripts/rabbitmq_definitions.py          # rewrite both copies
    uv run python deploy/scripts/rabbitmq_definitions.py --check  # exit 1 if they are stale
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from cap_shared.messaging.rabbitmq import RabbitBroker

ROOT = Path(__file__).resolve().parents[2]
#: The file docker compose imports and its copy for kustomize (which cannot read outside its root).
TARGETS = (
    ROOT / "deploy/docker/rabbitmq/definitions.json",
    ROOT / "deploy/k8s/base/rabbitmq/definitions.json",
)
#: Services with a composition root; only those that consume events get a queue.
SERVICES = ("gateway", "diagnostic", "audit", "labelling", "notifications")
NAMESPACE = "cap"
VHOST = "/"


def _default_settings(service: str) -> Any:
    """The service's settings from code defaults only, whatever this shell's environment holds.

    The deploy manifests leave the consumer settings (delivery limit, retry delays) at their
    defaults; changing one there means regenerating this file (and re-creating the queues).
    """
    config = importlib.import_module(f"cap_{service}.config")
    return config.Settings.model_construct()


def build_definitions() -> dict[str, Any]:
    """The definitions document for every consuming service, from the services' own code."""
    broker = RabbitBroker("amqp://unused", namespace=NAMESPACE)
    exchanges = [
        {"name": broker.exchange_name, "type": "topic"},
        {"name": broker.dead_letter_exchange_name, "type": "direct"},
        {"name": broker.retry_exchange_name, "type": "direct"},
    ]
    queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []

    def bind(source: str, destination: str, key: str) -> None:
        bindings.append(
            {
                "source": source,
                "vhost": VHOST,
                "destination": destination,
                "destination_type": "queue",
                "routing_key": key,
                "arguments": {},
            }
        )

    def queue(name: str, arguments: dict[str, Any]) -> None:
        queues.append(
            {
                "name": name,
                "vhost": VHOST,
                "durable": True,
                "auto_delete": False,
                "arguments": arguments,
            }
        )

    for service in SERVICES:
        main = importlib.import_module(f"cap_{service}.main")
        runtime = main.build_runtime(_default_settings(service))
        if not runtime.consumes:
            continue
        spec = runtime.queue
        name = broker.queue_name(spec)
        queue(name, broker.main_queue_arguments(spec))
        for key in spec.bindings:
            bind(broker.exchange_name, name, key)
        dlq = broker.dead_letter_queue_name(spec)
        queue(dlq, {"x-queue-type": "quorum"})
        bind(broker.dead_letter_exchange_name, dlq, name)
        for delay in sorted(set(spec.retry_delays)):
            retry = broker.retry_queue_name(spec, delay)
            queue(retry, broker.retry_queue_arguments(spec, delay))
            bind(broker.retry_exchange_name, retry, retry)

    return {
        "exchanges": [
            {
                **x,
                "vhost": VHOST,
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            }
            for x in exchanges
        ],
        "queues": queues,
        "bindings": bindings,
    }


def render() -> str:
    """The definitions as written to disk."""
    return json.dumps(build_definitions(), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the definitions to every copy (or, with --check, say which copy is stale)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a copy differs instead of writing"
    )
    args = parser.parse_args(argv)
    text = render()
    stale = [path for path in TARGETS if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            sys.stderr.write(
                f"stale: {path.relative_to(ROOT)} (run deploy/scripts/rabbitmq_definitions.py)\n"
            )
        return 1 if stale else 0
    for path in TARGETS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        sys.stdout.write(f"wrote {path.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
