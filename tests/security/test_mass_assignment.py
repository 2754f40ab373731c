"""S3 — mass assignment and excessive data exposure, over the whole merged API description:
every JSON body refuses unknown fields, fields a client must not set are refused for real, and
no response schema carries secrets or internal fields."""

from __future__ import annotations

from typing import Any

from cap_shared.testing.openapi import unbounded_integers
from cap_shared.testing.siret import make_siret
from cap_standalone.testing import Topology

#: Fields no client may set on any write (OWASP API3), and fields no answer may carry.
FORBIDDEN_INPUTS = ("tenant_id", "role", "status", "label_granted", "id")
INTERNAL_FIELDS = {"password_hash", "secret_hash", "token_hash", "private_key", "family_id"}


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
    ]


def property_names(document: dict[str, Any], schema: dict[str, Any], seen: set[str]) -> set[str]:
    names: set[str] = set()
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:
            return names
        seen.add(ref)
    schema = resolve(document, schema)
    for name, sub in schema.get("properties", {}).items():
        names.add(name)
        names |= property_names(document, sub, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            names |= property_names(document, schema[key], seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            names |= property_names(document, sub, seen)
    return names


async def test_every_json_body_refuses_unknown_fields_and_no_answer_exposes_internals(
    standalone: Topology,
) -> None:
    document = (await standalone.client.get("/v1/openapi.json")).json()
    open_bodies, exposed = [], []
    bodies = 0
    for method, path, operation in operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            bodies += 1
            schema = resolve(document, content["application/json"]["schema"])
            if schema.get("additionalProperties") is not False:
                open_bodies.append(f"{method} {path}")
        for response in operation.get("responses", {}).values():
            for media in response.get("content", {}).values():
                leaked = property_names(document, media.get("schema", {}), set()) & INTERNAL_FIELDS
                if leaked:
                    exposed.append(f"{method} {path}: {sorted(leaked)}")
    assert bodies >= 7  # the check ran over the real write operations
    assert open_bodies == []
    assert exposed == []


async def test_fields_a_client_must_not_set_are_refused(standalone: Topology) -> None:
    client, admin = standalone.client, standalone.admin
    organisation = {
        "siret": make_siret(71),
        "name": "Chantier d'insertion des Monts",
        "siae_types": ["ACI"],
        "region": "84",
    }
    for field in FORBIDDEN_INPUTS:
        response = await client.post(
            "/v1/organisations", json={**organisation, field: "x"}, headers=admin
        )
        assert response.status_code == 422, field
        assert response.json()["errors"][0]["field"] == f"body.{field}"
    listed = (await client.get("/v1/organisations", headers=admin)).json()["data"]
    assert listed == []  # nothing was created by the refused requests

    invitation = {"email": "x@coorace.example", "name": "X", "role": "committee"}
    for field in ("tenant_id", "status", "label_granted", "id", "password_hash"):
        response = await client.post(
            "/v1/invitations", json={**invitation, field: "x"}, headers=admin
        )
        assert response.status_code == 422, field
    me = (await client.get("/v1/me", headers=admin)).json()
    promoted = await client.patch(
        f"/v1/users/{me['id']}", json={"role": "admin", "email": "a@b.example"}, headers=admin
    )
    assert promoted.status_code == 422


async def test_every_integer_of_the_merged_api_is_bounded(standalone: Topology) -> None:
    """Issue 15 item 6, over every part at once (the gateway's routes and the labelling's
    included): an integer a client sends has both bounds in the schema, so 2^63 is a 422."""
    document = (await standalone.client.get("/v1/openapi.json")).json()
    assert unbounded_integers(document) == []
