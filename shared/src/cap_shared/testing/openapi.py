"""Checks over an OpenAPI document that every service's tests (and the merged document's) share."""

from __future__ import annotations

from typing import Any


def unbounded_integers(document: dict[str, Any]) -> list[str]:
    """Every integer an operation takes (parameters, request bodies, through ``$ref``s, in
    properties, items and alternatives) without both a lower and an upper bound: an integer past
    64 bits must be a 422 from the schema, never reach the database (issue 15 item 6)."""
    schemas = document.get("components", {}).get("schemas", {})
    found: list[str] = []

    def walk(node: object, where: str, seen: frozenset[str]) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    walk(schemas[name], f"{where}->{name}", seen | {name})
                return
            if node.get("type") == "integer" and not (
                {"minimum", "exclusiveMinimum"} & node.keys()
                and {"maximum", "exclusiveMaximum"} & node.keys()
            ):
                found.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}", seen)
        elif isinstance(node, list):
            for value in node:
                walk(value, where, seen)

    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                walk(
                    parameter.get("schema", {}), f"{method} {path} {parameter['name']}", frozenset()
                )
            walk(operation.get("requestBody", {}), f"{method} {path} body", frozenset())
    return found
