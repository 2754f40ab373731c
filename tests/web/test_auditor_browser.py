"""The auditor's screens in a real browser: Marc records a stage 2 with a major nonconformity,
the structure answers it on its own audit page, Marc accepts the action plan; the list, the
audit and the checklist checked (axe, CSP) at 375 px and 1280 px.

The demo network's planned audit is Tremplin Intérim Toulouse's ISO 9001 stage 1 (Claire's
structure has no ISO audit): the test closes that stage 1 and opens the stage 2 through the
API, and a member_admin of Tremplin, invited for the test, answers the major."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from cap_shared.clock import today

from .conftest import Live, check, new_page, sign_in


def token(live: Live, role: str) -> dict[str, str]:
    """The demo person's Authorization header, for setting up and checking through the API."""
    email, password = live.account(role)
    return bearer(live, email, password)


def bearer(live: Live, email: str, password: str) -> dict[str, str]:
    answer = httpx.post(
        f"{live.url}/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return {"authorization": f"Bearer {answer.json()['access_token']}"}


def api(live: Live, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
    answer = httpx.request(method, f"{live.url}{path}", headers=headers, timeout=30, **kwargs)
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else None


def signed_in(page: Any) -> None:
    """Forget what the gateway's sign-in page logged (its own CSP matter, as elsewhere)."""
    page.cap_errors.clear()


def open_stage2(live: Live) -> tuple[str, str]:
    """The demo's stage 1 run and closed, its stage 2 opened and planned with Marc (the lead):
    the stage 2's id and its structure's id."""
    admin = token(live, "admin")
    stage1 = api(live, "GET", f"/v1/audits/{live.demo.links['audit_id']}", admin)
    url = f"/v1/audits/{stage1['id']}/transitions"
    for step, extra in (("start", {}), ("submit_report", {"summary": "Étape 1 sans écart."})):
        if step in api(live, "GET", f"/v1/audits/{stage1['id']}", admin)["allowed_steps"]:
            api(live, "POST", url, admin, json={"step": step, **extra})
    if "close" in api(live, "GET", f"/v1/audits/{stage1['id']}", admin)["allowed_steps"]:
        api(live, "POST", url, admin, json={"step": "close"})
    stage2 = api(
        live,
        "POST",
        f"/v1/audit-programmes/{stage1['programme_id']}/audits",
        admin,
        json={"type": "stage2"},
    )
    api(live, "POST", f"/v1/audits/{stage2['id']}/transitions", admin, json={"step": "accept"})
    read = httpx.get(f"{live.url}/v1/audits/{stage2['id']}", headers=admin, timeout=30)
    lead = stage1["team"][0]["auditor_id"]
    start = today() + timedelta(days=40)
    api(
        live,
        "PUT",
        f"/v1/audits/{stage2['id']}/plan",
        {**admin, "if-match": read.headers["etag"]},
        json={
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=1)).isoformat(),
            "plan": "Jour 1 : processus de délégation. Jour 2 : agences et clients.",
            "team": [
                {
                    "auditor_id": lead,
                    "role": "lead",
                    "declaration": "Aucun lien avec la structure depuis trois ans.",
                }
            ],
        },
    )
    return str(stage2["id"]), str(stage1["organisation_id"])


def structure_person(live: Live, organisation_id: str) -> tuple[str, str]:
    """A member_admin of the audited structure, invited by the administrator."""
    email = f"qualite.{uuid.uuid4().hex[:8]}@tremplin.example"
    password = "correct horse battery staple"
    invited = api(
        live,
        "POST",
        "/v1/invitations",
        token(live, "admin"),
        json={
            "email": email,
            "name": "Responsable qualité",
            "role": "member_admin",
            "organisation_id": organisation_id,
        },
    )
    api(
        live,
        "POST",
        "/v1/invitations/accept",
        {},
        json={"token": invited["token"], "password": password},
    )
    return email, password


