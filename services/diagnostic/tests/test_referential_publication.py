"""Publishing an imported referential version, and the differences between two versions."""

from __future__ import annotations

from typing import Any

from cap_diagnostic.referentials import loader
from cap_diagnostic.referentials.differences import differences

from .conftest import Service
from .test_diagnostics import open_diagnostic
from .test_referentials import cap_document, library_file, upload

CAP = "urn:coorace:referentiel:cap:critere:"


def cap_v2() -> dict[str, Any]:
    """CAP v2: T1.1 weighs 2.5 and is renamed, T1.5 removed, T1.6 added, a new top band."""
    doc = cap_document()
    doc["version"] = 2
    criteria = doc["themes"][0]["criteria"]
    criteria[0]["weight"] = 2.5
    criteria[0]["name"] = "Projet social écrit et partagé"
    removed = criteria.pop(4)
    criteria.append(
        {**removed, "urn": CAP + "t1.6", "code": "T1.6", "indicators": [], "action_templates": []}
    )
    return doc


def resolved(doc: dict[str, Any]) -> loader.ResolvedReferential:
    import yaml

    text = yaml.safe_dump(doc, allow_unicode=True).encode()
    return loader.resolve(loader.parse(text, "cap.yaml"), "cap.yaml", {})


def test_differences_list_added_removed_and_each_changed_field_before_and_after() -> None:
    old = resolved(cap_document())
    new = resolved(cap_v2())
    diff = differences(old, new)
    assert (diff["from_version"], diff["to_version"]) == (1, 2)
    assert [c["code"] for c in diff["criteria_added"]] == ["T1.6"]
    assert [c["code"] for c in diff["criteria_removed"]] == ["T1.5"]
    (changed,) = diff["criteria_changed"]
    assert changed["code"] == "T1.1"
    assert {f["field"]: (f["before"], f["after"]) for f in changed["fields"]} == {
        "name": (old.criteria[CAP + "t1.1"].name, "Projet social écrit et partagé"),
        "weight": (f"{old.criteria[CAP + 't1.1'].weight:g}", "2.5"),
    }
    assert changed["scale_changed"] is False
    assert diff["criteria_unchanged"] == len(old.criteria) - 2
    assert diff["themes_added"] == diff["themes_removed"] == []
    assert diff["bands_changed"] is False
    # The other way round: what was added is removed.
    back = differences(new, old)
    assert [c["code"] for c in back["criteria_removed"]] == ["T1.6"]


def test_a_changed_scale_is_shown_with_its_levels() -> None:
    doc = cap_v2()
    doc["scales"].append(
        {
            "id": "simple",
            "name": "Simple 0-2",
            "levels": [
                {"value": 0, "name": "Absent", "description": "Rien."},
                {"value": 1, "name": "Partiel", "description": "En partie."},
                {"value": 2, "name": "Acquis", "description": "En place."},
            ],
        }
    )
    doc["themes"][0]["criteria"][1]["scale"] = "simple"
    diff = differences(resolved(cap_document()), resolved(doc))
    t12 = next(c for c in diff["criteria_changed"] if c["code"] == "T1.2")
    assert t12["scale_changed"] is True
    (scale,) = [f for f in t12["fields"] if f["field"] == "scale"]
    assert scale["after"] == "0 Absent ; 1 Partiel ; 2 Acquis"


