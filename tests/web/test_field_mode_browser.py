"""Field mode in a real browser: the network cut (``context.set_offline``), 30 answers typed on
the theme pages of two diagnostics (26 and 4), the page reloaded without network, the network back: the
server holds exactly those 30 answers. And a conflict: typed offline on a criterion a colleague
saved meanwhile, both versions shown, the person chooses.

Each test starts its own diagnostics for the demo structure (never the demo's own)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from .conftest import Live, check, new_page, sign_in
from .test_structure_browser import api, held, slug, token

pytestmark = [pytest.mark.browser]


def new_diagnostic(live: Live, headers: dict[str, str], referential: str) -> str:
    me = api(live, headers, "GET", "/v1/me").json()
    org = next(m["organisation_id"] for m in me["memberships"] if m["organisation_id"])
    created = api(
        live, headers, "POST", "/v1/diagnostics",
        json={"organisation_id": org, "kind": "self_assessment", "referential_code": referential},
    )  # fmt: skip
    return str(created.json()["id"])


def themes(live: Live, headers: dict[str, str], referential: str) -> dict[str, list[str]]:
    ref = api(live, headers, "GET", f"/v1/referentials/{referential}/versions/1").json()
    return {t["code"]: [c["code"] for c in t["criteria"]] for t in ref["themes"]}


def kept(page: Any) -> None:
    """The service worker controls the page and keeps the diagnostic's theme pages."""
    page.wait_for_selector("#field-state[data-kept='1']", state="attached", timeout=30_000)
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def test_thirty_answers_typed_offline_reach_the_server_once(chromium: Any, live: Live) -> None:
    email, password = live.account("member_admin")
    headers = token(live, email, password)
    rse, cap = new_diagnostic(live, headers, "CAP_RSE"), new_diagnostic(live, headers, "CAP")
    # 26 answers on the CAP RSE diagnostic's themes (its CAP core and its ISO 26000 part),
    # 4 on a CAP diagnostic of the same structure open the same day
    plan: list[tuple[str, str, list[str]]] = []
    left = 26
    for theme, codes in themes(live, headers, "CAP_RSE").items():
        if left > 0:
            plan.append((rse, theme, codes[:left]))
            left -= len(plan[-1][2])
    plan.append((cap, "T1", themes(live, headers, "CAP")["T1"][:4]))
    wanted = {(d, code): n % 4 for n, (d, code) in enumerate(
        (d, code) for d, _, codes in plan for code in codes)}  # fmt: skip
    assert len(wanted) == 30
    page = new_page(chromium, live, 1280)
    try:
        sign_in(page, email, password, next=f"/diagnostics/{cap}/themes/T1")
        page.wait_for_url(re.compile("/themes/T1"))
        kept(page)
        page.goto(f"/diagnostics/{rse}/themes/{plan[0][1]}")
        kept(page)
        assert "restent disponibles sans réseau" in page.inner_text("#field-state")

        page.context.set_offline(True)
        typed = 0
        for diagnostic, theme, codes in plan:
            if not page.url.endswith(f"/diagnostics/{diagnostic}/themes/{theme}"):
                page.goto(f"/diagnostics/{diagnostic}/themes/{theme}")  # from the kept copy
            assert page.locator("h1").inner_text().startswith(theme)
            for code in codes:
                page.locator(f"#l-{slug(code)}-{wanted[(diagnostic, code)]}").check()
                typed += 1
            page.wait_for_selector(f"#field-state[data-waiting='{typed}']", state="attached")
            badge = page.locator(f"#fs-{slug(codes[0])}")
            assert badge.inner_text().startswith("En attente d'envoi")
        assert typed == 30

        # the page reloaded without network: the kept page, the answers put back from IndexedDB
        page.reload()
        page.wait_for_selector("#field-state[data-waiting='30']", state="attached")
        assert "En attente d'envoi" in page.inner_text("#field-state")
        last = plan[-1][2][-1]
        assert page.locator(f"#l-{slug(last)}-{wanted[(cap, last)]}").is_checked()
        check(page, "field mode offline")
        assert held(live, headers, rse) == {}
        assert held(live, headers, cap) == {}

        page.context.set_offline(False)  # the network is back: everything is sent
        page.wait_for_selector("#field-state[data-waiting='0']", state="attached", timeout=30_000)
        on_rse, on_cap = held(live, headers, rse), held(live, headers, cap)
        assert {(rse, c): a["level"] for c, a in on_rse.items()} | {
            (cap, c): a["level"] for c, a in on_cap.items()
        } == wanted  # none lost, none more
        ids = [a["id"] for a in [*on_rse.values(), *on_cap.values()]]
        assert len(set(ids)) == 30  # none twice
        assert page.locator(f"#fs-{slug(last)}").inner_text() == "Enregistrée sur le serveur"
        check(page, "field mode synchronised")
    finally:
        page.context.close()


