"""The committee's screens in a real browser: Anne decides the demo network's CAP RSE file
(Solidarité Emploi Montpellier Métropole, Confirmé by the rule from Marc's evaluation) after
reading the rule's explanation and her impartiality checks; the queue, the file and the appeals
checked (axe, CSP) at 375 px and 1280 px.

The width test reads the file whatever its state (the explanation is kept with a decided file),
so it holds before and after the decision test."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import Live, check, new_page, sign_in

HOLDER = "Solidarité Emploi Montpellier Métropole"


def token(live: Live, role: str) -> dict[str, str]:
    """The demo person's Authorization header, for checking through the API."""
    email, password = live.account(role)
    answer = httpx.post(
        f"{live.url}/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return {"authorization": f"Bearer {answer.json()['access_token']}"}


def signed_in(page: Any) -> None:
    """Forget what the gateway's sign-in page logged (its own CSP matter): the console's pages
    are checked."""
    page.cap_errors.clear()


@pytest.mark.browser
def test_the_committee_pages_at_each_width(chromium: Any, live: Live, width: int) -> None:
    file_id = live.demo.links["decision_id"]
    page = new_page(chromium, live, width)
    try:
        sign_in(page, *live.account("committee"), next="/comite")
        signed_in(page)
        assert page.get_by_role("heading", level=1).inner_text() == "Comité de labellisation"
        check(page, "comite")
        page.goto(f"/comite/dossiers/{file_id}")
        assert HOLDER in page.get_by_role("heading", level=1).inner_text()
        assert page.get_by_role("table", name=re.compile("Seuils de la règle")).is_visible()
        check(page, "comite-dossier")
        page.goto("/comite/recours")
        assert page.get_by_role("heading", level=1).inner_text() == "Recours"
        check(page, "comite-recours")
    finally:
        page.context.close()


@pytest.mark.browser
def test_the_committee_decides_a_cap_rse_file_reading_the_rule(chromium: Any, live: Live) -> None:
    file_id = live.demo.links["decision_id"]
    anne = token(live, "committee")
    before = httpx.get(f"{live.url}/v1/decisions/{file_id}", headers=anne, timeout=30).json()
    assert (before["status"], before["computed_level"]) == ("pending", "Confirmé")
    page = new_page(chromium, live, 1280)
    try:
        sign_in(page, *live.account("committee"), next="/comite")
        signed_in(page)
        to_decide = page.get_by_role("table", name=re.compile("Dossiers à décider"))
        to_decide.get_by_role("link", name=HOLDER).click()
        page.wait_for_url(f"**/comite/dossiers/{file_id}")

        # The rule's explanation: the level, why not higher, the thresholds, the core criteria.
        assert page.get_by_text("Niveau donné par la règle : Confirmé").is_visible()
        why = page.locator("ul.reasons").first.inner_text()
        assert re.search(r"Exemplaire : score global \d+ inférieur à 701", why), why
        thresholds = page.get_by_role("table", name=re.compile("Seuils de la règle"))
        confirmed = thresholds.get_by_role("row", name=re.compile("^Confirmé"))
        assert "Seuils atteints" in confirmed.inner_text()
        top = thresholds.get_by_role("row", name=re.compile("^Exemplaire"))
        assert "Seuils non atteints" in top.inner_text()
        assert page.get_by_role(
            "table", name=re.compile("Questions centrales de l'ISO 26000")
        ).is_visible()
        assert page.get_by_text(re.compile("Critères essentiels du référentiel")).is_visible()
        # Her impartiality checks, each passed.
        checks = page.get_by_role("table", name=re.compile("contrôles d'impartialité"))
        assert checks.get_by_text("Satisfait", exact=True).count() == 3
        assert page.get_by_text("Vous pouvez décider de ce dossier").is_visible()
        check(page, "comite-dossier-a-decider")

        # The decision, by keyboard: confirm at the computed level, with the label's scope.
        page.get_by_label("Confirmer le niveau").check()
        assert page.get_by_label("Niveau attribué (si vous confirmez)").input_value() == "Confirmé"
        page.get_by_label("Périmètre du label (si vous confirmez)").fill(
            "Mise à disposition de personnel sur la métropole de Montpellier"
        )
        page.get_by_label("Motif").focus()
        page.keyboard.type("Évaluation complète, aucune non-conformité.")
        page.get_by_role("button", name="Enregistrer la décision").press("Enter")
        page.get_by_text("Votre décision est enregistrée.").wait_for()
        assert page.get_by_text(re.compile("Label attribué au niveau Confirmé")).is_visible()
        check(page, "comite-dossier-decide")
    finally:
        page.context.close()
    after = httpx.get(f"{live.url}/v1/decisions/{file_id}", headers=anne, timeout=30).json()
    assert (after["status"], after["level"], after["reason"]) == (
        "granted",
        "Confirmé",
        "Évaluation complète, aucune non-conformité.",
    )
    recognition = httpx.get(
        f"{live.url}/v1/recognitions/{after['recognition_id']}", headers=anne, timeout=30
    ).json()
    assert (recognition["scheme"], recognition["level"], recognition["status"]) == (
        "CAP_RSE",
        "Confirmé",
        "active",
    )
