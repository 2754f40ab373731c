"""The administrators' network and certification screens in a real browser: every page checked
(axe-core, CSP) at 375 px and 1280 px, and an administrator who registers a certification body,
an auditor with a qualification, and an impartiality declaration, by keyboard and mouse, the
refused form checked as well. Each test makes data of its own (a new body, a new auditor)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

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


def api(live: Live, path: str, headers: dict[str, str], **params: Any) -> Any:
    answer = httpx.get(f"{live.url}{path}", headers=headers, params=params, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def signed_in(page: Any) -> None:
    """Forget what the gateway's sign-in page logged (its own CSP matter); the console's pages
    are checked."""
    page.cap_errors.clear()


@pytest.mark.browser
def test_every_network_page_passes_axe(chromium: Any, live: Live, width: int) -> None:
    admin = token(live, "admin")
    organisation = api(live, "/v1/organisations", admin)["data"][0]
    person = api(live, "/v1/users", admin, role="facilitator")["data"][0]
    body = api(live, "/v1/certification-bodies", admin)["data"][0]
    auditor = api(live, "/v1/auditors", admin)["data"][0]
    member = api(live, "/v1/users", admin, role="committee")["data"][0]
    pages = {
        "admin-structures": "/admin/structures",
        "admin-structure": f"/admin/structures/{organisation['id']}",
        "admin-people": "/admin/personnes",
        "admin-person": f"/admin/personnes/{person['id']}",
        "admin-bodies": "/admin/organismes",
        "admin-body": f"/admin/organismes/{body['id']}",
        "admin-auditors": "/admin/auditeurs",
        "admin-auditor": f"/admin/auditeurs/{auditor['id']}",
        "admin-impartiality": "/admin/impartialite",
        "admin-impartiality-auditor": f"/admin/impartialite/auditeurs/{auditor['id']}",
        "admin-impartiality-committee": f"/admin/impartialite/comite/{member['id']}",
    }
    page = new_page(chromium, live, width)
    try:
        sign_in(page, *live.account("admin"), next="/admin")
        signed_in(page)
        check(page, "admin-home")
        for name, path in pages.items():
            page.goto(path)
            assert page.locator("h1").count() == 1, path
            check(page, name)
        # a refused form is checked too (errors tied to their fields)
        page.goto("/admin/structures")
        page.get_by_role("button", name="Inscrire la structure").click()
        page.wait_for_load_state("networkidle")
        # the browser's own checks stop an empty required field: nothing was sent
        assert page.url.endswith("/admin/structures")
    finally:
        page.context.close()


@pytest.mark.browser
def test_an_administrator_sets_up_a_body_its_auditor_and_a_declaration(
    chromium: Any, live: Live
) -> None:
    admin = token(live, "admin")
    body_id = f"qualicert-{uuid.uuid4().hex[:6]}"
    name = f"Lucie Moreau {uuid.uuid4().hex[:4]}"
    page = new_page(chromium, live, 1280)
    try:
        sign_in(page, *live.account("admin"), next="/admin")
        signed_in(page)
        page.get_by_role("link", name="Organismes certificateurs").click()
        page.get_by_label("Identifiant court").fill(body_id)
        page.get_by_label("Nom de l'organisme").fill("Qualicert Sud")
        page.get_by_label("Label CAP RSE").check()
        page.get_by_role("button", name="Enregistrer l'organisme").click()
        page.get_by_text("L'organisme est enregistré").wait_for()
        assert page.locator("h1").inner_text() == "Qualicert Sud"
        check(page, "admin-body-created")

        # the connection refused (an address that is not one), then made
        page.get_by_label("Adresse de l'API").fill("https://qualicert.example/api")
        page.get_by_label("Adresse des jetons (OAuth2)").fill("https://qualicert.example/token")
        page.get_by_label("Identifiant client").fill("cap")
        page.get_by_label("Secret client").fill("court")
        page.get_by_role("button", name="Connecter l'organisme").click()
        page.get_by_text("8 caractères au moins").wait_for()
        check(page, "admin-body-connection-refused")
        page.get_by_label("Secret client").fill("un-secret-assez-long")
        page.get_by_role("button", name="Connecter l'organisme").click()
        page.get_by_text("La connexion est enregistrée").wait_for()
        assert "un-secret-assez-long" not in page.content()
        held = api(live, f"/v1/certification-bodies/{body_id}/connection", admin)
        assert held["client_id"] == "cap"

        # an auditor of the body, qualified for CAP RSE
        page.goto(f"/admin/auditeurs?organisme={body_id}")
        page.get_by_label("Organisme certificateur", exact=True).last.select_option(body_id)
        page.get_by_label("Nom et prénom").fill(name)
        page.get_by_label("Valide du").first.fill("2026-01-01")
        page.get_by_label("au", exact=True).first.fill("2029-12-31")
        page.get_by_role("button", name="Enregistrer l'auditeur").click()
        page.get_by_text("L'auditeur est enregistré").wait_for()
        check(page, "admin-auditor-created")
        auditors = api(live, "/v1/auditors", admin, certification_body_id=body_id)["data"]
        assert [(a["name"], a["qualifications"][0]["valid_until"]) for a in auditors] == [
            (name, "2029-12-31")
        ]

        # their impartiality: a consultancy given to a structure
        page.get_by_role("link", name=re.compile("^Impartialité de")).click()
        page.get_by_label("Structure concernée").select_option(index=1)
        page.get_by_label("Nature").select_option("consultancy")
        page.get_by_label("Date").fill("2026-03-02")
        page.get_by_role("button", name="Enregistrer l'engagement").click()
        page.get_by_text("L'engagement est enregistré").wait_for()
        assert "2 mars 2026" in page.locator("main").inner_text()
        check(page, "admin-engagement-recorded")
        held = api(live, f"/v1/auditors/{auditors[0]['id']}/engagements", admin)["data"]
        assert [(e["kind"], e["on"]) for e in held] == [("consultancy", "2026-03-02")]
    finally:
        page.context.close()


@pytest.mark.browser
def test_an_administrator_gives_a_region_and_suspends_by_keyboard(
    chromium: Any, live: Live
) -> None:
    admin = token(live, "admin")
    email = f"animateur.{uuid.uuid4().hex[:6]}@coorace.example"
    invited = httpx.post(
        f"{live.url}/v1/invitations",
        json={"email": email, "name": "Paul Animateur", "role": "committee"},
        headers={**admin, "idempotency-key": str(uuid.uuid4())},
        timeout=30,
    )
    assert invited.status_code == 201, invited.text
    accepted = httpx.post(
        f"{live.url}/v1/invitations/accept",
        json={"token": invited.json()["token"], "password": "correct horse battery staple"},
        timeout=30,
    )
    assert accepted.status_code == 201, accepted.text
    user_id = accepted.json()["id"]
    page = new_page(chromium, live, 375)
    try:
        sign_in(page, *live.account("admin"), next=f"/admin/personnes/{user_id}")
        signed_in(page)
        assert page.locator("h1").inner_text() == "Paul Animateur"
        # by keyboard only: type to choose in each list, Tab to move on, Enter to send
        page.locator("#f-role").focus()
        page.keyboard.type("Anim")
        page.keyboard.press("Tab")  # the structure: none
        page.keyboard.press("Tab")
        page.keyboard.type("Bret")
        page.keyboard.press("Tab")  # the body: none
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert "Ajouter le rôle" in focused
        page.keyboard.press("Enter")
        page.get_by_text("Le rôle a été ajouté.").wait_for()
        check(page, "admin-person-role-added")
        roles = page.get_by_role("table", name=re.compile("Les rôles de Paul Animateur"))
        assert "région Bretagne" in roles.inner_text()

        page.get_by_role("button", name="Suspendre le compte").focus()
        page.keyboard.press("Enter")
        page.get_by_text("Le compte est suspendu").wait_for()
        check(page, "admin-person-suspended")
        held = api(live, f"/v1/users/{user_id}", admin)
        assert held["status"] == "disabled"
        assert sorted((m["role"], m["region"] or "") for m in held["memberships"]) == [
            ("committee", ""),
            ("facilitator", "53"),
        ]
    finally:
        page.context.close()
