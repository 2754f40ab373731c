"""The structure's follow-up screens in a real browser: an action edited in place, an application
made, the team page inviting someone, every page checked (axe, CSP) at 1280 px and the plan and
applications at 375 px too. Each test works on data of its own (a new action, a new application,
a new e-mail), never on what another test may change."""

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


def signed_in(page: Any) -> None:
    """Forget what the gateway's sign-in page logged: its inline style is refused by its own
    Content-Security-Policy (a gateway matter, reported); the console's pages are checked."""
    page.cap_errors.clear()


def api(live: Live, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
    answer = httpx.request(method, f"{live.url}{path}", headers=headers, timeout=30, **kwargs)
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else None


@pytest.mark.browser
def test_a_member_updates_an_action_in_place(chromium: Any, live: Live) -> None:
    claire = token(live, "member_admin")
    plan = api(live, "GET", "/v1/progress-plans", claire)["data"][0]
    read = httpx.get(f"{live.url}/v1/progress-plans/{plan['id']}", headers=claire, timeout=30)
    title = f"Former l'équipe au tri sélectif ({uuid.uuid4().hex[:6]})"
    action = api(
        live,
        "POST",
        f"/v1/progress-plans/{plan['id']}/actions",
        {**claire, "if-match": read.headers["etag"], "idempotency-key": str(uuid.uuid4())},
        json={"title": title, "due_date": "2030-01-15", "priority": "medium"},
    )
    page = new_page(chromium, live, 1280)
    try:
        sign_in(page, *live.account("member"), next="/plan")
        signed_in(page)
        item = page.locator(f"#action-{action['id']}")
        item.get_by_role("link", name=re.compile("^Modifier")).click()
        item.get_by_label("Échéance").fill("2030-06-30")
        item.get_by_label("Statut", exact=True).select_option(label="Passer à « En cours »")
        item.get_by_label("Responsable").fill("Karim Benali")
        check(page, "plan-action-form")
        item.get_by_role("button", name="Enregistrer").click()
        saved = page.locator(f"#action-{action['id']}")
        saved.get_by_text("Modification enregistrée").wait_for()
        assert "En cours" in saved.inner_text()
        assert "30 juin 2030" in saved.inner_text()
        check(page, "plan")
        held = api(live, "GET", f"/v1/actions/{action['id']}", claire)
        assert (held["status"], held["due_date"], held["owner"]) == (
            "in_progress",
            "2030-06-30",
            "Karim Benali",
        )

        # a follow-up review on the action's own page
        saved.get_by_role("link", name=re.compile("^Suivi et revues")).click()
        page.get_by_label("Où en est l'action ?").fill("Deux sessions sur trois faites.")
        page.get_by_label("Avancement (en %)").fill("60")
        page.get_by_role("button", name="Enregistrer la revue").click()
        page.get_by_text("La revue a été enregistrée").wait_for()
        assert page.get_by_text("Deux sessions sur trois faites.").is_visible()
        check(page, "plan-action")
        reviews = api(live, "GET", f"/v1/actions/{action['id']}", claire)["reviews"]
        assert (reviews[-1]["note"], reviews[-1]["progress"]) == (
            "Deux sessions sur trois faites.",
            60,
        )
    finally:
        page.context.close()


@pytest.mark.browser
def test_the_plan_and_applications_at_each_width(chromium: Any, live: Live, width: int) -> None:
    page = new_page(chromium, live, width)
    try:
        sign_in(page, *live.account("member_admin"), next="/plan")
        signed_in(page)
        assert page.get_by_role("heading", level=1).inner_text() == "Plan de progrès"
        assert page.get_by_role("link", name="Télécharger le plan (CSV)").is_visible()
        check(page, "plan-overview")
        page.goto("/candidatures")
        assert page.get_by_role("heading", name="Votre éligibilité").is_visible()
        check(page, "candidatures")
        if width == 1280:
            page.goto("/audits")
            assert page.get_by_role("heading", level=1).inner_text() == "Audits"
            check(page, "audits")
    finally:
        page.context.close()


@pytest.mark.browser
def test_an_application_made_in_the_browser(chromium: Any, live: Live) -> None:
    claire = token(live, "member_admin")
    own = {a["organisation_id"] for a in api(live, "GET", "/v1/applications", claire)["data"]}
    partner = next(o for o in live.demo.organisations.values() if o not in own)
    page = new_page(chromium, live, 1280)
    try:
        sign_in(page, *live.account("member_admin"), next="/candidatures")
        signed_in(page)
        assert page.get_by_text("Diagnostic terminé").first.is_visible()
        page.get_by_label("Certification CAP ISO 9001").check()
        page.get_by_label("Motivation (facultatif)").fill("Nos clients du BTP la demandent.")
        page.get_by_label(re.compile("^Candidater en groupement")).check()
        page.get_by_label("Identifiants des structures du groupement").fill(partner)
        page.get_by_role("button", name="Déposer la candidature").click()
        page.get_by_text("Votre candidature a été déposée").wait_for()
        assert page.get_by_text("En attente des membres du groupement").first.is_visible()
        assert page.get_by_text("est éligible grâce au diagnostic CAP terminé le").is_visible()
        check(page, "candidature")
        application_id = page.url.split("/candidatures/")[1].split("?")[0]
        held = api(live, "GET", f"/v1/applications/{application_id}", claire)
        assert (held["scheme"], held["status"]) == ("CAP_ISO9001", "awaiting_consent")
        assert [i["organisation_id"] for i in held["invitations"]] == [partner]
    finally:
        page.context.close()


@pytest.mark.browser
def test_the_team_page_invites_someone(chromium: Any, live: Live) -> None:
    email = f"lea.{uuid.uuid4().hex[:6]}@atelier-lauragais.example"
    page = new_page(chromium, live, 1280)
    try:
        sign_in(page, *live.account("member_admin"), next="/equipe")
        signed_in(page)
        check(page, "equipe")
        form = page.locator("form[action='/equipe/invitations']")
        form.get_by_label("Nom et prénom").fill("Léa Garcia")
        form.get_by_label("Adresse e-mail").fill(email)
        form.get_by_label("Membre", exact=True).check()
        form.get_by_role("button", name="Envoyer l'invitation").click()
        page.get_by_text("Invitation créée pour Léa Garcia").wait_for()
        assert page.get_by_role("cell", name=email).is_visible()
        check(page, "equipe-invitation")
        pending = api(live, "GET", "/v1/invitations", token(live, "member_admin"))["data"]
        assert any(i["email"] == email and i["role"] == "member" for i in pending)
    finally:
        page.context.close()
