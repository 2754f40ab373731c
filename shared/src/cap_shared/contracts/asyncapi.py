"""AsyncAPI 3.0 document generated from the event registry (the event catalogue)."""

from __future__ import annotations

from typing import Any

from cap_shared.contracts.envelope import Envelope
from cap_shared.contracts.registry import EVENT_INFO, EVENT_REGISTRY, load_all_contracts


def _ref_name(event_type: str) -> str:
    return event_type.replace(".", "_")


def build_asyncapi(*, exchange: str = "cap.events", version: str = "1.0.0") -> dict[str, Any]:
    """The AsyncAPI description of every registered event on the platform's topic exchange."""
    load_all_contracts()
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


def render() -> str:
    """The AsyncAPI document as stable, indented JSON (what docs/events/asyncapi.json holds)."""
    import json

    return json.dumps(build_asyncapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    import sys
    from pathlib import Path

    if len(sys.argv) > 1:
        Path(sys.argv[1]).parent.mkdir(parents=True, exist_ok=True)
        Path(sys.argv[1]).write_text(render(), encoding="utf-8")
    else:
        sys.stdout.write(render())