async def test_an_imported_version_waits_for_publication_before_diagnostics_use_it(
    service: Service,
) -> None:
    imported = await service.client.post(
        "/v1/referentials", headers=service.admin, **upload(cap_v2())
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["published_at"] is None
    listed = {
        (r["code"], r["version"]): r
        for r in (await service.client.get("/v1/referentials", headers=service.admin)).json()[
            "data"
        ]
    }
    assert listed[("CAP", 1)]["published_by"] == "system:library"
    assert listed[("CAP", 2)]["published_at"] is None
    # Not published: new diagnostics stay on v1; naming v2 or migrating to it is refused.
    diagnostic = await open_diagnostic(service)
    assert diagnostic["referential"]["version"] == 1
    refused = await service.client.post(
        "/v1/diagnostics",
        json={"organisation_id": service.organisations["a"].id, "referential_version": 2},
        headers=service.member(),
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/referential-not-published")
    migrate = await service.client.post(
        f"/v1/diagnostics/{diagnostic['id']}/migrate",
        json={"version": 2, "strategy": "keep"},
        headers=service.member(),
    )
    assert migrate.status_code == 409
    # Published: the default for new diagnostics, and a target for migration.
    published = await service.client.post(
        "/v1/referentials/CAP/versions/2/publication", headers=service.admin
    )
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["version"] == 2
    assert body["published_at"] is not None
    assert body["published_by"]
    again = await service.client.post(
        "/v1/referentials/CAP/versions/2/publication", headers=service.admin
    )
    assert again.json()["published_at"] == body["published_at"]  # nothing changes
    assert (await open_diagnostic(service))["referential"]["version"] == 2
    migrated = await service.client.post(
        f"/v1/diagnostics/{diagnostic['id']}/migrate",
        json={"version": 2, "strategy": "keep"},
        headers=service.member(),
    )
    assert migrated.status_code == 200, migrated.text


async def test_publication_goes_forward_only(service: Service) -> None:
    for version in (2, 3):
        doc = cap_v2()
        doc["version"] = version
        assert (
            await service.client.post("/v1/referentials", headers=service.admin, **upload(doc))
        ).status_code == 201
    assert (
        await service.client.post(
            "/v1/referentials/CAP/versions/3/publication", headers=service.admin
        )
    ).status_code == 200
    older = await service.client.post(
        "/v1/referentials/CAP/versions/2/publication",
        headers={**service.admin, "Accept-Language": "fr"},
    )
    assert older.status_code == 409
    problem = older.json()
    assert problem["type"].endswith("/referential-version-superseded")
    assert "déjà publiée" in problem["detail"]
    missing = await service.client.post(
        "/v1/referentials/CAP/versions/9/publication", headers=service.admin
    )
    assert missing.status_code == 404


async def test_the_differences_between_two_stored_versions(service: Service) -> None:
    assert (
        await service.client.post("/v1/referentials", headers=service.admin, **upload(cap_v2()))
    ).status_code == 201
    answer = await service.client.get(
        "/v1/referentials/CAP/differences",
        params={"from_version": 1, "to_version": 2},
        headers=service.member(),
    )
    assert answer.status_code == 200, answer.text
    diff = answer.json()
    assert [c["code"] for c in diff["criteria_added"]] == ["T1.6"]
    assert [c["code"] for c in diff["criteria_removed"]] == ["T1.5"]
    assert [c["code"] for c in diff["criteria_changed"]] == ["T1.1"]
    for params, status in (
        ({"from_version": 1, "to_version": 1}, 422),
        ({"from_version": 1, "to_version": 7}, 404),
        ({"from_version": 1}, 422),
        ({"from_version": 0, "to_version": 2}, 422),
    ):
        refused = await service.client.get(
            "/v1/referentials/CAP/differences", params=params, headers=service.admin
        )
        assert refused.status_code == status, (params, refused.text)
    unknown = await service.client.get(
        "/v1/referentials/NOPE/differences",
        params={"from_version": 1, "to_version": 2},
        headers=service.admin,
    )
    assert unknown.status_code == 404


async def test_only_admins_publish(service: Service) -> None:
    assert (
        await service.client.post("/v1/referentials", headers=service.admin, **upload(cap_v2()))
    ).status_code == 201
    for headers in (service.member(), service.facilitator(), service.member(role="member_admin")):
        refused = await service.client.post(
            "/v1/referentials/CAP/versions/2/publication", headers=headers
        )
        assert refused.status_code == 403
    listed = (await service.client.get("/v1/referentials", headers=service.admin)).json()
    assert next(r for r in listed["data"] if r["version"] == 2)["published_at"] is None


def test_the_shipped_files_resolve_for_differences() -> None:
    doc = loader.parse(library_file("cap-v1.yaml"), "cap-v1.yaml")
    same = loader.resolve(doc, "cap-v1.yaml", {})
    diff = differences(same, same)
    assert diff["criteria_changed"] == []
    assert diff["criteria_unchanged"] == len(same.criteria)