@pytest.mark.browser
def test_an_auditor_records_a_stage2_major_the_structure_answers_it(
    chromium: Any, live: Live
) -> None:
    audit_id, organisation_id = open_stage2(live)
    marc = new_page(chromium, live, 1280)
    try:
        sign_in(marc, *live.account("auditor"), next="/auditeur/audits")
        signed_in(marc)
        assert marc.get_by_role("heading", level=1).inner_text() == "Mes audits"
        check(marc, "auditeur-audits")
        marc.locator(f'a[href="/auditeur/audits/{audit_id}"]').click()
        assert "Audit initial, étape 2" in marc.get_by_role("heading", level=1).inner_text()
        check(marc, "auditeur-audit-planifie")

        # the lead re-plans the day, then starts the audit
        marc.get_by_label("Déroulé de l'audit").fill(
            "Jour 1 : ouverture, délégation, recrutement.\nJour 2 : deux agences, clôture."
        )
        marc.get_by_role("button", name="Enregistrer le plan").click()
        marc.get_by_text("Le plan d'audit est enregistré.").wait_for()
        marc.get_by_role("button", name="Démarrer l'audit").click()
        marc.get_by_text("L'étape est enregistrée.").wait_for()

        # the checklist, then a major recorded on a clause with its evidence
        marc.get_by_role("link", name=re.compile("^Grille d'audit")).click()
        assert marc.get_by_role("heading", level=1).inner_text().startswith("Grille d'audit")
        check(marc, "auditeur-grille")
        marc.get_by_role("link", name="Enregistrer un constat sur Q7.1").first.click()
        marc.get_by_label("Non-conformité majeure").check()
        marc.get_by_label("Intitulé du constat").fill(
            "Habilitations des intérimaires non vérifiées"
        )
        marc.get_by_label("Description (ce qui a été constaté)").fill(
            "Trois missions BTP sans contrôle des CACES."
        )
        assert marc.get_by_label("Exigence (article, par exemple 7.1.5)").input_value() == "7.1"
        marc.get_by_label("Exigence (article, par exemple 7.1.5)").fill("7.2")
        marc.get_by_label("Intitulé de la preuve 1").fill("Dossiers de mission (échantillon de 10)")
        marc.get_by_role("button", name="Enregistrer le constat").click()
        marc.get_by_text("Le constat est enregistré.").wait_for()
        check(marc, "auditeur-audit-constat")
        marc.get_by_label("Synthèse du rapport").fill("Une non-conformité majeure (7.2).")
        marc.get_by_role("button", name="Remettre le rapport").click()
        marc.get_by_text("L'étape est enregistrée.").wait_for()
    finally:
        marc.context.close()
    admin = token(live, "admin")
    (major,) = [
        f
        for f in api(live, "GET", f"/v1/audits/{audit_id}/findings", admin)["data"]
        if f["type"] == "major_nc"
    ]
    assert (major["clause"], major["status"]) == ("7.2", "open")
    assert api(live, "GET", f"/v1/audits/{audit_id}", admin)["status"] == "report_submitted"

    # the structure answers on its own audit page
    structure = new_page(chromium, live, 1280)
    try:
        sign_in(structure, *structure_person(live, organisation_id), next=f"/audits/{audit_id}")
        signed_in(structure)
        card = structure.locator(f"#constat-{major['id']}")
        card.get_by_label(re.compile("^Cause")).fill(
            "Aucun contrôle des habilitations à la mise à disposition."
        )
        card.get_by_label(re.compile("^Correction")).fill("Les trois CACES vérifiés et classés.")
        card.get_by_label(re.compile("^Action corrective")).fill(
            "Contrôle bloquant dans le logiciel de paie."
        )
        card.get_by_label("Échéance de l'action corrective").fill("2031-03-31")
        card.get_by_role("button", name="Envoyer la réponse").click()
        structure.get_by_text("Votre réponse a été envoyée").wait_for()
    finally:
        structure.context.close()

    # Marc reviews the answer: the plan accepted
    marc = new_page(chromium, live, 1280)
    try:
        sign_in(marc, *live.account("auditor"), next=f"/auditeur/audits/{audit_id}")
        signed_in(marc)
        card = marc.locator(f"#constat-{major['id']}")
        assert "Contrôle bloquant dans le logiciel de paie." in card.inner_text()
        check(marc, "auditeur-revue")
        card.get_by_label("Accepter le plan d'action").check()
        card.get_by_label("Commentaire pour la structure").fill(
            "Plan pertinent ; preuve à l'étape suivante."
        )
        card.get_by_role("button", name="Enregistrer la décision").click()
        marc.get_by_text("Votre décision sur la réponse est enregistrée.").wait_for()
    finally:
        marc.context.close()
    held = api(live, "GET", f"/v1/findings/{major['id']}", admin)
    assert (held["status"], held["corrective_action"]) == (
        "plan_accepted",
        "Contrôle bloquant dans le logiciel de paie.",
    )


@pytest.mark.browser
def test_the_auditor_pages_at_375px(chromium: Any, live: Live) -> None:
    page = new_page(chromium, live, 375)
    try:
        sign_in(page, *live.account("auditor"), next="/auditeur/audits")
        signed_in(page)
        check(page, "auditeur-audits")
        page.locator('a[href^="/auditeur/audits/"]').first.click()
        page.get_by_role("heading", level=1).wait_for()
        check(page, "auditeur-audit")
        page.get_by_role("link", name=re.compile("^Grille d'audit")).click()
        page.get_by_role("heading", level=1).wait_for()
        check(page, "auditeur-grille")
    finally:
        page.context.close()
