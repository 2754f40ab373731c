"""The facilitator's path in a real browser: their structures, one structure, an accompanied
diagnostic scheduled with two participants, the network's charts, an export downloaded."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import Live, check, new_page, sign_in


def _signed_in(page: Any, email: str, password: str, *, next: str) -> None:
    """Sign in; what the gateway's own sign-in page logged is not this area's (its inline style
    is refused by its CSP in Chromium: reported to the integrator), so it is not held against
    the console's pages checked next."""
    sign_in(page, email, password, next=next)
    page.cap_errors.clear()


def _token(live: Live, email: str, password: str) -> dict[str, str]:
    answer = httpx.post(
        f"{live.url}/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return {"authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.mark.browser
def test_the_facilitator_schedules_a_session_and_reads_the_network_at_1280_and_375_px(
    chromium: Any, live: Live
) -> None:
    email, password = live.account("facilitator")
    page = new_page(chromium, live, 1280)
    try:
        _signed_in(page, email, password, next="/")
        assert page.url.endswith("/animation")  # the home page sends facilitators here
        page.get_by_role("heading", level=1, name="Structures de ma région").wait_for()
        table = page.get_by_role("table")
        assert table.get_by_role("row").count() >= 2
        check(page, "facilitator-structures")

        page.get_by_label("Trier par").select_option("score")
        page.get_by_role("button", name="Afficher").click()
        page.wait_for_load_state("networkidle")
        assert "tri=score" in page.url

        link = page.get_by_role("table").get_by_role("link").first
        name = link.inner_text()
        link.click()
        page.get_by_role("heading", level=1, name=name).wait_for()
        organisation_id = page.url.rstrip("/").split("/")[-1]
        check(page, "facilitator-structure")

        page.get_by_label("Date de la séance").fill("2027-04-08")
        page.get_by_label("Nom du participant 1").fill("Claire Martin")
        page.get_by_label("Fonction du participant 1").fill("Directrice")
        page.get_by_label("Nom du participant 2").fill("Karim Benali")
        page.get_by_label("Fonction du participant 2").fill("Encadrant technique")
        page.get_by_label("Catégorie du participant 2").select_option("employee_in_pathway")
        page.get_by_role("button", name="Programmer le diagnostic").click()
        page.get_by_text("Le diagnostic accompagné est programmé.").wait_for()
        assert "/animation/diagnostics/" in page.url
        diagnostic_id = page.url.split("/animation/diagnostics/")[1].split("?")[0]
        participants = page.get_by_role("table", name="Participants à la séance")
        assert participants.get_by_role("row").count() == 3
        check(page, "facilitator-session")

        held = httpx.get(
            f"{live.url}/v1/diagnostics/{diagnostic_id}",
            headers=_token(live, email, password),
            timeout=30,
        ).json()
        assert held["organisation_id"] == organisation_id
        assert held["kind"] == "cap_session"
        assert held["status"] == "scheduled"
        assert held["session_date"] == "2027-04-08"
        assert [p["name"] for p in held["participants"]] == ["Claire Martin", "Karim Benali"]
        assert held["participants"][1]["category"] == "employee_in_pathway"

        page.get_by_role("navigation", name="Menu principal").get_by_role(
            "link", name="Réseau"
        ).click()
        page.get_by_role("heading", level=1, name="Le réseau de ma région").wait_for()
        assert page.locator("svg[role=img]").count() >= 1
        check(page, "facilitator-network")

        with page.expect_download() as waiting:
            page.get_by_role("link", name="Chiffres du réseau (CSV)").click()
        download = waiting.value
        assert re.fullmatch(r"reseau-cap-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
        with open(download.path(), encoding="utf-8-sig") as exported:
            first = exported.readline()
        assert first.strip() == "Rubrique;Groupe;Élément;Valeur"
    finally:
        page.context.close()

    # The main pages on a phone (in this same test: one live platform, one worker).
    phone = new_page(chromium, live, 375)
    try:
        _signed_in(phone, email, password, next="/animation")
        phone.get_by_role("heading", level=1, name="Structures de ma région").wait_for()
        check(phone, "facilitator-structures")
        phone.goto("/reseau")
        phone.get_by_role("heading", level=1, name="Le réseau de ma région").wait_for()
        check(phone, "facilitator-network")
    finally:
        phone.context.close()
