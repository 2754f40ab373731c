"""Every role lands on its own start page and sees its menu; other roles' areas are refused."""

from __future__ import annotations

import html
from typing import Any

import pytest

from cap_shared.testing.auth import DEV_ADMIN_EMAIL as ADMIN_EMAIL
from cap_shared.testing.auth import DEV_ADMIN_PASSWORD as ADMIN_PASSWORD
from cap_shared.testing.auth import create_user
from cap_standalone.demo.__main__ import START_PAGES
from cap_standalone.testing import Topology
from cap_web.pages.admin.home import SECTIONS
from cap_web.testing import ConsoleClient

from .conftest import Live, check, new_page, sign_in

PASSWORD = "correct horse battery staple"
#: The menu entry that marks each area, as the menu says it.
MENU = {"/auditeur/audits": "Mes audits", "/comite": "Comité", "/admin": "Administration"}


async def test_the_administrator_starts_on_the_index_of_every_section(
    console: ConsoleClient,
) -> None:
    landed = await console.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert landed.status_code == 303
    assert landed.headers["location"] == "/admin"
    index = await console.get("/admin")
    assert index.status_code == 200
    assert "<h1>Administration</h1>" in index.text
    assert 'href="/admin" aria-current="page"' in index.text
    for _group, href, title, _what in SECTIONS:
        assert f'<a href="{href}">{title}</a>' in html.unescape(index.text)


@pytest.mark.parametrize(
    ("role", "start"), [("auditor", "/auditeur/audits"), ("committee", "/comite")]
)
async def test_an_auditor_and_the_committee_start_on_their_area_and_not_the_admins(
    standalone: Topology, console: ConsoleClient, role: str, start: str
) -> None:
    scope = {"certification_body_id": "sgs-tuv"} if role == "auditor" else {}
    if role == "auditor":
        body = await standalone.client.post(
            "/v1/certification-bodies",
            json={"id": "sgs-tuv", "name": "SGS TÜV Saar", "schemes": ["CAP_RSE"]},
            headers=standalone.admin,
        )
        assert body.status_code in (201, 409), body.text
    email = f"{role}.start@coorace.example"
    await create_user(standalone.client, standalone.admin, role=role, email=email, **scope)
    landed = await console.sign_in(email, PASSWORD)
    assert landed.status_code == 303
    assert landed.headers["location"] == start
    assert START_PAGES[role] == start
    refused = await console.get("/admin")
    assert refused.status_code == 403
    assert "Accès refusé" in refused.text
    assert "Administration</a>" not in refused.text
    assert f"{MENU[start]}</a>" in refused.text


def test_make_demo_names_a_start_page_for_every_role() -> None:
    assert set(START_PAGES) == {
        "member_admin",
        "member",
        "facilitator",
        "auditor",
        "committee",
        "admin",
    }
    assert START_PAGES["admin"] == "/admin"


@pytest.mark.browser
def test_each_demo_role_signs_in_to_its_start_page(chromium: Any, live: Live) -> None:
    for role in ("admin", "auditor", "committee"):
        page = new_page(chromium, live, 1280)
        try:
            page.goto("/")
            email, password = live.account(role)
            sign_in(page, email, password)
            page.wait_for_url(f"**{START_PAGES[role]}")
            current = page.locator('nav a[aria-current="page"]')
            assert current.inner_text().strip().startswith(MENU[START_PAGES[role]])
        finally:
            page.context.close()


@pytest.mark.browser
def test_the_admin_index_at_each_width(chromium: Any, live: Live, width: int) -> None:
    page = new_page(chromium, live, width)
    try:
        email, password = live.account("admin")
        sign_in(page, email, password, next="/admin")
        page.wait_for_url("**/admin")
        check(page, "admin")
        assert page.get_by_role("heading", name="Administration", level=1).is_visible()
    finally:
        page.context.close()
