"""AsyncAPI 3.0 document generated from the event registry (the event catalogue): who sends
each event (``send`` operations, from the registry) and, given the services' consumer
registrations, who receives it (``receive`` operations).

The published copy is ``docs/api/asyncapi.json``, written by the composition root
(``make contract``, :mod:`cap_standalone.contract`), which knows every service's handlers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cap_shared.contracts.envelope import Envelope
from cap_shared.contracts.registry import EVENT_INFO, EVENT_REGISTRY, load_all_contracts


def _ref_name(event_type: str) -> str:
    return event_type.replace(".", "_")


def build_asyncapi(
    *,
    exchange: str = "cap.events",
    version: str = "1.0.0",
    consumers: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, Any]:
    """The AsyncAPI description of every registered event on the platform's topic exchange;
    ``consumers``: service name -> the event types it handles (a ``receive`` operation each)."""
    load_all_contracts()
    receivers: dict[str, list[str]] = {}
    for service, event_types in sorted((consumers or {}).items()):
        for event_type in event_types:
            if event_type not in EVENT_REGISTRY:
                msg = f"{service} consumes {event_type!r}, which no contract registers"
                raise ValueError(msg)
            receivers.setdefault(event_type, []).append(service)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    envelope_schema = Envelope.model_json_schema()
    envelope_schema["properties"].pop("data", None)
    schemas["Envelope"] = envelope_schema
    for event_type in sorted(EVENT_REGISTRY):
        model = EVENT_REGISTRY[event_type]
        producer, summary = EVENT_INFO[event_type]
        name = _ref_name(event_type)
        payload_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for def_name, definition in payload_schema.pop("$defs", {}).items():
            schemas[def_name] = definition
        schemas[name] = payload_schema
        messages[name] = {
            "name": event_type,
            "title": model.__name__,
            "summary": summary,
            "contentType": "application/cloudevents+json",
            "correlationId": {"location": "$message.payload#/correlationid"},
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {
                        "type": "object",
                        "required": ["type", "data"],
                        "properties": {
                            "type": {"const": event_type},
                            "data": {"$ref": f"#/components/schemas/{name}"},
                        },
                    },
                ]
            },
            "x-producer": producer,
        }
        channels[name] = {
            "address": event_type,
            "description": f"Routing key {event_type} on the {exchange} topic exchange.",
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {
                        "name": exchange,
                        "type": "topic",
                        "durable": True,
                        "autoDelete": False,
                    },
                    "bindingVersion": "0.3.0",
                }
            },
        }
        operations[f"publish_{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{name}"},
            "summary": f"Published by {producer} through its transactional outbox.",
            "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": "0.3.0"}},
        }
        for service in receivers.get(event_type, []):
            operations[f"receive_{name}_by_{service}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{name}"},
                "summary": f"Consumed by {service} from its own durable queue: at least once, "
                "deduplicated by event id in its inbox, retried then dead-lettered on failure.",
                "x-consumer": service,
                "bindings": {"amqp": {"ack": True, "bindingVersion": "0.3.0"}},
            }
        messages[name]["x-consumers"] = receivers.get(event_type, [])
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "CAP platform events",
            "version": version,
            "description": (
                "Domain events exchanged by the CAP platform's services. Every message is a "
                "CloudEvents 1.0 structured JSON envelope; the routing key is the event type."
            ),
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {
            "rabbitmq": {"host": "rabbitmq:5672", "protocol": "amqp", "protocolVersion": "0.9.1"}
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render(consumers: Mapping[str, Iterable[str]] | None = None) -> str:
    """The AsyncAPI document as stable, indented JSON (what docs/api/asyncapi.json holds)."""
    import json

    document = build_asyncapi(consumers=consumers)
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
