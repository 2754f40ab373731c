"""Issue 15 item 11 (labelling): ill-formed ids, control characters and integers past their
bounds are a 4xx problem+json naming the input, never a 500 (a NUL byte cannot even reach
PostgreSQL) — on every route of the service's API description."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from .conftest import Service, ok
from .test_decisions import granted_label

#: Path segments a fuzzer sends: NUL, a vertical tab, CR LF, a huge integer, a long id.
ODD_SEGMENTS = ["a%00b", "%00", "a%0bb", "a%0d%0ab", str(2**64), "x" * 37, "%C3%A9"]
HUGE = 2**63


def problem(response: Any) -> dict[str, Any]:
    """The 4xx problem+json of an answer (never a 5xx)."""
    assert response.status_code < 500, (response.request.url, response.text)
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return dict(response.json())


def operations(service: Service) -> list[tuple[str, str, dict[str, Any]]]:
    paths = service.client._transport.app.openapi()["paths"]  # type: ignore[attr-defined]
    return [
        (method.upper(), path, spec)
        for path, methods in paths.items()
        for method, spec in methods.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


@pytest.mark.parametrize("segment", ODD_SEGMENTS)
async def test_odd_path_segments_are_refused_on_every_route(service: Service, segment: str) -> None:
    for method, path, _spec in operations(service):
        if "{" not in path or path.startswith("/ops/"):
            continue  # the shared operator routes (cap_shared.ops): not this service's inputs
        target = re.sub(r"\{[^}]+\}", segment, path)
        for headers in (service.admin, service.committee()):
            response = await service.client.request(method, target, headers=headers, json={})
            if response.status_code < 300:
                continue  # a public route may answer a well-formed odd value
            assert response.status_code < 500, (method, target, response.text)
            assert response.json()["request_id"], (method, target)


async def test_control_characters_in_queries_are_refused_on_every_route(service: Service) -> None:
    for method, path, spec in operations(service):
        if "{" in path:
            continue
        if path.startswith("/ops/"):
            continue  # the shared operator routes (cap_shared.ops): not this service's inputs
        for parameter in spec.get("parameters", []):
            if parameter["in"] != "query":
                continue
            for value in ("a\x00b", str(HUGE), "-" + str(HUGE)):
                response = await service.client.request(
                    method, path, params={parameter["name"]: value}, headers=service.admin
                )
                assert response.status_code < 500, (method, path, parameter["name"], value)


async def test_control_characters_in_bodies_are_a_422_naming_the_field(service: Service) -> None:
    label = await granted_label(service)
    a = service.organisations["a"].id
    complaint = ok(
        await service.client.post(
            f"/v1/registry/recognitions/{label['number']}/complaints",
            json={"name": "Paul", "email": "paul@example.org", "message": "Signalement valable"},
        ),
        201,
    )
    (listed,) = ok(await service.client.get("/v1/complaints", headers=service.committee()))["data"]
    assert listed["reference"] == complaint["reference"]
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        (
            "POST",
            "/v1/applications",
            {
                "organisation_id": a,
                "scheme": "CAP_ISO9001",
                "certification_body_id": "sgs-tuv",
                "motivation": "a\x00b",
            },
            "body.motivation",
        ),
        (
            "POST",
            "/v1/applications",
            {"organisation_id": "a\x00b", "scheme": "CAP_RSE", "certification_body_id": "sgs"},
            "body.organisation_id",
        ),
        (
            "POST",
            "/v1/applications",
            {
                "organisation_id": a,
                "group_member_ids": ["\x00"],
                "scheme": "CAP_RSE",
                "certification_body_id": "sgs",
            },
            "body.group_member_ids.0",
        ),
        (
            "POST",
            f"/v1/registry/recognitions/{label['number']}/complaints",
            {"name": "Pa\x00ul", "email": "paul@example.org", "message": "Signalement valable"},
            "body.name",
        ),
        (
            "POST",
            f"/v1/registry/recognitions/{label['number']}/complaints",
            {"name": "Paul", "email": "paul@example.org", "message": "Signalement\x00 valable"},
            "body.message",
        ),
        (
            "POST",
            f"/v1/complaints/{listed['id']}/transitions",
            {"step": "dismiss", "resolution": "Sans\x00objet"},
            "body.resolution",
        ),
        (
            "POST",
            "/v1/committee-members/user-1/engagements",
            {"organisation_id": "a\x00b", "kind": "training"},
            "body.organisation_id",
        ),
    ]
    for method, path, body, field in cases:
        response = await service.client.request(method, path, json=body, headers=service.admin)
        assert response.status_code == 422, (path, field, response.text)
        assert field in {e["field"] for e in problem(response)["errors"]}, (path, response.text)
    for name, value in (("q", "ab\x00c"), ("level", "Confirm\x00"), ("limit", HUGE)):
        response = await service.client.get("/v1/registry/recognitions", params={name: value})
        assert response.status_code == 422, (name, response.text)
        assert f"query.{name}" in {e["field"] for e in problem(response)["errors"]}


async def test_a_level_rule_with_numbers_past_their_bounds_is_a_422(service: Service) -> None:
    exported = await service.client.get(
        "/v1/level-rules/CAP_RSE/versions/1?format=yaml", headers=service.admin
    )
    rule = yaml.safe_load(exported.text)
    rule["levels"][1]["core_subject_minimums"] = {"6.2": HUGE}
    response = await service.client.put(
        "/v1/level-rules/CAP_RSE/versions/1", json=rule, headers=service.admin
    )
    assert response.status_code == 422, response.text
    fields = {e["field"] for e in problem(response)["errors"]}
    assert any(f.startswith("body.levels.1.core_subject_minimums") for f in fields), fields
    rule["levels"][1]["core_subject_minimums"] = {}
    rule["core_subjects"] = [*rule["core_subjects"], "6.\x009"]
    response = await service.client.put(
        "/v1/level-rules/CAP_RSE/versions/1", json=rule, headers=service.admin
    )
    assert response.status_code == 422, response.text


async def test_an_import_file_name_with_control_characters_is_kept_printable(
    service: Service,
) -> None:
    content = (
        "numero;siret;dispositif;niveau;organisme;perimetre;date_decision;date_effet;"
        "date_expiration;statut\r\nX;1;CEDRE_ISO9001;;sgs;P;2024-01-01;2024-01-01;2027-01-01;"
        "actif\r\n"
    )
    # Written by hand: httpx would percent-encode the name; a client may send raw bytes.
    body = (
        b"--frontier\r\n"
        b'Content-Disposition: form-data; name="file"; filename="re\x00prise\x0b.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + content.encode() + b"\r\n--frontier--\r\n"
    )
    rejected = await service.client.post(
        "/v1/recognitions/imports",
        content=body,
        headers={**service.admin, "Content-Type": "multipart/form-data; boundary=frontier"},
    )
    assert rejected.status_code == 422, rejected.text  # its line is rejected, not a 500
    (run,) = ok(await service.client.get("/v1/recognitions/imports", headers=service.admin))["data"]
    assert run["filename"] == "reprise.csv"


async def test_nulls_for_every_field_of_every_body_are_refused(service: Service) -> None:
    """No PATCH here, but every JSON body: null where a value is required is a 422."""
    label = await granted_label(service)
    description = service.client._transport.app.openapi()  # type: ignore[attr-defined]
    schemas = description["components"]["schemas"]
    ids = {"recognition_id": label["id"], "number": label["number"], "decision_id": "x"}
    for method, path, spec in operations(service):
        content = spec.get("requestBody", {}).get("content", {})
        reference = content.get("application/json", {}).get("schema", {}).get("$ref")
        if reference is None or path.startswith("/ops/"):
            continue
        schema = schemas[reference.rsplit("/", 1)[-1]]
        nulls = dict.fromkeys(schema.get("properties", {}))
        target = re.sub(r"\{([^}]+)\}", lambda m: ids.get(m.group(1), "unknown"), path)
        response = await service.client.request(method, target, json=nulls, headers=service.admin)
        assert response.status_code in (404, 422), (method, path, response.text)
        problem(response)
