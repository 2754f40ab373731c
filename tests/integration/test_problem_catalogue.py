"""The catalogue of problem types (issue 16, item 1): derived from the code, published in the
merged API description, in ``docs/api/problems.md`` and at ``/problems/<code>``, and true of
what the platform answers.

``tests/security/test_fuzz.py`` holds every problem the fuzzer gets to the same contract
(its type in the catalogue, and named by its operation on its status).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cap_shared.openapi import untyped_answers
from cap_shared.problem_types import EXTENSION, problem_classes
from cap_shared.problems import PROBLEM_JSON, PROBLEM_TYPE_BASE
from cap_shared.testing.auth import bearer, sign_in
from cap_standalone.problems_doc import merged_document, problems_markdown
from cap_standalone.testing import Topology

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("cap_shared", "cap_gateway", "cap_diagnostic", "cap_audit", "cap_labelling")
PACKAGES += ("cap_notifications",)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return merged_document()


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: operation
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def _named(operation: dict[str, Any], status: int) -> set[str]:
    return set(operation["responses"].get(str(status), {}).get(EXTENSION, ()))


def test_every_problem_class_is_in_the_catalogue(document: dict[str, Any]) -> None:
    catalogue = document["components"][EXTENSION]
    classes = problem_classes(PACKAGES)
    assert len(classes) > 60  # every service's, the gateway's and the shared ones
    for error in classes:
        entry = catalogue.get(error.code)
        assert entry is not None, f"{error.__module__}.{error.__qualname__}: {error.code}"
        assert entry["type"] == PROBLEM_TYPE_BASE + error.code
        assert error.status in entry.get("statuses", [entry["status"]]), error
        assert entry["title"], entry
        assert entry["title_fr"], entry
        assert entry["description"], entry


def test_every_error_response_names_catalogued_codes_of_its_status(
    document: dict[str, Any],
) -> None:
    catalogue = document["components"][EXTENSION]
    unnamed, unknown, wrong_status = [], [], []
    for ident, operation in _operations(document).items():
        for status, response in operation["responses"].items():
            if status[0] not in "45" or PROBLEM_JSON not in response.get("content", {}):
                continue  # the sign-in page answers its errors as the page (text/html)
            codes = response.get(EXTENSION)
            if not codes:
                unnamed.append(f"{ident} {status}")
            for code in codes or ():
                entry = catalogue.get(code)
                if entry is None:
                    unknown.append(f"{ident} {status} {code}")
                elif int(status) not in entry.get("statuses", [entry["status"]]):
                    wrong_status.append(f"{ident} {status} {code}")
                elif ident not in entry["operations"]:
                    unknown.append(f"{ident} missing from {code}'s operations")
    assert (unnamed, unknown, wrong_status) == ([], [], [])


@pytest.mark.parametrize(
    ("operation", "status", "codes"),
    [
        # raised in the service layer, several calls below the route
        ("diagnostics-transition-diagnostic", 409, {"invalid-transition"}),
        ("diagnostics-transition-diagnostic", 422, {"diagnostic-incomplete"}),
        # a method of a class the route holds, and a module's function (``rules.X``)
        ("certifier-receive-webhook", 401, {"invalid-webhook-signature"}),
        ("certifier-receive-webhook", 400, {"malformed-webhook"}),
        ("certifier-receive-webhook", 422, {"auditor-not-qualified"}),
        # a classmethod building the problem (``ImportRejected.of``)
        ("recognitions-import-recognitions", 422, {"import-rejected"}),
        # a code built at run time (the token endpoint's OAuth errors)
        ("auth-issue-token", 400, {"invalid-grant", "unsupported-grant-type"}),
        ("auth-issue-token", 401, {"invalid-client"}),
        # the gateway's own service, shared helpers (pagination, ops, access checks)
        ("organisations-register-organisation", 409, {"siret-already-registered"}),
        ("diagnostics-list-diagnostics", 400, {"invalid-cursor"}),
        ("diagnostic-ops-set-clock", 403, {"clock-not-adjustable", "forbidden"}),
        ("diagnostics-list-diagnostics", 401, {"unauthorized"}),
        # the edge, on every forwarded operation
        ("diagnostics-list-diagnostics", 429, {"too-many-requests"}),
        ("diagnostics-list-diagnostics", 504, {"upstream-timeout"}),
    ],
)
def test_the_call_graph_finds_the_known_cases(
    document: dict[str, Any], operation: str, status: int, codes: set[str]
) -> None:
    assert codes <= _named(_operations(document)[operation], status)


def test_the_call_graph_does_not_take_every_method_of_a_name(document: dict[str, Any]) -> None:
    """A method called on an object of a known class is that class's (a token verifier's
    ``keys.get`` is not a dead-letter store's ``get``, which answers 404)."""
    assert "404" not in _operations(document)["auth-jwks"]["responses"]
    assert "404" not in _operations(document)["audit-ops-outbox-status"]["responses"]


def test_a_library_function_is_not_taken_for_a_method_of_ours(document: dict[str, Any]) -> None:
    """``sa.select(...)`` is SQLAlchemy's, not ``Keyset.select`` (which answers invalid-cursor):
    a route that pages nothing declares no invalid cursor, even when the inbox's claim, reached
    through the service's runtime, builds a ``sa.select``."""
    for operation in ("me-read-me", "auth-jwks", "registry-verify-by-code", "audits-get-audit"):
        assert "invalid-cursor" not in _named(_operations(document)[operation], 400), operation


def test_the_problem_catalogue_document_is_current() -> None:
    """``docs/api/problems.md`` is what ``make problems`` writes today."""
    committed = (ROOT / "docs" / "api" / "problems.md").read_text(encoding="utf-8")
    assert committed == problems_markdown(), "docs/api/problems.md is stale: run make problems"


