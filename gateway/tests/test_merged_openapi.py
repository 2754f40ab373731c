"""The merged API description declares what the edge answers, on top of each operation's own
errors: 429 everywhere, 413 where there is a body, and 401/502/503/504 where the gateway
forwards to a service; all of them problem+json with the one ``Problem`` schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from cap_shared.problems import PROBLEM_JSON
from cap_standalone.platform import Platform, StandaloneSettings

PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


async def merged_document() -> dict[str, Any]:
    platform = Platform(StandaloneSettings(data_dir=Path("/nonexistent")))
    platform.build()  # no I/O: the documents come from the apps
    assert platform.gateway is not None
    transport = httpx.ASGITransport(app=platform.gateway)
    async with httpx.AsyncClient(transport=transport, base_url="http://cap.test") as client:
        document: dict[str, Any] = (await client.get("/v1/openapi.json")).json()
    await platform.gateway.state.upstreams.aclose()
    return document


async def test_the_merged_document_declares_the_edge_errors() -> None:
    document = await merged_document()
    operations = {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert len(operations) > 150
    for (method, path), operation in operations.items():
        responses = operation["responses"]
        assert "429" in responses, (method, path)
        if "requestBody" in operation:
            assert "413" in responses, (method, path)
        for code, response in responses.items():
            if code[0] in "45" and path != "/v1/auth/authorize":
                assert response["content"] == PROBLEM, (method, path, code)
    forwarded = operations[("get", "/v1/diagnostics/{diagnostic_id}")]["responses"]
    assert {"401", "403", "404", "422", "502", "503", "504"} <= set(forwarded)
    own = operations[("post", "/v1/auth/token")]["responses"]
    assert "502" not in own
    assert own["429"]["description"] == "Too many sign-in attempts (see Retry-After)"
    # One Problem schema for every part: no per-service copy, no FastAPI validation schema.
    schemas = document["components"]["schemas"]
    assert [name for name in schemas if name.endswith("Problem")] == ["Problem"]
    assert "HTTPValidationError" not in schemas


def test_webhooks_are_merged_and_follow_renamed_schemas() -> None:
    """A service's outbound calls land in ``webhooks``; a schema renamed because another
    service has a different one of that name gets its new name as title too, and every
    reference to it follows (paths and webhooks alike)."""
    from cap_gateway.openapi import merge

    def service(schema: dict[str, Any], webhooks: dict[str, Any] | None = None) -> dict[str, Any]:
        ref = {"$ref": "#/components/schemas/Thing"}
        return {
            "paths": {
                "/v1/things": {
                    "get": {
                        "responses": {"200": {"content": {"application/json": {"schema": ref}}}}
                    }
                }
            },
            "webhooks": webhooks or {},
            "components": {"schemas": {"Thing": schema}},
        }

    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}
    hook = {"thing.changed.v1": {"post": {"requestBody": body, "responses": {"200": {}}}}}
    merged = merge(
        {"paths": {}},
        {
            "audit": service({"title": "Thing", "type": "string"}),
            "notifications": service({"title": "Thing", "type": "integer"}, hook),
        },
    )
    schemas = merged["components"]["schemas"]
    assert schemas["Thing"] == {"title": "Thing", "type": "string"}
    assert schemas["NotificationsThing"] == {"title": "NotificationsThing", "type": "integer"}
    sent = merged["webhooks"]["thing.changed.v1"]["post"]["requestBody"]["content"]
    assert sent["application/json"]["schema"] == {"$ref": "#/components/schemas/NotificationsThing"}
    assert merged["servers"] == [{"url": "/", "description": "The platform's public base URL"}]
    assert "webhooks" not in merge({"paths": {}}, {"audit": service({"type": "string"})})


#: The writes with concurrent editors: If-Match required (428 without it).
REQUIRED_IF_MATCH = {
    ("patch", "/v1/actions/{action_id}"),
    ("post", "/v1/actions/{action_id}/transitions"),
    ("post", "/v1/progress-plans/{plan_id}/actions"),
    ("put", "/v1/audits/{audit_id}/plan"),
    ("post", "/v1/decisions/{decision_id}/decide"),
    ("post", "/v1/decisions/{decision_id}/appeal/decision"),
}


async def test_the_merged_document_declares_conditional_requests() -> None:
    """Every PATCH/PUT takes If-Match and answers 412 (428 and a required header where
    concurrent editors are expected) and the new ETag; every JSON GET answers ETag and 304."""
    document = await merged_document()
    operations = {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }

    def header(operation: dict[str, Any], name: str) -> dict[str, Any] | None:
        return next(
            (
                p
                for p in operation.get("parameters", [])
                if p["in"] == "header" and p["name"].lower() == name
            ),
            None,
        )

    # Operator routes (/v1/ops/...: the development clock) are tools, not resources to edit.
    writes = [key for key in operations if key[0] in ("patch", "put") and "/ops/" not in key[1]]
    assert len(writes) >= 15
    for key in [*writes, *REQUIRED_IF_MATCH]:
        operation = operations[key]
        if_match = header(operation, "if-match")
        assert if_match is not None, key
        assert if_match["required"] is (key in REQUIRED_IF_MATCH), key
        assert "412" in operation["responses"], key
        assert ("428" in operation["responses"]) is (key in REQUIRED_IF_MATCH), key
        success = next(c for c in operation["responses"] if c.startswith("2"))
        assert "ETag" in operation["responses"][success].get("headers", {}), key
    gets = [
        key
        for key, operation in operations.items()
        if key[0] == "get"
        and "application/json" in operation["responses"].get("200", {}).get("content", {})
    ]
    assert len(gets) > 50
    for key in gets:
        responses = operations[key]["responses"]
        assert header(operations[key], "if-none-match") is not None, key
        assert "ETag" in responses["200"]["headers"], key
        assert "ETag" in responses["304"]["headers"], key
