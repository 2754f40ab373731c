"""PATCH of bodies and auditors (issue 15 item 9): a null on a field that cannot be emptied is a
422 the API description announces (it was taken as "unchanged" while declared nullable); a null
where the field may be emptied clears it (the accreditation could not be cleared)."""

from __future__ import annotations

from cap_shared.testing.openapi import unbounded_integers

from .conftest import Service, ok
from .test_audits import setup_body


async def test_null_is_refused_where_it_cannot_empty_and_clears_where_it_may(
    service: Service,
) -> None:
    people = await setup_body(service)
    auditor_id = people["lead"]["id"]
    for path, body in [
        ("/v1/certification-bodies/sgs-tuv", {"name": None}),
        ("/v1/certification-bodies/sgs-tuv", {"schemes": None}),
        ("/v1/certification-bodies/sgs-tuv", {"active": None}),
        (f"/v1/auditors/{auditor_id}", {"name": None}),
        (f"/v1/auditors/{auditor_id}", {"qualifications": None}),
        (f"/v1/auditors/{auditor_id}", {"active": None}),
    ]:
        answer = await service.client.patch(path, json=body, headers=service.admin)
        assert answer.status_code == 422, (path, body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        (field,) = body
        assert f"body.{field}" in {e["field"] for e in answer.json()["errors"]}
    body = ok(
        await service.client.patch(
            "/v1/certification-bodies/sgs-tuv", json={"accreditation": None}, headers=service.admin
        )
    )
    assert (body["name"], body["accreditation"], body["active"]) == ("SGS TÜV Saar", None, True)
    auditor = ok(
        await service.client.patch(
            f"/v1/auditors/{auditor_id}",
            json={"user_id": None, "email": None},
            headers=service.admin,
        )
    )
    assert (auditor["name"], auditor["user_id"], auditor["active"]) == (
        "Auditeur lead",
        None,
        True,
    )
    assert len(auditor["qualifications"]) == len(people["lead"]["qualifications"])
    schemas = (await service.client.get("/openapi.json")).json()["components"]["schemas"]
    for model, fields in (
        ("BodyUpdate", ("name", "schemes", "active")),
        ("AuditorUpdate", ("name", "qualifications", "active")),
    ):
        for field in fields:
            declared = schemas[model]["properties"][field]
            assert "anyOf" not in declared, (model, field, declared)
            assert "default" not in declared, (model, field, declared)
    assert {"type": "null"} in schemas["BodyUpdate"]["properties"]["accreditation"]["anyOf"]


async def test_every_integer_the_audit_api_takes_is_bounded(service: Service) -> None:
    """Issue 15 item 6: an integer past 64 bits reached the database (``before=2^63``); every
    integer in a parameter or a body is bounded in the schema, hence a 422 outside."""
    document = (await service.client.get("/openapi.json")).json()
    assert unbounded_integers(document) == []
