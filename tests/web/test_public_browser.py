"""The public screens in a real browser, on the live platform with the demo network: the QR
code's URL lands on the verification page, the registry searched as a person types, a
recognition's page and its certificate, and a complaint sent from it."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import Live, check, new_page


def entries(live: Live, **params: str) -> list[dict[str, Any]]:
    """The registry as the API gives it (what the browser should show)."""
    answer = httpx.get(f"{live.url}/v1/registry/recognitions", params=params, timeout=15)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["data"]
    assert found, "the demo network has recognitions"
    return found


@pytest.mark.browser
def test_the_qr_code_url_lands_on_the_verification_page(chromium: Any, live: Live) -> None:
    from playwright.sync_api import expect

    shown = entries(live, scheme="CAP_RSE")[0]
    code = shown["verification_url"].rsplit("/", 1)[-1]
    phone = new_page(chromium, live, 375)
    try:
        # what a phone opens when it scans the certificate's QR code
        phone.goto(shown["verification_url"])
        phone.wait_for_url(f"**/verifier/{code}")
        expect(phone.get_by_role("heading", level=1)).to_have_text("Label valide")
        expect(phone.get_by_text(shown["holder"]["name"]).first).to_be_visible()
        expect(phone.get_by_role("cell", name="Valide").first).to_be_visible()
        check(phone, "verification-valide")
    finally:
        phone.context.close()
    page = new_page(chromium, live)
    try:
        page.goto(shown["verification_url"])
        page.wait_for_url(f"**/verifier/{code}")
        check(page, "verification-valide")

        # a code typed by hand, as people type it
        page.goto("/verifier")
        check(page, "verifier")
        page.get_by_label("Code de vérification").fill(code.lower().replace("-", " "))
        page.get_by_role("button", name="Vérifier").click()
        page.wait_for_url(f"**/verifier/{code}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Label valide")

        page.goto("/verifier/ZZZZ-ZZZZ-ZZZZ")
        expect(page.get_by_role("heading", level=1)).to_have_text("Code inconnu")
        check(page, "verification-inconnue")
    finally:
        page.context.close()
    # an API client keeps the JSON at the same address
    api = httpx.get(shown["verification_url"], headers={"accept": "application/json"}, timeout=15)
    assert api.status_code == 200
    assert api.json()["number"] == shown["number"]


@pytest.mark.browser
def test_the_registry_is_searched_as_one_types_and_a_certificate_downloaded(
    chromium: Any, live: Live, width: int
) -> None:
    from playwright.sync_api import expect

    shown = entries(live, scheme="CAP_RSE")[0]
    name = shown["holder"]["name"]
    words = name.split()[0]
    page = new_page(chromium, live, width)
    try:
        page.goto("/registre")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Registre public")
        check(page, "registre")

        page.get_by_label("Nom de la structure").fill(words)
        results = page.locator("#resultats")
        expect(results.get_by_role("link", name=name)).to_be_visible()
        expect(page).to_have_url(re.compile(r"q="))  # the address follows the search
        page.get_by_label("Dispositif").select_option("CAP_RSE")
        expect(page).to_have_url(re.compile(r"scheme=CAP_RSE"))
        expect(results.get_by_role("link", name=name)).to_be_visible()

        page.get_by_label("Nom de la structure").fill("zzzz introuvable")
        expect(results).to_contain_text("Aucune structure ne correspond")
        expect(page.locator("#result-count")).to_have_text("Aucun résultat.")
        check(page, "registre-vide")

        page.get_by_label("Nom de la structure").fill(words)
        results.get_by_role("link", name=name).click()
        page.wait_for_url(f"**/registre/{shown['number']}")
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        expect(page.get_by_role("table", name="Historique du statut")).to_be_visible()
        check(page, "fiche")

        with page.expect_download() as download:
            page.get_by_role("link", name="Télécharger le certificat (PDF)").click()
        pdf = download.value
        assert pdf.suggested_filename.endswith(".pdf")
        with open(pdf.path(), "rb") as handle:
            assert handle.read(5) == b"%PDF-"
    finally:
        page.context.close()


@pytest.mark.browser
def test_a_complaint_is_sent_from_a_recognition_page(chromium: Any, live: Live) -> None:
    from playwright.sync_api import expect

    shown = entries(live)[0]
    page = new_page(chromium, live)
    try:
        page.goto(f"/registre/{shown['number']}")
        page.get_by_role("link", name="Signaler un problème").click()
        page.wait_for_url("**/reclamation?numero=*")
        expect(page.get_by_label("Numéro de la reconnaissance")).to_have_value(shown["number"])
        check(page, "reclamation")

        page.get_by_label("Votre nom").fill("Paul Navarro")
        page.get_by_label("Votre adresse e-mail").fill("paul.navarro@example.org")
        page.get_by_label("Votre message").fill(
            "Le logo du label apparaît sur le site d'une autre structure que le titulaire."
        )
        page.wait_for_timeout(3200)  # a person takes longer than the form's minimum
        page.get_by_role("button", name="Envoyer la réclamation").click()
        page.wait_for_url("**/reclamation/recue?*")
        expect(page.get_by_role("heading", level=1)).to_have_text("Réclamation reçue")
        reference = page.locator(".reference").inner_text()
        assert re.fullmatch(r"R-[A-Z0-9-]+", reference)
        check(page, "reclamation-recue")
        # the draft kept in the browser while typing is cleared once the registry has it
        assert (
            page.evaluate(
                "Object.keys(localStorage).filter(k => k.startsWith('cap-draft:reclamation'))"
            )
            == []
        )
    finally:
        page.context.close()

    email, password = live.account("admin")
    token = httpx.post(
        f"{live.url}/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
        timeout=15,
    ).json()["access_token"]
    held = httpx.get(
        f"{live.url}/v1/complaints",
        params={"limit": 200},
        headers={"authorization": f"Bearer {token}"},
        timeout=15,
    ).json()["data"]
    (complaint,) = [c for c in held if c["reference"] == reference]
    assert complaint["number"] == shown["number"]
    assert complaint["reporter_email"] == "paul.navarro@example.org"
