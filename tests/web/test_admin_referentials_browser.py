"""The administrators' referential screens in a real browser: an admin imports a new version of
a referential, reads its differences with the version in use and publishes it; the level rules
and the scheme parameters are read. Every page is checked (axe, CSP) at 375 px and 1280 px.

The referential is one of the test's own (a copy of CAP under another code and URN, its
version 1 imported and published through the API first): publishing a version of a shipped
referential would change what the other tests' new diagnostics are opened on.
"""

from __future__ import annotations

import re
import uuid
from importlib import resources
from typing import Any

import httpx
import pytest
import yaml

from .conftest import Live, check, new_page, sign_in


def token(live: Live, role: str) -> dict[str, str]:
    """The demo person's Authorization header, for setting up and checking through the API."""
    email, password = live.account(role)
    answer = httpx.post(
        f"{live.url}/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return {"authorization": f"Bearer {answer.json()['access_token']}"}


def rename(suffix: str, version: int) -> tuple[str, str, bytes]:
    """A referential of this test's own (CAP's content under a new code and URN) at
    ``version``: its code, its URN, its file (version 2 reweighs, renames, removes)."""
    text = (
        resources.files("cap_diagnostic.referentials")
        .joinpath("library", "cap-v1.yaml")
        .read_text(encoding="utf-8")
    )
    urn = f"urn:coorace:referentiel:essai-{suffix}"
    code = f"ESSAI_{suffix.upper()}"
    doc = yaml.safe_load(text.replace("urn:coorace:referentiel:cap", urn))
    doc["code"], doc["version"], doc["name"] = code, version, f"Référentiel d'essai {suffix}"
    if version > 1:
        criteria = doc["themes"][0]["criteria"]
        criteria[0]["weight"] = 2.5
        criteria[1]["name"] = "Gouvernance partagée avec les salariés en parcours"
        criteria.pop(4)
    return code, urn, yaml.safe_dump(doc, allow_unicode=True).encode()


def signed_in(page: Any) -> None:
    """Forget what the gateway's sign-in page logged (its own CSP matter); the console's pages
    are checked."""
    page.cap_errors.clear()


@pytest.mark.browser
def test_an_admin_imports_a_version_reads_the_differences_and_publishes_it(
    chromium: Any, live: Live, width: int
) -> None:
    admin = token(live, "admin")
    suffix = uuid.uuid4().hex[:6]
    code, _, first = rename(suffix, 1)
    imported = httpx.post(
        f"{live.url}/v1/referentials",
        headers=admin,
        files={"file": ("essai-v1.yaml", first, "application/yaml")},
        timeout=30,
    )
    assert imported.status_code == 201, imported.text
    published = httpx.post(
        f"{live.url}/v1/referentials/{code}/versions/1/publication", headers=admin, timeout=30
    )
    assert published.status_code == 200, published.text
    _, _, second = rename(suffix, 2)
    page = new_page(chromium, live, width)
    try:
        sign_in(page, *live.account("admin"), next="/admin/referentiels")
        signed_in(page)
        assert page.locator("h1").inner_text() == "Référentiels"
        check(page, "admin-referentiels")
        page.get_by_label("Fichier du référentiel").set_input_files(
            {"name": "essai-v2.yaml", "mimeType": "application/yaml", "buffer": second}
        )
        page.get_by_role("button", name="Importer", exact=True).click()
        page.wait_for_url(re.compile(rf"/admin/referentiels/{code}/differences\?de=1&a=2"))
        assert "Différences entre deux versions" in page.locator("h1").inner_text()
        changed = page.get_by_role("table", name=re.compile("Critères modifiés"))
        assert "2.5" in changed.inner_text()
        assert "Gouvernance partagée" in changed.inner_text()
        removed = page.get_by_role("table", name=re.compile("Critères retirés"))
        assert "T1.5" in removed.inner_text()
        check(page, "admin-referentiel-differences")
        # Not yet in use: the API still offers version 1.
        listed = httpx.get(f"{live.url}/v1/referentials", headers=admin, timeout=30).json()
        (mine,) = [r for r in listed["data"] if r["code"] == code and r["version"] == 2]
        assert mine["published_at"] is None
        button = page.get_by_role("button", name=f"Publier la version 2 de {code}")
        button.focus()
        page.keyboard.press("Enter")  # nothing needs a mouse
        page.wait_for_url(re.compile(r"/admin/referentiels\?publiee="))
        assert "est publiée" in page.get_by_role("status").first.inner_text()
        check(page, "admin-referentiels-publiee")
        listed = httpx.get(f"{live.url}/v1/referentials", headers=admin, timeout=30).json()
        (mine,) = [r for r in listed["data"] if r["code"] == code and r["version"] == 2]
        assert mine["published_at"] is not None
        page.get_by_role("link", name=f"Version 2 de {code}").click()
        page.wait_for_url(re.compile(rf"/admin/referentiels/{code}/versions/2$"))
        assert "(version en usage)" in page.locator("main").inner_text()
        check(page, "admin-referentiel-version")
    finally:
        page.context.close()


@pytest.mark.browser
def test_an_admin_reads_the_level_rules_and_the_scheme_parameters(
    chromium: Any, live: Live, width: int
) -> None:
    page = new_page(chromium, live, width)
    try:
        sign_in(page, *live.account("admin"), next="/admin")
        signed_in(page)
        check(page, "admin-index")
        page.get_by_role("link", name="Règles de niveau").click()
        page.wait_for_url(re.compile("/admin/regles-de-niveau$"))
        check(page, "admin-regles-de-niveau")
        page.get_by_role("link", name="CAP_RSE version 1").click()
        page.wait_for_url(re.compile("/admin/regles-de-niveau/CAP_RSE/versions/1$"))
        thresholds = page.get_by_role("table", name=re.compile("Seuils de chaque niveau"))
        assert "501 à 700" in thresholds.inner_text()
        check(page, "admin-regle-de-niveau")
        page.goto("/admin/parametres")
        assert (
            "18 mois" in page.get_by_role("table", name="Paramètres de Label CAP RSE").inner_text()
        )
        check(page, "admin-parametres")
    finally:
        page.context.close()
