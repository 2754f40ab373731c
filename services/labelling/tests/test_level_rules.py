"""Level rules as versioned data through the API: seeded from the shipped file, listed,
exported, imported (validated, 422 naming the field), and chosen by the referential version of
the evaluation a file rests on."""

from __future__ import annotations

import json

import yaml

from .conftest import Service, ok
from .test_decisions import GOOD, accepted, decide

URL = "/v1/level-rules/CAP_RSE/versions"


def v2_rule(service_yaml: str) -> dict:
    """The shipped v1 rule made into a v2 one with a lower Exemplaire band."""
    rule = yaml.safe_load(service_yaml)
    rule["referential"]["version"] = 2
    rule["levels"][2]["max_score"] = 600
    rule["levels"][3].update(min_score=601, core_subject_minimum=400, core_subject_minimums={})
    return rule


async def put(service: Service, version: int, body: bytes | str, content_type: str, **headers):
    return await service.client.put(
        f"{URL}/{version}",
        content=body,
        headers={**service.admin, "Content-Type": content_type, **headers},
    )


async def test_the_shipped_rule_is_stored_listed_and_exported(service: Service) -> None:
    (listed,) = ok(await service.client.get("/v1/level-rules", headers=service.member_admin()))[
        "data"
    ]
    assert (
        listed["referential_code"],
        listed["referential_version"],
        listed["revision"],
        listed["source"],
        listed["label_from"],
        listed["labels"],
    ) == ("CAP_RSE", 1, 1, "shipped", "Progression", ["Progression", "Confirmé", "Exemplaire"])
    exported = await service.client.get(f"{URL}/1", headers=service.committee())
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(exported.text)["core_criteria"]["minimum_level"] == 1
    as_json = await service.client.get(f"{URL}/1?format=json", headers=service.committee())
    assert json.loads(as_json.text) == yaml.safe_load(exported.text)
    # Imported again as exported: nothing changes.
    again = await put(service, 1, exported.content, "application/yaml")
    assert (again.status_code, again.json()["revision"]) == (200, 1), again.text
    assert (await service.client.get(f"{URL}/9", headers=service.admin)).status_code == 404


async def test_an_invalid_rule_is_refused_naming_the_field(service: Service) -> None:
    exported = (await service.client.get(f"{URL}/1", headers=service.admin)).text
    rule = yaml.safe_load(exported)
    rule["levels"][1]["min_score"] = 320  # a gap after Initial
    rule["label_from"] = "Platine"
    refused = await put(service, 1, json.dumps(rule), "application/json")
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("/level-rule-invalid")
    assert [e["field"] for e in refused.json()["errors"]] == [
        "body.levels.1.min_score",
        "body.label_from",
    ]
    wrong_version = await put(service, 3, exported, "application/yaml")
    assert [e["field"] for e in wrong_version.json()["errors"]] == ["body.referential.version"]
    for body in (
        b"levels: [unclosed",
        b"\xff\xfe",
        b"- a list\n",
        b"x" * (300 * 1024),
        b"levels: " + b"[" * 5000 + b"]" * 5000,
        b"!!python/object/apply:os.system [echo]",
    ):
        bad = await put(service, 1, body, "application/yaml")
        assert bad.status_code == 422, bad.text
        assert bad.json()["errors"][0]["field"] == "body"
    markup = dict(rule, label_from="Progression")
    markup["levels"][1]["min_score"] = 301
    markup["levels"][0]["name"] = "<b>Initial</b>\x00"
    assert (await put(service, 1, json.dumps(markup), "application/json")).status_code == 422
    # Only an administrator imports; nothing was stored by the refused calls.
    member = await service.client.put(f"{URL}/1", content=exported, headers=service.member_admin())
    assert member.status_code == 403
    assert [
        r["revision"]
        for r in ok(await service.client.get("/v1/level-rules", headers=service.admin))["data"]
    ] == [1]


async def test_the_rule_of_the_evaluations_referential_version_applies(service: Service) -> None:
    """A file evaluated on CAP RSE v2 has no level until a v2 rule is imported, then the v2
    rule gives it (never the v1 one); a new revision applies to the open file."""
    org = service.organisations["a"].id
    file = await accepted(service)
    report = await service.report("a", "CAP_RSE", "initial")
    await service.evaluated("a", report.audit_id, 620, GOOD, version=2)
    url = f"/v1/decisions/{file['id']}"
    without = ok(await service.client.get(url, headers=service.committee()))
    assert without["computed_level"] is None
    assert without["evaluation"]["members"][org]["reasons"] == ["no level rule for CAP_RSE v2"]

    exported = (await service.client.get(f"{URL}/1", headers=service.admin)).text
    imported = await put(service, 2, yaml.safe_dump(v2_rule(exported)), "application/yaml")
    assert (imported.status_code, imported.json()["revision"], imported.json()["source"]) == (
        201,
        1,
        "import",
    )
    with_v2 = ok(await service.client.get(url, headers=service.committee()))
    assert with_v2["computed_level"] == "Exemplaire"  # v1 would give Confirmé
    assert with_v2["evaluation"]["members"][org]["rule"] == {
        "rule": "cap-rse-level",
        "referential_code": "CAP_RSE",
        "referential_version": 2,
        "revision": 1,
    }
    # A second revision of v2 (Exemplaire out of reach again) applies to the open file.
    stricter = v2_rule(exported)
    stricter["levels"][3]["core_subject_minimum"] = 500
    revised = await put(service, 2, json.dumps(stricter), "application/json")
    assert (revised.status_code, revised.json()["revision"]) == (201, 2)
    assert ok(await service.client.get(url, headers=service.committee()))["computed_level"] == (
        "Confirmé"
    )
    granted = ok(await decide(service, file["id"], outcome="confirm"))
    assert granted["level"] == "Confirmé"
    assert granted["evaluation"]["members"][org]["rule"]["revision"] == 2


async def test_an_import_may_name_the_revision_it_replaces(service: Service) -> None:
    exported = await service.client.get(f"{URL}/1?format=json", headers=service.admin)
    tag = exported.headers["etag"]
    assert tag == f'"r{exported.headers["x-rule-revision"]}"'
    again = await service.client.get(
        f"{URL}/1?format=json", headers={**service.admin, "If-None-Match": tag}
    )
    assert again.status_code == 304
    original = json.loads(exported.content)
    rule = json.loads(exported.content)
    rule["levels"][2]["max_score"] = 600
    rule["levels"][3].update(min_score=601, core_subject_minimum=400, core_subject_minimums={})
    changed = await put(service, 1, json.dumps(rule), "application/json", **{"If-Match": tag})
    assert changed.status_code == 201, changed.text
    assert changed.headers["etag"] != tag
    stale = await put(service, 1, json.dumps(original), "application/json", **{"If-Match": tag})
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == changed.headers["etag"]
    absent = await put(service, 7, json.dumps(rule), "application/json", **{"If-Match": "*"})
    assert absent.status_code in (412, 422)  # version 7 has no rule: If-Match cannot hold
