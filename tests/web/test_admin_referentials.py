"""The administrators' referential screens in-process: referentials (import, differences,
publication, export), level rules (thresholds, revisions) and scheme parameters.

Each test runs on its own standalone platform (the shipped referentials and the CAP RSE v1 level
rule are there from the start), signs the administrator in through the console and checks both
what the page shows and what the API then holds.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from typing import Any

import httpx
import yaml

from cap_shared.testing.auth import DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD, create_user
from cap_standalone.demo import load_demo
from cap_standalone.testing import Topology
from cap_web.testing import ConsoleClient, hidden_fields

CAP = "urn:coorace:referentiel:cap:critere:"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:2000]
    return response.json()


def text_of(page: str) -> str:
    main = page.split('id="contenu"', 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def cap_v(version: int) -> bytes:
    """CAP at ``version``: T1.1 weighs 2.5, T1.5 removed, T1.6 added."""
    text = resources.files("cap_diagnostic.referentials").joinpath("library", "cap-v1.yaml")
    doc = yaml.safe_load(text.read_bytes())
    doc["version"] = version
    criteria = doc["themes"][0]["criteria"]
    criteria[0]["weight"] = 2.5
    removed = criteria.pop(4)
    criteria.append(
        {**removed, "urn": CAP + "t1.6", "code": "T1.6", "indicators": [], "action_templates": []}
    )
    return yaml.safe_dump(doc, allow_unicode=True).encode()


async def import_file(
    console: ConsoleClient, content: bytes, name: str = "cap-v2.yaml"
) -> httpx.Response:
    return await console.submit(
        "/admin/referentiels",
        "/admin/referentiels/import",
        files={"file": (name, content, "application/yaml")},
    )


async def versions(standalone: Topology, code: str = "CAP") -> dict[int, dict[str, Any]]:
    listed = ok(await standalone.client.get("/v1/referentials", headers=standalone.admin))
    return {r["version"]: r for r in listed["data"] if r["code"] == code}


async def test_an_admin_imports_a_version_reads_its_differences_and_publishes_it(
    standalone: Topology, console: ConsoleClient
) -> None:
    await console.sign_in(DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD)
    page = await console.get("/admin/referentiels")
    assert page.status_code == 200
    shown = text_of(page.text)
    for code in ("CAP", "CAP_RSE", "CAP_ISO9001"):
        assert f"Versions de {code}" in shown
    assert "Version en usage : 1" in shown
    imported = await import_file(console, cap_v(2))
    assert imported.status_code == 303, imported.text[:2000]
    assert imported.headers["location"] == "/admin/referentiels/CAP/differences?de=1&a=2&importee=1"
    assert (await versions(standalone))[2]["published_at"] is None  # imported, not published
    page = await console.get(imported.headers["location"])
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "1 critère(s) ajouté(s), 1 retiré(s), 1 modifié(s)" in shown
    assert "T1.6" in shown
    assert "Poids 1 2.5" in shown  # the field, before, after
    assert "Publier la version 2 de CAP" in shown
    published = await console.submit(
        imported.headers["location"], "/admin/referentiels/CAP/versions/2/publication"
    )
    assert published.status_code == 303, published.text[:2000]
    assert published.headers["location"] == "/admin/referentiels?publiee=CAP-2"
    assert (await versions(standalone))[2]["published_at"] is not None
    listed = text_of((await console.get(published.headers["location"])).text)
    assert "La version 2 de CAP est publiée" in listed
    assert "Version en usage : 2" in listed
    # Another pair of versions is chosen in the form.
    back = text_of((await console.get("/admin/referentiels/CAP/differences?de=2&a=1")).text)
    assert "De la version 2 à la version 1" in back
    assert "Publication de la version 1 Publiée le" in back


async def test_a_refused_file_is_shown_with_the_object_and_field_the_api_names(
    standalone: Topology, console: ConsoleClient
) -> None:
    await console.sign_in(DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD)
    bad = yaml.safe_load(cap_v(5))
    bad["themes"][1]["criteria"][0]["weight"] = -1
    refused = await import_file(console, yaml.safe_dump(bad, allow_unicode=True).encode())
    assert refused.status_code == 422
    shown = text_of(refused.text)
    assert "urn:coorace:referentiel:cap:critere:t2.1 — weight" in shown
    assert 'aria-invalid="true"' in refused.text
    older = await import_file(console, cap_v(1))
    assert older.status_code == 409
    assert "pas plus récente" in text_of(older.text)
    empty = await console.submit("/admin/referentiels", "/admin/referentiels/import")
    assert empty.status_code == 422
    assert "Choisissez un fichier" in text_of(empty.text)
    junk = await import_file(console, b"\x00\x01 not yaml: [", name="x<y>.yaml")
    assert junk.status_code == 422
    assert set(await versions(standalone)) == {1}  # nothing was imported


async def test_a_superseded_version_cannot_be_published(
    standalone: Topology, console: ConsoleClient
) -> None:
    await console.sign_in(DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD)
    for version in (2, 3):
        assert (await import_file(console, cap_v(version))).status_code == 303
    page = await console.get("/admin/referentiels")
    form2 = hidden_fields(page.text, "/admin/referentiels/CAP/versions/2/publication")
    assert (
        await console.submit(
            "/admin/referentiels", "/admin/referentiels/CAP/versions/3/publication"
        )
    ).status_code == 303
    refused = await console.http.post("/admin/referentiels/CAP/versions/2/publication", data=form2)
    assert refused.status_code == 409
    assert "déjà publiée" in text_of(refused.text)
    assert (await versions(standalone))[2]["published_at"] is None


async def test_exports_and_addresses_that_designate_nothing(
    standalone: Topology, console: ConsoleClient
) -> None:
    await console.sign_in(DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD)
    exported = await console.get("/admin/referentiels/CAP_RSE/versions/1/export.yaml")
    assert exported.status_code == 200
    assert "cap-rse-v1.yaml" in exported.headers["content-disposition"]
    assert yaml.safe_load(exported.content)["code"] == "CAP_RSE"
    as_json = await console.get("/admin/referentiels/CAP/versions/1/export.json")
    assert json.loads(as_json.content)["version"] == 1
    for path in (
        "/admin/referentiels/CAP/versions/1/export.exe",
        "/admin/referentiels/CAP/versions/abc/export.yaml",
        "/admin/referentiels/CAP/versions/99999/export.yaml",
        "/admin/referentiels/CAP/versions/7/export.yaml",
        "/admin/referentiels/%3Cscript%3E/differences",
        "/admin/referentiels/NOPE/differences",
        "/admin/regles-de-niveau/cap_rse/versions/1",
        "/admin/regles-de-niveau/CAP_RSE/versions/0",
        "/admin/regles-de-niveau/CAP_RSE/versions/9",
    ):
        answer = await console.get(path)
        assert answer.status_code == 404, (path, answer.status_code)
        assert "<html" in answer.text
        assert "Traceback" not in answer.text
    version = await console.get("/admin/referentiels/CAP_RSE/versions/1")
    assert version.status_code == 200
    shown = text_of(version.text)
    assert "publiée le" in shown
    assert "(version en usage)" in shown
    assert "Critères du thème" in shown
    assert "R1 " in shown
    assert "Publier la version" not in shown
    missing = await console.get("/admin/referentiels/CAP_RSE/versions/7")
    assert missing.status_code == 404
    only = text_of((await console.get("/admin/referentiels/CAP/differences")).text)

    assert "n'a qu'une version" in only
    weird = await console.get("/admin/referentiels/CAP/differences?de=%00&a=-1")
    assert weird.status_code == 200


async def test_level_rules_show_the_thresholds_and_take_a_new_revision_with_its_etag(
    standalone: Topology, console: ConsoleClient
) -> None:
    await console.sign_in(DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD)
    listed = text_of((await console.get("/admin/regles-de-niveau")).text)
    assert "CAP_RSE version 1" in listed
    assert "Progression, Confirmé, Exemplaire" in listed
    path = "/admin/regles-de-niveau/CAP_RSE/versions/1"
    page = await console.get(path)
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "Confirmé 501 à 700" in shown
    assert "<strong>400</strong>" in page.text  # 6.2 and 6.4 have their own minimum
    assert "Initial (pas un label)" in shown
    exported = await console.get(path + "/regle.yaml")
    assert exported.status_code == 200
    rule = yaml.safe_load(exported.content)
    rule["levels"][2]["min_score"] = 551
    rule["levels"][1]["max_score"] = 550
    changed = yaml.safe_dump(rule, allow_unicode=True).encode()
    stale_form = hidden_fields(page.text, path)
    saved = await console.submit(
        path, path, files={"file": ("regle.yaml", changed, "application/yaml")}
    )
    assert saved.status_code == 303, saved.text[:2000]
    assert saved.headers["location"] == path + "?importee=nouvelle"
    summary = ok(
        await standalone.client.get(
            "/v1/level-rules?referential_code=CAP_RSE", headers=standalone.admin
        )
    )["data"][0]
    assert summary["revision"] == 2
    after = text_of((await console.get(saved.headers["location"])).text)
    assert "c'est la révision 2" in after
    assert "Confirmé 551 à 700" in after
    # The form shown before that import: its ETag is stale.
    rule["levels"][2]["min_score"] = 561
    rule["levels"][1]["max_score"] = 560
    stale = await console.http.post(
        path,
        data=stale_form,
        files={"file": ("regle.yaml", yaml.safe_dump(rule).encode(), "application/yaml")},
    )
    assert stale.status_code == 412
    assert "modifiée entre-temps" in text_of(stale.text)
    # A broken rule: the field named.
    rule["levels"][1]["max_score"] = 100
    broken = await console.submit(
        path, path, files={"file": ("regle.yaml", yaml.safe_dump(rule).encode(), "text/yaml")}
    )
    assert broken.status_code == 422
    assert "levels.1" in text_of(broken.text)
    again = ok(
        await standalone.client.get(
            "/v1/level-rules?referential_code=CAP_RSE", headers=standalone.admin
        )
    )["data"][0]
    assert again["revision"] == 2


async def test_a_rule_for_a_new_version_is_imported_from_the_list(
    standalone: Topology, console: ConsoleClient
) -> None:
    await console.sign_in(DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD)
    exported = await console.get("/admin/regles-de-niveau/CAP_RSE/versions/1/regle.yaml")
    rule = yaml.safe_load(exported.content)
    content = yaml.safe_dump(rule, allow_unicode=True).encode()
    mismatch = await console.submit(
        "/admin/regles-de-niveau",
        "/admin/regles-de-niveau",
        {"code": "CAP_RSE", "version": "2"},
        files={"file": ("regle.yaml", content, "application/yaml")},
    )
    assert mismatch.status_code == 422
    assert "referential.version" in text_of(mismatch.text)
    bad_form = await console.submit(
        "/admin/regles-de-niveau",
        "/admin/regles-de-niveau",
        {"code": "ca\x07p", "version": "x"},
        files={"file": ("regle.yaml", content, "application/yaml")},
    )
    assert bad_form.status_code == 422
    assert "Indiquez le code du référentiel" in text_of(bad_form.text)
    rule["referential"]["version"] = 2
    created = await console.submit(
        "/admin/regles-de-niveau",
        "/admin/regles-de-niveau",
        {"code": "CAP_RSE", "version": "2"},
        files={"file": ("regle.yaml", yaml.safe_dump(rule).encode(), "application/yaml")},
    )
    assert created.status_code == 303, created.text[:2000]
    assert (
        created.headers["location"]
        == "/admin/regles-de-niveau/CAP_RSE/versions/2?importee=nouvelle"
    )
    versions_listed = ok(
        await standalone.client.get(
            "/v1/level-rules?referential_code=CAP_RSE", headers=standalone.admin
        )
    )["data"]
    assert {r["referential_version"] for r in versions_listed} == {1, 2}


async def test_scheme_parameters_are_shown_as_the_services_read_them(
    standalone: Topology, console: ConsoleClient
) -> None:
    await console.sign_in(DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD)
    page = await console.get("/admin/parametres")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "Paramètres de Label CAP RSE" in shown
    assert "Paramètres de Certification CAP ISO 9001" in shown
    assert "Évaluation de suivi après la décision 18 mois follow_up_months" in shown
    assert "Échantillonnage des sites d'un groupement non sampling.allowed" in shown
    assert "les fichiers livrés avec la plateforme" in shown
    assert "<form" not in page.text.split('id="contenu"', 1)[-1]  # read only


async def test_other_roles_get_the_french_403(standalone: Topology, console: ConsoleClient) -> None:
    email = "comite.ref@coorace.example"
    await create_user(
        standalone.client,
        standalone.admin,
        role="committee",
        email=email,
        password="correct horse battery staple",
    )
    await console.sign_in(email, "correct horse battery staple")
    for path in (
        "/admin/referentiels",
        "/admin/referentiels/CAP/differences",
        "/admin/referentiels/CAP/versions/1/export.yaml",
        "/admin/regles-de-niveau",
        "/admin/regles-de-niveau/CAP_RSE/versions/1",
        "/admin/parametres",
    ):
        answer = await console.get(path)
        assert answer.status_code == 403, (path, answer.status_code)
        assert "<html" in answer.text
    posted = await console.post("/admin/referentiels/CAP/versions/1/publication")
    assert posted.status_code == 403


async def test_a_structure_is_offered_a_version_once_it_is_published(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await load_demo(standalone.client, structures=1, timeout=60)
    imported = await standalone.client.post(
        "/v1/referentials",
        headers=standalone.admin,
        files={"file": ("cap-v2.yaml", cap_v(2), "application/yaml")},
    )
    assert imported.status_code == 201, imported.text
    await console.sign_in("claire.martin@atelier-lauragais.example", loaded.password)
    offered = (await console.get("/diagnostics")).text
    assert 'value="CAP@1"' in offered
    assert 'value="CAP@2"' not in offered  # under review
    ok(
        await standalone.client.post(
            "/v1/referentials/CAP/versions/2/publication", headers=standalone.admin
        )
    )
    assert 'value="CAP@2"' in (await console.get("/diagnostics")).text


async def test_the_first_version_of_a_new_referential_is_published_from_the_list(
    standalone: Topology, console: ConsoleClient
) -> None:
    await console.sign_in(DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD)
    text = cap_v(1).decode().replace("urn:coorace:referentiel:cap", "urn:coorace:referentiel:essai")
    doc = yaml.safe_load(text)
    doc["code"] = "ESSAI"
    imported = await import_file(console, yaml.safe_dump(doc, allow_unicode=True).encode())
    assert imported.status_code == 303, imported.text[:2000]
    assert imported.headers["location"] == "/admin/referentiels?importee=ESSAI-1"
    page = await console.get(imported.headers["location"])
    shown = text_of(page.text)
    assert "La version 1 de ESSAI est importée" in shown
    assert "Aucune version publiée" in shown
    published = await console.submit(
        imported.headers["location"], "/admin/referentiels/ESSAI/versions/1/publication"
    )
    assert published.status_code == 303
    assert (await versions(standalone, "ESSAI"))[1]["published_at"] is not None
