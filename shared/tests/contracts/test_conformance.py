"""The API's rules on small documents: each rule finds what breaks it, and a conforming
operation passes every rule."""

from __future__ import annotations

from typing import Any

from cap_shared.contracts.conformance import check

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
ERRORS = {"404": {"description": "unknown", "content": PROBLEM}}


def json_body(schema: dict[str, Any], headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "description": "ok",
        "content": {"application/json": {"schema": schema}},
        **({"headers": headers} if headers else {}),
    }


def header(name: str, *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": required, "schema": {"type": "string"}}


def query(name: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": {"type": "string"}}


PAGE = {
    "type": "object",
    "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
        "next_cursor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
}
THING = {"type": "object", "properties": {"id": {"type": "string"}}}


def document(paths: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "paths": paths,
        "components": {"schemas": {"Thing": THING, "Page": PAGE, "Problem": {"type": "object"}}},
    }


CONFORMING = {
    "/v1/things": {
        "get": {
            "parameters": [query("limit"), query("cursor")],
            "responses": {"200": json_body({"$ref": "#/components/schemas/Page"}), **ERRORS},
        },
        "post": {
            "parameters": [header("Idempotency-Key")],
            "responses": {"201": json_body({"$ref": "#/components/schemas/Thing"}), **ERRORS},
        },
    },
    "/v1/things/{id}": {
        "get": {
            "responses": {
                "200": json_body(
                    {"$ref": "#/components/schemas/Thing"}, {"ETag": {"schema": {"type": "string"}}}
                ),
                **ERRORS,
            }
        },
        "patch": {
            "parameters": [header("If-Match")],
            "responses": {"200": json_body({"$ref": "#/components/schemas/Thing"}), **ERRORS},
        },
    },
    "/v1/actions/{action_id}": {
        "put": {
            "parameters": [header("If-Match", required=True)],
            "responses": {"204": {"description": "done"}, **ERRORS},
        }
    },
    "/v1/auth/token": {"post": {"responses": {"200": json_body(THING), **ERRORS}}},
}


def test_a_conforming_document_breaks_no_rule() -> None:
    report = check(document(CONFORMING))
    assert report.violations == {}
    assert {name: rule.applies for name, rule in report.rules.items()} == {
        "typed-errors": 6,
        "typed-success": 5,
        "list-shape": 1,
        "idempotent-writes": 1,  # /v1/auth/token is exempt
        "conditional-writes": 2,
        "etag": 1,
    }
    assert dict(report.list_shapes) == {"{data,next_cursor}": 1}


def test_every_rule_names_what_breaks_it() -> None:
    paths = {
        "/v1/things": {
            "get": {  # a bare array, no paging
                "responses": {
                    "200": json_body({"type": "array", "items": THING}),
                    "404": {"description": "no schema"},
                }
            },
            "post": {"responses": {"201": json_body({})}},  # untyped, no error, no key
        },
        "/v1/things/{id}": {
            "get": {"responses": {"200": json_body(THING), **ERRORS}},
            "put": {"responses": {"200": json_body({"type": "object"}), **ERRORS}},
        },
        "/v1/actions/{action_id}": {
            "patch": {"parameters": [header("If-Match")], "responses": ERRORS},
        },
        "/v1/others": {
            "get": {
                "parameters": [query("offset")],
                "responses": {
                    "200": json_body(
                        {"type": "object", "properties": {"items": PAGE["properties"]["data"]}}
                    ),
                    **ERRORS,
                },
            }
        },
    }
    report = check(document(paths))
    assert report.violations == {
        "typed-errors": [
            "GET /v1/things: errors not problem+json: 404",
            "POST /v1/things: declares no error",
        ],
        "typed-success": [
            "POST /v1/things 201: untyped JSON body",
            "PUT /v1/things/{id} 200: untyped JSON body",
        ],
        "list-shape": [
            "GET /v1/others: not the one list shape: lacks a `data` array, `next_cursor`, "
            "`?limit=`, `?cursor=`",
            "GET /v1/things: not the one list shape: lacks a `data` array, `next_cursor`, "
            "`?limit=`, `?cursor=`",
        ],
        "idempotent-writes": ["POST /v1/things: no Idempotency-Key header"],
        "conditional-writes": [
            "PATCH /v1/actions/{action_id}: If-Match not required (428 expected without it)",
            "PUT /v1/things/{id}: no If-Match header",
        ],
        "etag": ["GET /v1/things/{id}: no ETag header"],
    }
    assert dict(report.list_shapes) == {"[...]": 1, "{items}": 1}
    assert "typed errors       4/6 operations" in report.counts()
    assert report.failures().startswith("typed-errors (2):\n  GET /v1/things")
