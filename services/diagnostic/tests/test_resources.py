"""The resource catalogue: French full-text search, admin management, recommendations per gap."""

from __future__ import annotations

from .conftest import Service, answer
from .test_diagnostics import act, criteria_of, open_diagnostic

CAP = "urn:coorace:referentiel:cap:critere:"


async def search(service: Service, **params) -> list[dict]:
    response = await service.client.get("/v1/resources", params=params, headers=service.member())
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_the_starter_catalogue_is_there_and_covers_every_cap_criterion(
    service: Service,
) -> None:
    everything = await search(service, limit=100)
    assert len(everything) >= 25
    assert {r["kind"] for r in everything} == {"guide", "training", "tool", "contact", "event"}
    covered = {c for r in everything for c in r["criteria"]}
    assert {c["urn"] for c in await criteria_of(service)} <= covered


async def test_french_search_finds_inflected_words_and_ranks_titles_first(service: Service) -> None:
    created = await service.client.post(
        "/v1/resources",
        headers=service.admin,
        json={
            "code": "RES-TEST-EVALUATIONS",
            "kind": "guide",
            "title": "Évaluer l'utilité sociale territoriale",
            "summary": "Construire ses indicateurs d'utilité sociale.",
            "description": "Les évaluations annuelles s'appuient sur des indicateurs partagés avec le territoire.",
            "criteria": [CAP + "t4.3"],
            "themes": ["T4"],
            "tags": ["utilité sociale", "évaluation"],
        },
    )
    assert created.status_code == 201, created.text
    # Stemming: "évaluations" finds "Évaluer"; several words must all match.
    found = await search(service, q="évaluations utilité")
    assert found[0]["code"] == "RES-TEST-EVALUATIONS"
    assert found[0]["rank"] > 0
    assert all(r["rank"] <= found[0]["rank"] for r in found)
    assert await search(service, q="xylophone quantique") == []
    by_criterion = await search(service, criterion=CAP + "t4.3")
    assert "RES-TEST-EVALUATIONS" in {r["code"] for r in by_criterion}
    assert all(CAP + "t4.3" in r["criteria"] for r in by_criterion)
    assert all(r["kind"] == "training" for r in await search(service, kind="training"))


async def test_only_admins_manage_the_catalogue_and_tags_must_exist(service: Service) -> None:
    body = {
        "code": "RES-TEST-X",
        "kind": "tool",
        "title": "Grille",
        "summary": "Une grille.",
        "description": "Une grille d'auto-évaluation.",
        "criteria": [CAP + "t9.9"],
    }
    assert (
        await service.client.post("/v1/resources", json=body, headers=service.member())
    ).status_code == 403
    refused = await service.client.post("/v1/resources", json=body, headers=service.admin)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.criteria.0"
    body["criteria"] = [CAP + "t1.1"]
    created = await service.client.post("/v1/resources", json=body, headers=service.admin)
    assert created.status_code == 201
    again = await service.client.post("/v1/resources", json=body, headers=service.admin)
    assert again.status_code == 409
    rid = created.json()["id"]
    hidden = await service.client.patch(
        f"/v1/resources/{rid}", json={"published": False}, headers=service.admin
    )
    assert hidden.json()["published"] is False
    assert (
        await service.client.get(f"/v1/resources/{rid}", headers=service.member())
    ).status_code == 404
    assert "RES-TEST-X" not in {r["code"] for r in await search(service, q="grille", limit=100)}
    assert (
        await service.client.delete(f"/v1/resources/{rid}", headers=service.admin)
    ).status_code == 204
    assert (
        await service.client.get(f"/v1/resources/{rid}", headers=service.admin)
    ).status_code == 404


async def test_each_gap_gets_resources_ranked_by_the_expected_score_gain(service: Service) -> None:
    diagnostic = await open_diagnostic(service, kind="self_assessment")
    await act(service, diagnostic["id"], "start")
    criteria = await criteria_of(service)
    levels = {"T2.2": 0, "T3.6": 1}  # T2.2 weighs 2, T3.6 weighs 1
    batch = [answer(c["urn"], levels.get(c["code"], 3)) for c in criteria]
    await service.client.put(
        f"/v1/diagnostics/{diagnostic['id']}/answers",
        json={"answers": batch},
        headers=service.member(),
    )
    got = await service.client.get(
        f"/v1/diagnostics/{diagnostic['id']}/recommendations", headers=service.member()
    )
    assert got.status_code == 200, got.text
    gaps = got.json()["gaps"]
    assert [g["code"] for g in gaps] == ["T2.2", "T3.6"]
    assert gaps[0]["expected_gain"] > gaps[1]["expected_gain"]
    assert (gaps[0]["level"], gaps[0]["target_level"]) == (0, 3)
    assert gaps[0]["resources"], "the catalogue has resources for T2.2"
    top = gaps[0]["resources"][0]
    assert top["relevance"] == gaps[0]["expected_gain"]  # tagged with the criterion itself
    overall = got.json()["resources"]
    assert overall[0]["relevance"] >= overall[-1]["relevance"]
    outsider = await service.client.get(
        f"/v1/diagnostics/{diagnostic['id']}/recommendations", headers=service.member("b")
    )
    assert outsider.status_code == 404