def test_a_conflict_typed_offline_shows_both_versions(
    chromium: Any, live: Live, width: int
) -> None:
    email, password = live.account("member")
    headers = token(live, email, password)
    colleague = token(live, *live.account("member_admin"))
    diagnostic = new_diagnostic(live, headers, "CAP")
    theme = f"/diagnostics/{diagnostic}/themes/T1"
    page = new_page(chromium, live, width)
    try:
        sign_in(page, email, password, next=theme)
        page.wait_for_url(re.compile("/themes/T1"))
        kept(page)
        check(page, "field mode theme")

        page.context.set_offline(True)
        page.locator("#l-T1-1-4").check()
        page.get_by_label("Commentaire").first.fill(f"Noté sans réseau {uuid.uuid4().hex[:4]}")
        page.wait_for_selector("#field-state[data-waiting='1']", state="attached")
        # a page that was never kept: the offline page
        page.goto("/plan")
        assert page.locator("h1").inner_text() == "Hors ligne"
        check(page, "field mode offline page")
        page.goto(theme)
        page.wait_for_selector("#field-state[data-waiting='1']", state="attached")

        # meanwhile a colleague, online, rates the same criterion
        etag = api(live, colleague, "GET", f"/v1/diagnostics/{diagnostic}").headers["etag"]
        urn = api(live, colleague, "GET", "/v1/referentials/CAP/versions/1").json()["themes"][0][
            "criteria"
        ][0]["urn"]
        api(live, {**colleague, "if-match": etag}, "PUT", f"/v1/diagnostics/{diagnostic}/answers",
            json={"answers": [{"id": str(uuid.uuid4()), "criterion": urn, "level": 1}]})  # fmt: skip

        page.context.set_offline(False)
        box = page.locator("#fc-T1-1 fieldset")
        box.wait_for(timeout=30_000)
        text = box.inner_text()
        assert "Votre saisie, gardée dans ce navigateur : niveau 4" in text
        assert "La version enregistrée sur le serveur : niveau 1" in text
        assert page.locator("#fs-T1-1").inner_text().startswith("Conflit")
        check(page, "field mode conflict")
        assert held(live, headers, diagnostic)["T1.1"]["level"] == 1  # nothing overwritten

        page.get_by_role("button", name="Garder ma saisie").click()
        page.wait_for_selector("#field-state[data-waiting='0']", state="attached", timeout=30_000)
        page.wait_for_selector("#fs-T1-1[data-state='saved']")
        assert held(live, headers, diagnostic)["T1.1"]["level"] == 4
        assert not page.locator("#fc-T1-1 fieldset").is_visible()
    finally:
        page.context.close()


def test_the_facilitator_s_session_keeps_working_offline(chromium: Any, live: Live) -> None:
    email, password = live.account("facilitator")
    headers = token(live, email, password)
    member = token(live, *live.account("member_admin"))
    me = api(live, member, "GET", "/v1/me").json()
    org = next(m["organisation_id"] for m in me["memberships"] if m["organisation_id"])
    created = api(
        live, headers, "POST", "/v1/diagnostics",
        json={"organisation_id": org, "kind": "cap_session", "referential_code": "CAP",
              "session_date": "2027-03-12", "facilitator": "Sophie Roux",
              "participants": [{"name": "Claire Martin", "role": "Directrice", "category": "staff"}]},
    ).json()  # fmt: skip
    diagnostic = created["id"]
    for action in ("schedule", "start"):
        api(live, headers, "POST", f"/v1/diagnostics/{diagnostic}/transitions",
            json={"action": action})  # fmt: skip
    codes = themes(live, headers, "CAP")
    session = f"/animation/diagnostics/{diagnostic}"
    page = new_page(chromium, live, 1280)
    try:
        sign_in(page, email, password, next=f"{session}?theme=T1")
        kept(page)
        check(page, "field mode facilitator session")
        page.context.set_offline(True)
        typed = 0
        for theme in ("T1", "T2"):
            if theme != "T1":
                page.goto(f"{session}?theme={theme}")  # the kept copy of that theme
            for i, _code in enumerate(codes[theme]):
                page.locator(f"#l-{i}-{(i + typed) % 5}").check()
            typed += len(codes[theme])
            page.wait_for_selector(f"#field-state[data-waiting='{typed}']", state="attached")
        page.reload()
        page.wait_for_selector(f"#field-state[data-waiting='{typed}']", state="attached")
        assert held(live, headers, diagnostic) == {}
        page.context.set_offline(False)
        page.wait_for_selector("#field-state[data-waiting='0']", state="attached", timeout=30_000)
        answers = held(live, headers, diagnostic)
        assert len(answers) == typed
        assert answers["T2.1"]["level"] == (0 + len(codes["T1"])) % 5
    finally:
        page.context.close()
