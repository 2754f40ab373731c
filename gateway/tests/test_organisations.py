"""Registering member structures: validation, conflicts, authorization, pagination, the event."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from cap_gateway.identity.siret import siret_problem
from cap_gateway.models import tables
from cap_shared.testing.auth import create_user
from cap_shared.testing.siret import make_siret


def body(**overrides: object) -> dict:
    values: dict = {
        "siret": make_siret(42),
        "name": "Entreprise d'insertion du Bocage",
        "siae_types": ["EI", "ETTI"],
        "region": "52",
        "delegation": "Coorace Pays de la Loire",
    }
    values.update(overrides)
    return values


class TestSiret:
    @pytest.mark.parametrize("siret", ["73282932000074", "732 829 320 00074", "35600000000047"])
    def test_valid_sirets_pass(self, siret: str) -> None:
        assert siret_problem(siret.replace(" ", "")) is None

    @pytest.mark.parametrize(
        ("siret", "problem"),
        [
            ("7328293200007", "a SIRET has exactly 14 digits"),
            ("7328293200007A", "a SIRET has exactly 14 digits"),
            ("73282932000075", "invalid SIRET check digit"),
            ("73282932100074", "invalid SIREN check digit (the first 9 digits)"),
            ("35600000000049", "invalid SIRET check digit"),
        ],
    )
    def test_invalid_sirets_say_why(self, siret: str, problem: str) -> None:
        assert siret_problem(siret) == problem


class TestRegister:
    async def test_registration_returns_the_organisation_and_records_its_event(
        self, admin, gateway_factory
    ) -> None:
        client, runtime = await gateway_factory()
        response = await client.post(
            "/v1/organisations", json=body(siret="732 829 320 00074"), headers=admin
        )

        assert response.status_code == 201, response.text
        created = response.json()
        assert created["siret"] == "73282932000074"
        assert created["region_name"] == "Pays de la Loire"
        assert created["siae_types"] == ["EI", "ETTI"]
        assert set(created) == {
            "id",
            "siret",
            "name",
            "siae_types",
            "region",
            "region_name",
            "delegation",
            "created_at",
        }
        async with runtime.db.session() as session:
            rows = (
                await session.execute(
                    sa.select(tables.outbox).where(
                        tables.outbox.c.event_type == "identity.organisation.registered.v1"
                    )
                )
            ).all()
        assert len(rows) == 1
        event = json.loads(rows[0].payload)
        assert event["type"] == "identity.organisation.registered.v1"
        assert event["subject"] == created["id"]
        assert event["source"] == "/cap/gateway"
        assert event["correlationid"] == response.headers["x-request-id"]
        assert event["data"]["siret"] == "73282932000074"
        assert event["data"]["region_name"] == "Pays de la Loire"

    async def test_same_siret_twice_is_a_conflict(self, admin, client) -> None:
        assert (
            await client.post("/v1/organisations", json=body(), headers=admin)
        ).status_code == 201
        again = await client.post("/v1/organisations", json=body(name="Autre nom"), headers=admin)
        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"
        assert again.json()["type"].endswith("/siret-already-registered")

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"siret": "73282932000075"}, "body.siret"),
            ({"siret": "12"}, "body.siret"),
            ({"name": "   "}, "body.name"),
            ({"name": "x" * 201}, "body.name"),
            ({"siae_types": []}, "body.siae_types"),
            ({"siae_types": ["ACI", "ACI"]}, "body.siae_types"),
            ({"siae_types": ["SCOP"]}, "body.siae_types.0"),
            ({"region": "99"}, "body.region"),
            ({"tenant_id": "x"}, "body.tenant_id"),
            ({"id": "forced"}, "body.id"),
        ],
    )
    async def test_bad_input_is_a_422_naming_the_field(
        self, admin, client, overrides: dict, field: str
    ) -> None:
        response = await client.post("/v1/organisations", json=body(**overrides), headers=admin)
        assert response.status_code == 422
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert problem["status"] == 422
        assert "request_id" in problem
        assert field in [e["field"] for e in problem["errors"]]

    async def test_malformed_json_is_a_422_not_a_500(self, admin, client) -> None:
        response = await client.post(
            "/v1/organisations", content=b"{", headers={**admin, "content-type": "application/json"}
        )
        assert response.status_code == 422

    async def test_registration_requires_an_admin(self, admin, client) -> None:
        assert (await client.post("/v1/organisations", json=body())).status_code == 401
        guessed = await client.post(
            "/v1/organisations", json=body(), headers={"Authorization": "Bearer guess"}
        )
        assert guessed.status_code == 401
        facilitator = await create_user(client, admin, role="facilitator", region="52")
        forbidden = await client.post("/v1/organisations", json=body(), headers=facilitator)
        assert forbidden.status_code == 403
        assert (await client.get("/v1/organisations")).status_code == 401


class TestRead:
    async def test_pages_follow_the_cursor_until_the_end(self, admin, client) -> None:
        ids = []
        for n in range(5):
            r = await client.post(
                "/v1/organisations", json=body(siret=make_siret(100 + n)), headers=admin
            )
            ids.append(r.json()["id"])
        seen, cursor = [], None
        while True:
            params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = (await client.get("/v1/organisations", params=params, headers=admin)).json()
            seen += [o["id"] for o in page["data"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ids

    async def test_page_size_and_cursor_are_checked(self, admin, client) -> None:
        assert (
            await client.get("/v1/organisations", params={"limit": 201}, headers=admin)
        ).status_code == 422
        assert (
            await client.get("/v1/organisations", params={"limit": 0}, headers=admin)
        ).status_code == 422
        bad = await client.get("/v1/organisations", params={"cursor": "%%%"}, headers=admin)
        assert bad.status_code == 400
        assert bad.json()["type"].endswith("/invalid-cursor")

    async def test_a_cursor_of_another_list_is_refused(self, admin, client) -> None:
        for n in range(2):
            await client.post(
                "/v1/organisations", json=body(siret=make_siret(200 + n)), headers=admin
            )
        page = await client.get("/v1/organisations", params={"limit": 1}, headers=admin)
        cursor = page.json()["next_cursor"]
        assert cursor
        other = await client.get("/v1/users", params={"cursor": cursor}, headers=admin)
        assert other.status_code == 400
        assert other.json()["type"].endswith("/invalid-cursor")
        assert "another list" in other.json()["detail"]

    async def test_unknown_organisation_is_404(self, admin, client) -> None:
        response = await client.get(
            "/v1/organisations/00000000-0000-0000-0000-000000000000", headers=admin
        )
        assert response.status_code == 404
        assert response.json()["title"] == "Resource not found"

    async def test_read_returns_what_was_registered(self, admin, client) -> None:
        created = (await client.post("/v1/organisations", json=body(), headers=admin)).json()
        read = await client.get(f"/v1/organisations/{created['id']}", headers=admin)
        assert read.json() == created
