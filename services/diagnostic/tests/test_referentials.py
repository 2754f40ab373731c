"""The referential library: shipped files, import rules, errors that say where, export, changes."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from cap_diagnostic.referentials import loader
from cap_diagnostic.referentials.schema import json_schema_text
from cap_diagnostic.referentials.service import LIBRARY

ROOT = Path(__file__).resolve().parents[3]
SCHEMA_FILE = ROOT / "docs" / "referentials" / "referential.schema.json"


def library_file(name: str) -> bytes:
    return resources.files("cap_diagnostic.referentials").joinpath("library", name).read_bytes()


def resolve_library() -> dict[str, loader.ResolvedReferential]:
    out: dict[str, loader.ResolvedReferential] = {}
    bases: dict[tuple[str, int], loader.ResolvedReferential] = {}
    for name in LIBRARY:
        doc = loader.parse(library_file(name), name)
        resolved = loader.resolve(doc, name, bases)
        bases[(doc.urn, doc.version)] = resolved
        out[doc.code] = resolved
    return out


def test_the_three_shipped_referentials_are_valid_french_drafts_that_reuse_cap() -> None:
    refs = resolve_library()
    cap, rse, iso = refs["CAP"], refs["CAP_RSE"], refs["CAP_ISO9001"]
    assert [t.code for t in cap.themes] == ["T1", "T2", "T3", "T4"]
    assert len(cap.criteria) == 22
    for ref in refs.values():
        assert ref.document.status.value == "draft"
        assert ref.document.status_note
        assert ref.document.language == "fr"
    # CAP RSE and CAP ISO 9001 reuse every CAP criterion by reference (same URN, CAP origin).
    for extended in (rse, iso):
        assert set(cap.criteria) < set(extended.criteria)
        assert all(
            extended.criteria[u].origin == ("urn:coorace:referentiel:cap", 1) for u in cap.criteria
        )
    assert len(rse.criteria) == 22 + 26
    own_rse = [c for c in rse.criteria.values() if c.origin[0].endswith("cap-rse")]
    assert {c.kind.value for c in own_rse} == {"practice", "result"}
    assert all(any(m.framework == "iso26000" for m in c.mappings) for c in own_rse)
    assert set(rse.top_levels["iso26000"].values()) == {f"6.{n}" for n in range(2, 9)}
    own_iso = [c for c in iso.criteria.values() if c.origin[0].endswith("cap-iso9001")]
    assert own_iso
    assert all(any(m.framework == "iso9001" for m in c.mappings) for c in own_iso)
    assert iso.frameworks["iso9001"].version == "2015+A1:2024"  # clause references are data
    # Insertion-project axes are mapped on the CAP criteria.
    axes = {m.ref for c in cap.criteria.values() for m in c.mappings if m.framework == "axes-iae"}
    assert axes == {"1", "2", "3", "4"}
    for c in cap.criteria.values():
        assert c.guidance, c.code
        assert c.action_templates, c.code


def test_the_published_json_schema_is_up_to_date() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text(), (
        "docs/referentials/referential.schema.json is stale: run `make schemas`"
    )


def errors_of(content: dict | str, name: str = "mon-referentiel.yaml") -> list[dict[str, str]]:
    text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True)
    with pytest.raises(loader.ReferentialInvalid) as caught:
        loader.resolve(loader.parse(text.encode(), name), name, {})
    return caught.value.extensions["errors"]


def cap_document() -> dict:
    return yaml.safe_load(library_file("cap-v1.yaml"))


def test_a_field_error_names_the_file_the_object_and_the_field() -> None:
    doc = cap_document()
    doc["themes"][1]["criteria"][2]["weight"] = -1
    (error,) = errors_of(doc)
    assert error["file"] == "mon-referentiel.yaml"
    assert error["object"] == "urn:coorace:referentiel:cap:critere:t2.3"
    assert error["field"] == "weight"


def test_cross_object_errors_name_the_object_too() -> None:
    doc = cap_document()
    doc["themes"][0]["criteria"][1]["urn"] = doc["themes"][0]["criteria"][0]["urn"]
    doc["themes"][2]["criteria"][0]["mappings"] = [{"framework": "iso26000", "ref": "6.2"}]
    doc["themes"][1]["criteria"][0]["scale"] = "inconnue"
    found = {(e["object"], e["field"]) for e in errors_of(doc)}
    assert ("urn:coorace:referentiel:cap:critere:t1.1", "urn") in found
    assert ("urn:coorace:referentiel:cap:critere:t3.1", "mappings.0.framework") in found
    assert ("urn:coorace:referentiel:cap:critere:t2.1", "scale") in found


def test_broken_files_are_refused_with_a_reason() -> None:
    assert "YAML" in errors_of("themes: [unclosed")[0]["message"]
    assert errors_of({"format": "autre"})[0]["field"] == "format"
    doc = cap_document()
    doc["bands"][2]["min"] = 350
    assert "bands" in errors_of(doc)[0]["field"]
    doc = cap_document()
    doc["inconnu"] = 1
    assert errors_of(doc)[0]["field"] == "inconnu"


def test_changes_between_versions_list_added_removed_changed_and_rescaled_criteria() -> None:
    old = resolve_library()["CAP"]
    doc = cap_document()
    doc["version"] = 2
    t1 = doc["themes"][0]["criteria"]
    removed = t1.pop(4)  # T1.5
    t1[0]["weight"] = 3.0  # T1.1 reweighted
    doc["scales"].append(
        {
            "id": "binaire",
            "name": "Oui / non",
            "levels": [
                {"value": 0, "name": "Non", "description": "Absent."},
                {"value": 1, "name": "Oui", "description": "Présent."},
            ],
        }
    )
    t1[1]["scale"] = "binaire"  # T1.2 now yes/no
    t1.append(
        {
            **removed,
            "urn": "urn:coorace:referentiel:cap:critere:t1.6",
            "code": "T1.6",
            "indicators": [],
            "action_templates": [],
        }
    )
    new = loader.resolve(
        loader.parse(yaml.safe_dump(doc).encode(), "cap-v2.yaml"), "cap-v2.yaml", {}
    )
    diff = loader.changes(old, new)
    assert [c["code"] for c in diff["added"]] == ["T1.6"]
    assert [c["code"] for c in diff["removed"]] == ["T1.5"]
    changed = {c["code"]: c for c in diff["changed"]}
    assert changed["T1.1"]["fields"] == ["weight"]
    assert not changed["T1.1"]["scale_changed"]
    assert changed["T1.2"]["scale_changed"]
    assert changed["T1.2"]["new_max_level"] == 1


# through the API -------------------------------------------------------------------------
async def test_the_shipped_referentials_are_listed_and_readable(service) -> None:
    listed = await service.client.get("/v1/referentials", headers=service.member())
    assert listed.status_code == 200
    assert {(r["code"], r["version"], r["criteria_count"]) for r in listed.json()["data"]} >= {
        ("CAP", 1, 22),
        ("CAP_RSE", 1, 48),
    }
    detail = await service.client.get(
        "/v1/referentials/CAP_RSE/versions/1", headers=service.member()
    )
    assert detail.status_code == 200
    body = detail.json()
    assert body["themes"][0]["code"] == "T1"
    assert body["themes"][0]["criteria"][0]["origin"].endswith("cap@1")
    assert next(lvl["name"] for lvl in body["themes"][0]["criteria"][0]["scale"]) == "Non engagé"
    missing = await service.client.get("/v1/referentials/CAP/versions/9", headers=service.member())
    assert missing.status_code == 404


def upload(doc: dict | str, name: str = "cap-v2.yaml") -> dict:
    text = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True)
    return {"files": {"file": (name, text.encode(), "application/yaml")}}


async def test_import_records_changes_and_refuses_equal_or_older_versions(service) -> None:
    doc = cap_document()
    doc["version"] = 2
    doc["themes"][0]["criteria"][0]["weight"] = 2.5
    imported = await service.client.post("/v1/referentials", headers=service.admin, **upload(doc))
    assert imported.status_code == 201, imported.text
    assert imported.json()["changes"]["changed"][0]["code"] == "T1.1"
    for version in (2, 1):
        doc["version"] = version
        again = await service.client.post("/v1/referentials", headers=service.admin, **upload(doc))
        assert again.status_code == 409
        assert again.json()["type"].endswith("referential-version-not-newer")
    # The newest version is the default for new diagnostics, older ones stay readable.
    latest = await service.client.get("/v1/referentials/CAP/versions/1", headers=service.member())
    assert latest.status_code == 200


async def test_an_invalid_upload_is_refused_whole_naming_file_object_and_field(service) -> None:
    doc = cap_document()
    doc["version"] = 3
    doc["themes"][3]["criteria"][0]["kind"] = "autre"
    refused = await service.client.post(
        "/v1/referentials", headers=service.admin, **upload(doc, "cap-v3.yaml")
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert refused.headers["content-type"] == "application/problem+json"
    assert problem["errors"][0] == {
        "file": "cap-v3.yaml",
        "object": "urn:coorace:referentiel:cap:critere:t4.1",
        "field": "kind",
        "message": problem["errors"][0]["message"],
    }
    versions = await service.client.get("/v1/referentials", headers=service.admin)
    assert 3 not in {r["version"] for r in versions.json()["data"] if r["code"] == "CAP"}


async def test_export_gives_a_file_that_imports_elsewhere_identically(service) -> None:
    exported = await service.client.get(
        "/v1/referentials/CAP_RSE/versions/1/export", headers=service.admin
    )
    assert exported.status_code == 200
    assert "cap-rse-v1.yaml" in exported.headers["content-disposition"]
    again = loader.parse(exported.content, "cap-rse-v1.yaml")
    assert again == loader.parse(library_file("cap-rse-v1.yaml"), "cap-rse-v1.yaml")
    as_json = await service.client.get(
        "/v1/referentials/CAP/versions/1/export?format=json", headers=service.admin
    )
    assert loader.parse(as_json.content, "cap-v1.json").urn == "urn:coorace:referentiel:cap"


async def test_only_admins_import_and_export(service) -> None:
    doc = cap_document()
    doc["version"] = 4
    for headers in (service.member(), service.facilitator(), service.member(role="member_admin")):
        assert (
            await service.client.post("/v1/referentials", headers=headers, **upload(doc))
        ).status_code == 403
        exported = await service.client.get(
            "/v1/referentials/CAP/versions/1/export", headers=headers
        )
        assert exported.status_code == 403
