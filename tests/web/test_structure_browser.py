"""The structure's screens in a real browser: a whole diagnostic answered and its results, the
PDF, keyboard-only answering, a session expiring mid-theme, the connection lost mid-theme.

Each test starts its own diagnostic for the demo's member_admin (never the demo's own)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from .conftest import Live, check, new_page, sign_in

pytestmark = [pytest.mark.browser]


_TOKENS: dict[str, dict[str, str]] = {}


def token(live: Live, email: str, password: str) -> dict[str, str]:
    """An API token for checking what the API holds (one per account and run: the gateway
    allows 10 sign-ins a minute per account, shared with the browser sign-ins)."""
    if email in _TOKENS:
        return _TOKENS[email]
    answer = httpx.post(
        f"{live.url}/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    _TOKENS[email] = {"authorization": f"Bearer {answer.json()['access_token']}"}
    return _TOKENS[email]


def api(live: Live, headers: dict[str, str], method: str, path: str, **kwargs: Any) -> Any:
    answer = httpx.request(method, f"{live.url}{path}", headers=headers, timeout=30, **kwargs)
    assert answer.status_code < 300, answer.text
    return answer


def new_diagnostic(live: Live, headers: dict[str, str]) -> str:
    me = api(live, headers, "GET", "/v1/me").json()
    org = next(m["organisation_id"] for m in me["memberships"] if m["organisation_id"])
    created = api(
        live, headers, "POST", "/v1/diagnostics",
        json={"organisation_id": org, "kind": "self_assessment", "referential_code": "CAP"},
    )  # fmt: skip
    return str(created.json()["id"])


def held(live: Live, headers: dict[str, str], diagnostic: str) -> dict[str, Any]:
    page = api(live, headers, "GET", f"/v1/diagnostics/{diagnostic}/answers?limit=200").json()
    return {a["code"]: a for a in page["data"]}


def criteria(live: Live, headers: dict[str, str]) -> dict[str, list[str]]:
    ref = api(live, headers, "GET", "/v1/referentials/CAP/versions/1").json()
    return {t["code"]: [c["code"] for c in t["criteria"]] for t in ref["themes"]}


def slug(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", code).strip("-")


def test_a_member_answers_a_whole_diagnostic_and_downloads_the_report(
    chromium: Any, live: Live
) -> None:
    email, password = live.account("member_admin")
    headers = token(live, email, password)
    themes = criteria(live, headers)
    page = new_page(chromium, live, 1280)
    try:
        sign_in(page, email, password, next="/tableau-de-bord")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Tableau de bord")
        check(page, "structure dashboard")

        page.get_by_role("link", name="Diagnostics", exact=True).first.click()
        check(page, "structure diagnostics")
        page.get_by_label("Auto-évaluation", exact=False).check()
        page.get_by_label("Référentiel").select_option("CAP@1")
        page.get_by_role("button", name="Commencer le diagnostic").click()
        page.wait_for_url(re.compile(r"/diagnostics/[0-9a-f-]{36}$"))
        diagnostic = page.url.rsplit("/", 1)[-1]
        check(page, "structure diagnostic")

        # completing too early lists what is missing, as links to the criteria
        page.get_by_role("button", name="Terminer le diagnostic").click()
        alert = page.locator("#manquants")
        assert "Diagnostic incomplet" in alert.inner_text()
        assert alert.get_by_role("link").count() == sum(len(c) for c in themes.values())
        check(page, "structure diagnostic incomplete")

        page.get_by_role("link", name=re.compile("^Commencer par le thème T1")).click()
        for position, (theme, codes) in enumerate(themes.items()):
            page.wait_for_url(re.compile(f"/themes/{theme}"))
            check(page, f"structure theme {theme}")
            for i, code in enumerate(codes):
                page.locator(f"#l-{slug(code)}-{(i + position) % 5}").check()
            page.get_by_label("Commentaire").first.fill(f"Vu en équipe ({theme})")
            page.get_by_role("button", name=re.compile("^Enregistrer et ")).click()
        page.wait_for_url(re.compile(f"/diagnostics/{diagnostic}\\?enregistre=1"))
        answers = held(live, headers, diagnostic)
        assert len(answers) == sum(len(c) for c in themes.values())
        assert answers["T1.1"]["comment"] == "Vu en équipe (T1)"
        assert answers["T2.2"]["level"] == 2

        page.get_by_role("button", name="Terminer le diagnostic").click()
        page.wait_for_url(re.compile(f"/diagnostics/{diagnostic}/resultats"))
        assert page.get_by_role("heading", level=1).inner_text() == "Résultats du diagnostic"
        assert page.locator("figure.chart svg[role=img]").count() == 1
        assert (
            page.get_by_role("table")
            .first.locator("caption")
            .inner_text()
            .startswith("Score par thème")
        )
        check(page, "structure results")

        with page.expect_download() as info:
            page.get_by_role("link", name="Télécharger le rapport PDF").click()
        path = info.value.path()
        with open(path, "rb") as pdf:
            assert pdf.read(4) == b"%PDF"
        status = api(live, headers, "GET", f"/v1/diagnostics/{diagnostic}").json()["status"]
        assert status == "rated"
    finally:
        page.context.close()


def test_a_theme_answered_with_the_keyboard_only(chromium: Any, live: Live) -> None:
    email, password = live.account("member")
    headers = token(live, email, password)
    diagnostic = new_diagnostic(live, headers)
    codes = criteria(live, headers)["T1"]
    page = new_page(chromium, live, 1280)
    try:
        sign_in(page, email, password, next=f"/diagnostics/{diagnostic}/themes/T1")
        page.wait_for_url(re.compile("/themes/T1"))
        for n, code in enumerate(codes):
            name = f"level-{slug(code)}"
            for _ in range(80):
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.name") == name:
                    break
            else:
                raise AssertionError(f"Tab never reached {name}")
            page.keyboard.press("Space")  # level 0, the first of the scale
            for _ in range(n % 5):
                page.keyboard.press("ArrowDown")  # moves and selects the next level
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent") == "Enregistrer ce thème":
                break
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile("enregistre=1"))
        assert page.get_by_text("Les réponses de ce thème sont enregistrées.").is_visible()
        check(page, "structure theme keyboard")
        answers = held(live, headers, diagnostic)
        assert {c: answers[c]["level"] for c in codes} == {c: n % 5 for n, c in enumerate(codes)}
    finally:
        page.context.close()


def test_a_session_expiring_mid_theme_loses_nothing(chromium: Any, live: Live) -> None:
    email, password = live.account("member_admin")
    headers = token(live, email, password)
    diagnostic = new_diagnostic(live, headers)
    page = new_page(chromium, live, 1280)
    theme = f"/diagnostics/{diagnostic}/themes/T3"
    typed = f"Réunion d'équipe chaque lundi — {uuid.uuid4().hex[:6]}"
    try:
        sign_in(page, email, password, next=theme)
        page.wait_for_url(re.compile("/themes/T3"))
        # the session ends (signed out elsewhere, expired): the cookie is gone
        page.context.clear_cookies(name="cap_session")
        page.get_by_label("Commentaire").nth(1).fill(typed)
        page.get_by_role("button", name="Enregistrer ce thème").click()
        # through sign-in...
        page.wait_for_url(re.compile("/v1/auth/authorize|/connexion"))
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        # ... and back on the same theme, the typed text restored from the draft
        page.wait_for_url(re.compile(f"{theme}$"))
        assert page.get_by_label("Commentaire").nth(1).input_value() == typed
        assert page.get_by_text("Votre saisie précédente a été restaurée").is_visible()
        check(page, "structure theme restored")
        page.get_by_role("button", name="Enregistrer ce thème").click()
        page.wait_for_url(re.compile("enregistre=1"))
        assert held(live, headers, diagnostic)["T3.2"]["comment"] == typed
        # the draft is gone once saved: a reload shows what the API holds, no restore note
        page.reload()
        assert not page.get_by_text("Votre saisie précédente a été restaurée").is_visible()
    finally:
        page.context.close()


def test_the_connection_lost_mid_theme_keeps_the_text(chromium: Any, live: Live) -> None:
    email, password = live.account("member")
    headers = token(live, email, password)
    diagnostic = new_diagnostic(live, headers)
    page = new_page(chromium, live, 1280)
    theme = f"/diagnostics/{diagnostic}/themes/T4"
    try:
        sign_in(page, email, password, next=theme)
        page.wait_for_url(re.compile("/themes/T4"))
        page.locator("#l-T4-1-2").check()  # autosaved
        page.wait_for_selector("#save-state[data-state=saved]")
        assert held(live, headers, diagnostic)["T4.1"]["level"] == 2
        page.context.set_offline(True)
        page.get_by_label("Commentaire").first.fill("Écrit sans réseau")
        page.locator("#l-T4-2-3").check()
        banner = page.locator("#offline")
        banner.wait_for(state="visible")
        assert "Connexion perdue" in banner.inner_text()
        page.wait_for_selector("#save-state[data-state=error]")
        assert page.get_by_label("Commentaire").first.input_value() == "Écrit sans réseau"
        page.context.set_offline(False)
        page.get_by_role("button", name="Enregistrer ce thème").click()
        page.wait_for_url(re.compile("enregistre=1"))
        answers = held(live, headers, diagnostic)
        assert answers["T4.1"]["comment"] == "Écrit sans réseau"
        assert answers["T4.2"]["level"] == 3
    finally:
        page.context.close()


def test_an_autosave_after_a_screenshot_breaks_no_content_security_rule(
    chromium: Any, live: Live
) -> None:
    """A screenshot leaves ``style=""`` on the page's inputs; htmx's swap that replaces them
    (the autosave's ETag and base) must not copy it: the CSP refuses inline style."""
    email, password = live.account("member")
    headers = token(live, email, password)
    diagnostic = new_diagnostic(live, headers)
    page = new_page(chromium, live, 1280)
    try:
        sign_in(page, email, password, next=f"/diagnostics/{diagnostic}/themes/T3")
        page.wait_for_url(re.compile("/themes/T3"))
        page.screenshot()
        assert page.locator("#f-etag[style]").count() == 1  # what the screenshot leaves
        page.locator("#l-T3-1-2").check()  # autosaved: #f-etag and #f-base swapped
        page.wait_for_selector("#save-state[data-state=saved]")
        page.wait_for_load_state("networkidle")
        assert page.cap_errors == []
        assert held(live, headers, diagnostic)["T3.1"]["level"] == 2
    finally:
        page.context.close()


def test_the_main_pages_on_a_phone(chromium: Any, live: Live) -> None:
    email, password = live.account("member_admin")
    headers = token(live, email, password)
    diagnostic = new_diagnostic(live, headers)
    ref = api(live, headers, "GET", "/v1/referentials/CAP/versions/1").json()
    etag = api(live, headers, "GET", f"/v1/diagnostics/{diagnostic}").headers["etag"]
    batch = [
        {"id": str(uuid.uuid4()), "criterion": c["urn"], "level": (i * 3) % 5}
        for i, c in enumerate(c for t in ref["themes"] for c in t["criteria"])
    ]
    api(live, {**headers, "if-match": etag}, "PUT", f"/v1/diagnostics/{diagnostic}/answers",
        json={"answers": batch})  # fmt: skip
    page = new_page(chromium, live, 375)
    try:
        sign_in(page, email, password, next="/tableau-de-bord")
        check(page, "structure dashboard")
        page.goto(f"/diagnostics/{diagnostic}/themes/T2")
        check(page, "structure theme T2")
        page.goto(f"/diagnostics/{diagnostic}/resultats")
        assert "Résultats provisoires" in page.inner_text("main")
        check(page, "structure results")
    finally:
        page.context.close()


def test_two_people_on_the_same_criterion_see_both_versions(chromium: Any, live: Live) -> None:
    email, password = live.account("member_admin")
    headers = token(live, email, password)
    diagnostic = new_diagnostic(live, headers)
    theme = f"/diagnostics/{diagnostic}/themes/T1"
    first, second = new_page(chromium, live, 1280), new_page(chromium, live, 1280)
    try:
        for page in (first, second):
            sign_in(page, email, password, next=theme)
            page.wait_for_url(re.compile("/themes/T1"))
        first.locator("#l-T1-1-1").check()  # autosaved
        first.wait_for_selector("#save-state[data-state=saved]")
        second.locator("#l-T1-1-3").check()  # autosaved on a stale ETag: 412
        conflict = second.locator("fieldset.conflict")
        conflict.wait_for()
        assert "Ma saisie : niveau 3" in conflict.inner_text()
        assert "La version enregistrée : niveau 1" in conflict.inner_text()
        assert second.locator("h1").count() == 1  # only the form was swapped
        check(second, "structure theme conflict")
        assert held(live, headers, diagnostic)["T1.1"]["level"] == 1  # nothing overwritten
        second.get_by_label(re.compile("^Ma saisie")).check()  # the person chooses
        second.wait_for_selector("#save-state[data-state=saved]")
        assert held(live, headers, diagnostic)["T1.1"]["level"] == 3
    finally:
        first.context.close()
        second.context.close()
