"""Input an outside tester sends (issue 15 items 6, 9 and 11): integers past their bounds, nulls
for NOT NULL columns, control characters. Each is a 422 naming the field, never a 500."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cap_diagnostic.diagnostics.schemas import DiagnosticUpdate
from cap_diagnostic.models import Diagnostic, ProgressAction, Resource
from cap_diagnostic.plans.schemas import ActionUpdate
from cap_diagnostic.resources.schemas import ResourceUpdate
from cap_shared.testing.conditional import if_match
from cap_shared.testing.openapi import unbounded_integers

from .conftest import Service
from .test_diagnostics import open_diagnostic
from .test_plans import the_plan
from .test_referentials import cap_document, upload
from .test_reports import issued

TOO_BIG = (2**31, 2**63, 10_001)


def fields_of(response: Any) -> list[str]:
    """The fields a 422 problem names."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


async def test_every_integer_the_api_accepts_has_bounds(service: Service) -> None:
    spec = (await service.client.get("/openapi.json")).json()
    assert unbounded_integers(spec) == []


async def test_versions_past_their_bound_are_422_not_500(service: Service) -> None:
    # Issue 15 item 6: POST /v1/diagnostics with referential_version 2^63 answered 500.
    organisation_id = service.organisations["a"].id
    for version in (*TOO_BIG, 0):
        created = await service.client.post(
            "/v1/diagnostics",
            json={"organisation_id": organisation_id, "referential_version": version},
            headers=service.member(),
        )
        assert fields_of(created) == ["body.referential_version"], version
    diagnostic = await open_diagnostic(service)
    for version in TOO_BIG:
        migrated = await service.client.post(
            f"/v1/diagnostics/{diagnostic['id']}/migrate",
            json={"version": version, "strategy": "keep"},
            headers=service.member(),
        )
        assert fields_of(migrated) == ["body.version"], version
        read = await service.client.get(
            f"/v1/referentials/CAP/versions/{version}", headers=service.member()
        )
        assert fields_of(read) == ["path.version"], version
    # A referential file is input too: its version and the versions it extends.
    doc = cap_document()
    doc["version"] = 2**63
    refused = await service.client.post("/v1/referentials", headers=service.admin, **upload(doc))
    assert refused.status_code == 422, refused.text
    assert [(e["object"], e["field"]) for e in refused.json()["errors"]] == [
        ("urn:coorace:referentiel:cap", "version")
    ]


async def test_a_valid_version_still_opens_a_diagnostic(service: Service) -> None:
    created = await service.client.post(
        "/v1/diagnostics",
        json={"organisation_id": service.organisations["a"].id, "referential_version": 1},
        headers=service.member(),
    )
    assert created.status_code == 201, created.text


def column_nullable(table: sa.Table, field: str) -> bool:
    """Whether the column a field of an update writes accepts NULL."""
    column = {"facilitator_user_ids": "facilitator_accounts"}.get(field, field)
    return bool(table.c[column].nullable)


async def test_a_patch_refuses_null_for_a_not_null_column_and_accepts_it_elsewhere(
    service: Service,
) -> None:
    # Issue 15 item 9: {"description": null} on an action and {"participants": null} on a
    # diagnostic answered 500. Every field of every update, checked against its column.
    await issued(service)
    plan = await the_plan(service)
    action_id = plan["actions"][0]["id"]
    diagnostic = await open_diagnostic(service)
    resource_id = (await service.client.get("/v1/resources", headers=service.admin)).json()["data"][
        0
    ]["id"]
    updates = [
        (f"/v1/actions/{action_id}", ActionUpdate, ProgressAction, service.member()),
        (f"/v1/diagnostics/{diagnostic['id']}", DiagnosticUpdate, Diagnostic, service.admin),
        (f"/v1/resources/{resource_id}", ResourceUpdate, Resource, service.admin),
    ]
    refused_somewhere = set()
    for url, model, table, headers in updates:
        for field in model.model_fields:
            response = await service.client.patch(
                url, json={field: None}, headers=await if_match(service.client, url, headers)
            )
            if column_nullable(table.__table__, field):
                assert response.status_code == 200, (url, field, response.text)
                assert response.json()[field] is None
            else:
                assert fields_of(response) == [f"body.{field}"], (url, field)
                refused_somewhere.add(field)
                # Omitting it is still allowed, and nothing was changed.
                assert (
                    await service.client.patch(
                        url, json={}, headers=await if_match(service.client, url, headers)
                    )
                ).status_code == 200
    assert {"description", "participants", "title", "priority"} <= refused_somewhere
    action = await service.client.get(f"/v1/actions/{action_id}", headers=service.member())
    assert action.json()["title"] == plan["actions"][0]["title"]
    assert action.json()["description"] == plan["actions"][0]["description"]


async def test_the_openapi_says_which_update_fields_may_be_null(service: Service) -> None:
    schemas = (await service.client.get("/openapi.json")).json()["components"]["schemas"]

    def nullable(prop: dict[str, Any]) -> bool:
        return any(option.get("type") == "null" for option in prop.get("anyOf", []))

    for model, table in (
        (ActionUpdate, ProgressAction),
        (DiagnosticUpdate, Diagnostic),
        (ResourceUpdate, Resource),
    ):
        properties = schemas[model.__name__]["properties"]
        for field in model.model_fields:
            assert nullable(properties[field]) == column_nullable(table.__table__, field), field


async def test_control_characters_are_422_not_500(service: Service) -> None:
    # A NUL cannot even be compared by PostgreSQL; a vertical tab broke the XLSX export.
    await issued(service)
    plan = await the_plan(service)
    action_id = plan["actions"][0]["id"]
    member = service.member()
    owner = await service.client.patch(
        f"/v1/actions/{action_id}", json={"owner": "a\u000bb"}, headers=member
    )
    assert fields_of(owner) == ["body.owner"]
    title = await service.client.post(
        "/v1/diagnostics",
        json={"organisation_id": service.organisations["a"].id, "title": "a\x00b"},
        headers=member,
    )
    assert fields_of(title) == ["body.title"]
    note = await service.client.post(
        f"/v1/actions/{action_id}/reviews", json={"note": "\x00"}, headers=member
    )
    assert fields_of(note) == ["body.note"]
    for url, field in (
        ("/v1/diagnostics/%00", "path.diagnostic_id"),
        ("/v1/actions/a%00b", "path.action_id"),
        ("/v1/progress-plans/%01", "path.plan_id"),
        ("/v1/resources/%00", "path.resource_id"),
        ("/v1/diagnostics?organisation_id=%00", "query.organisation_id"),
        ("/v1/diagnostics?status=%00", "query.status"),
        ("/v1/resources?q=%00", "query.q"),
        ("/v1/statistics/position?organisation_id=%00", "query.organisation_id"),
    ):
        got = await service.client.get(url, headers=member)
        assert fields_of(got) == [field], url


async def test_a_referential_file_with_a_control_character_is_refused_naming_the_field(
    service: Service,
) -> None:
    import json

    doc = cap_document()
    doc["version"] = 2
    doc["published_on"] = str(doc["published_on"])
    doc["name"] = "CAP\u0000"
    refused = await service.client.post(
        "/v1/referentials",
        headers=service.admin,
        files={"file": ("cap-v2.json", json.dumps(doc).encode(), "application/json")},
    )
    assert refused.status_code == 422, refused.text
    assert [(e["object"], e["field"]) for e in refused.json()["errors"]] == [
        ("urn:coorace:referentiel:cap", "name")
    ]
