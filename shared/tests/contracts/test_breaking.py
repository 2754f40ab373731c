"""The breaking-change check on small documents: each kind of break is found, and what does not
break a client (new operations, optional inputs, new response fields, widened inputs) is not."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cap_shared.contracts.breaking import (
    Change,
    allowed,
    breaking_changes,
    latest_release,
    main,
    verdict,
)


def spec(version: str = "1.0.0") -> dict[str, Any]:
    item = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "status"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string", "enum": ["open", "closed"]},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
        },
    }
    create = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["a", "b"], "default": "a"},
            "size": {"type": "number"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": version},
        "paths": {
            "/v1/items": {
                "get": {
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["open", "closed"]},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Item"},
                                    }
                                }
                            },
                        }
                    },
                },
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Create"}}
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "created",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Item"}
                                }
                            },
                        },
                        "422": {"description": "invalid"},
                    },
                },
            },
            "/v1/items/{id}": {"delete": {"responses": {"204": {"description": "gone"}}}},
        },
        "components": {"schemas": {"Item": item, "Create": create}},
    }


def kinds(changes: list[Change]) -> list[tuple[str, str]]:
    return [(c.kind, c.where) for c in changes]


def test_the_same_document_has_no_breaking_change() -> None:
    assert breaking_changes(spec(), spec()) == []


def test_additions_and_widenings_do_not_break() -> None:
    new = spec()
    new["paths"]["/v1/other"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    get = new["paths"]["/v1/items"]["get"]
    get["parameters"].append({"name": "q", "in": "query", "schema": {"type": "string"}})
    get["parameters"][1]["schema"]["enum"].append("draft")  # a request enum widened
    get["responses"]["404"] = {"description": "new error status"}
    schemas = new["components"]["schemas"]
    schemas["Item"]["properties"]["extra"] = {"type": "string"}  # new response field
    schemas["Create"]["properties"]["label"] = {"type": "string"}  # new optional input
    schemas["Create"]["properties"]["size"] = {"type": ["number", "string"]}  # widened type
    assert breaking_changes(spec(), new) == []
    # A parameter is never JSON null: FastAPI's Optional rendering dropped is no change.
    old = spec()
    old["paths"]["/v1/items"]["get"]["parameters"][0]["schema"] = {
        "anyOf": [{"type": "integer"}, {"type": "null"}]
    }
    assert breaking_changes(old, spec()) == []


def test_a_removed_operation_and_a_removed_success_status() -> None:
    new = spec()
    del new["paths"]["/v1/items/{id}"]
    post = new["paths"]["/v1/items"]["post"]
    post["responses"]["200"] = post["responses"].pop("201")
    assert kinds(breaking_changes(spec(), new)) == [
        ("removed-operation", "DELETE /v1/items/{id}"),
        ("removed-response", "POST /v1/items 201"),
    ]


def test_removed_and_no_longer_required_response_fields_even_nested() -> None:
    new = spec()
    item = new["components"]["schemas"]["Item"]
    del item["properties"]["note"]
    item["required"] = ["id"]
    changes = kinds(breaking_changes(spec(), new))
    assert ("removed-response-field", "GET /v1/items 200[].note") in changes
    assert ("removed-response-field", "GET /v1/items 200[].status") in changes
    assert ("removed-response-field", "POST /v1/items 201.note") in changes
    # The recursive schema (children: Item) is compared once, without looping.
    assert all(change[0] == "removed-response-field" for change in changes)


def test_new_required_inputs_parameters_and_body_properties() -> None:
    new = spec()
    get = new["paths"]["/v1/items"]["get"]
    get["parameters"].append(
        {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"}}
    )
    get["parameters"][0]["required"] = True
    new["components"]["schemas"]["Create"]["required"] = ["name", "size"]
    assert kinds(breaking_changes(spec(), new)) == [
        ("new-required-input", "GET /v1/items header if-match"),
        ("new-required-input", "GET /v1/items query limit"),
        ("new-required-input", "POST /v1/items body.size"),
    ]


def test_a_body_required_where_none_was() -> None:
    old, new = spec(), spec()
    del old["paths"]["/v1/items"]["post"]["requestBody"]
    assert kinds(breaking_changes(old, new)) == [("new-required-input", "POST /v1/items body")]


def test_narrowed_enums_and_changed_types() -> None:
    new = spec()
    get = new["paths"]["/v1/items"]["get"]
    get["parameters"][1]["schema"]["enum"] = ["open"]
    create = new["components"]["schemas"]["Create"]["properties"]
    create["kind"]["enum"] = ["a"]
    create["size"] = {"type": "integer"}  # accepts fewer values than number
    item = new["components"]["schemas"]["Item"]["properties"]
    item["id"] = {"type": "integer"}  # a response value of another type
    item["status"] = {"anyOf": [{"type": "string", "enum": ["open", "closed"]}, {"type": "null"}]}
    changes = breaking_changes(spec(), new)
    found = kinds(changes)
    assert ("narrowed-enum", "GET /v1/items query status") in found
    assert ("narrowed-enum", "POST /v1/items body.kind") in found
    assert ("changed-type", "POST /v1/items body.size") in found
    assert ("changed-type", "GET /v1/items 200[].id") in found
    assert ("changed-type", "POST /v1/items 201.status") in found  # may now be null
    assert 'no longer accepts "b"' in str(next(c for c in changes if c.where.endswith(".kind")))


def test_a_field_removed_from_a_closed_request_schema_is_refused_now() -> None:
    new = spec()
    del new["components"]["schemas"]["Create"]["properties"]["size"]
    assert kinds(breaking_changes(spec(), new)) == [
        ("removed-request-field", "POST /v1/items body.size")
    ]


def test_the_version_rule() -> None:
    assert allowed("0.1.0", "1.0.0")
    assert allowed("1.4.2", "2.0.0")
    assert not allowed("1.4.2", "1.5.0")
    assert not allowed("1.0.0", "1.0.0")
    old, new = spec("1.2.0"), spec("1.3.0")
    del new["paths"]["/v1/items/{id}"]
    assert verdict(old, new)[0] is False
    new["info"]["version"] = "2.0.0"
    assert verdict(old, new)[0] is True
    assert verdict(spec("2.0.0"), spec("1.9.0")) == (False, [])  # never backwards
    with pytest.raises(ValueError, match="semantic version"):
        allowed("one", "2.0.0")


def test_the_command_releases_and_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    released, current = tmp_path / "released", tmp_path / "openapi.json"
    current.write_text(json.dumps(spec("1.0.0")))
    assert main(["--current", str(current), "--released", str(released)]) == 1  # none yet
    assert main(["--current", str(current), "--released", str(released), "--release"]) == 0
    assert latest_release(released) == released / "openapi-1.0.0.json"
    broken = copy.deepcopy(spec("1.1.0"))
    del broken["paths"]["/v1/items/{id}"]
    current.write_text(json.dumps(broken))
    capsys.readouterr()
    assert main(["--current", str(current), "--released", str(released)]) == 1
    out = capsys.readouterr().out
    assert "removed-operation: DELETE /v1/items/{id}: gone" in out
    assert "bump the major" in out
    broken["info"]["version"] = "2.0.0"
    current.write_text(json.dumps(broken))
    assert main(["--current", str(current), "--released", str(released)]) == 0
    assert main(["--current", str(current), "--released", str(released), "--release"]) == 0
    assert sorted(p.name for p in released.iterdir()) == ["openapi-2.0.0.json"]