async def test_problems_answered_are_in_the_catalogue(standalone: Topology) -> None:
    """A sample of real errors, each kind from another layer: their ``type`` is catalogued and
    named by their operation on their status."""
    client = standalone.client
    document = (await client.get("/v1/openapi.json")).json()
    catalogue = document["components"][EXTENSION]
    operations = _operations(document)
    admin = standalone.admin
    bad_token = bearer("not-a-token")
    sent = [
        ("diagnostics-list-diagnostics", "GET", "/v1/diagnostics", {}, {}),
        ("diagnostics-list-diagnostics", "GET", "/v1/diagnostics?cursor=zzz", admin, {}),
        ("diagnostics-list-diagnostics", "GET", "/v1/diagnostics?limit=100000", admin, {}),
        ("diagnostics-get-diagnostic", "GET", "/v1/diagnostics/unknown", admin, {}),
        ("organisations-list-organisations", "GET", "/v1/organisations", bad_token, {}),
        ("auth-issue-token", "POST", "/v1/auth/token", {}, {"data": {"grant_type": "magic"}}),
        (
            "auth-issue-token",
            "POST",
            "/v1/auth/token",
            {},
            {"data": {"grant_type": "password", "username": "x@y.fr", "password": "wrong"}},
        ),
        ("certifier-receive-webhook", "POST", "/v1/certifier/webhooks/sgs-tuv", {}, {}),
    ]
    answered = set()
    for ident, method, url, headers, kwargs in sent:
        answer = await client.request(method, url, headers=headers, **kwargs)
        assert answer.headers["content-type"].startswith("application/problem+json"), answer
        code = answer.json()["type"].removeprefix(PROBLEM_TYPE_BASE)
        assert code in catalogue, answer.text
        assert code in _named(operations[ident], answer.status_code), (ident, answer.text)
        answered.add(code)
    # Each of these came from another layer: access check, pagination, validation, service,
    # the OAuth token endpoint, a certification body's webhook.
    assert {"unauthorized", "invalid-cursor", "validation-error", "not-found"} <= answered
    assert {"unsupported-grant-type", "invalid-grant", "invalid-webhook-signature"} <= answered
    # Problems the framework answers by itself are catalogued too.
    unknown = await client.get("/v1/diagnostics", headers=admin, params={"cursor": "x"})
    assert unknown.json()["type"].removeprefix(PROBLEM_TYPE_BASE) in catalogue
    wrong_method = await client.delete("/v1/auth/token")
    assert wrong_method.json()["type"].removeprefix(PROBLEM_TYPE_BASE) in catalogue


async def test_a_problem_type_uri_dereferences_to_its_description(standalone: Topology) -> None:
    client = standalone.client
    listing = await client.get("/v1/problems", params={"limit": 200})
    assert listing.status_code == 200, listing.text
    codes = [entry["code"] for entry in listing.json()["data"]]
    assert codes == sorted(codes)
    # One list shape: a small page, then the next by its cursor, and nothing twice.
    first = (await client.get("/v1/problems", params={"limit": 10})).json()
    second = (
        await client.get("/v1/problems", params={"limit": 10, "cursor": first["next_cursor"]})
    ).json()
    assert [e["code"] for e in first["data"] + second["data"]] == codes[:20]
    assert "not-found" in codes
    assert "siret-already-registered" in codes
    refusal = await client.get("/v1/diagnostics")  # no token
    uri = refusal.json()["type"]
    path = "/" + uri.split("/", 3)[3]  # https://cap.coorace.org/problems/unauthorized
    for url in (path, "/v1" + path):
        answer = await client.get(url)
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "public, max-age=3600"
        described = answer.json()
        assert described["type"] == uri
        assert described["status"] == 401
        assert described["title_fr"] == "Authentification requise"
        assert "diagnostics-list-diagnostics" in described["operations"]
    missing = await client.get("/problems/no-such-problem")
    assert missing.status_code == 404
    assert missing.json()["type"] == PROBLEM_TYPE_BASE + "not-found"
    invalid = await client.get("/v1/problems/NOT%20A%20CODE")
    assert invalid.status_code == 422
    # Public: no token needed, and a token is not needed either for the list.
    signed_in = await client.get("/v1/problems", headers=await sign_in(client))
    assert signed_in.status_code == 200


def test_every_successful_answer_is_typed(document: dict[str, Any]) -> None:
    """No 2xx JSON answer of the merged description is ``{}``, ``Any`` or a bare object."""
    assert untyped_answers(document) == []


def test_the_untyped_check_finds_untyped_answers() -> None:
    def answering(schema: dict[str, Any]) -> dict[str, Any]:
        content = {"application/json": {"schema": schema}}
        return {
            "paths": {"/x": {"get": {"responses": {"200": {"content": content}}}}},
            "components": {"schemas": {"Loose": {"type": "object"}, "Tight": {"type": "string"}}},
        }

    for loose in (
        {},
        {"title": "Any"},
        {"type": "object", "additionalProperties": True},
        {"$ref": "#/components/schemas/Loose"},
        {"type": "array", "items": {}},
        {"anyOf": [{"type": "object"}, {"type": "null"}]},
    ):
        assert untyped_answers(answering(loose)) == ["GET /x 200 application/json"], loose
    for tight in (
        {"$ref": "#/components/schemas/Tight"},
        {"type": "object", "additionalProperties": {"type": "integer"}},
        {"type": "object", "properties": {"a": {}}},
        {"anyOf": [{"type": "string"}, {"type": "null"}]},
    ):
        assert untyped_answers(answering(tight)) == [], tight
