"""The console's frame: sign-in and back, sign-out, CSRF, headers, redirects, French errors."""

from __future__ import annotations

from typing import Any

import pytest

from cap_shared.testing.auth import DEV_ADMIN_EMAIL as ADMIN_EMAIL
from cap_shared.testing.auth import DEV_ADMIN_PASSWORD as ADMIN_PASSWORD
from cap_web.testing import ConsoleClient, csrf_of

from .conftest import Live, check, new_page, sign_in


async def test_the_front_page_is_french_with_strict_headers(console: ConsoleClient) -> None:
    page = await console.get("/")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "Se connecter" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    cookie = page.headers["set-cookie"]
    assert "cap_csrf=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


async def test_sign_in_comes_back_to_the_page_asked_and_sign_out_revokes(
    console: ConsoleClient,
) -> None:
    landed = await console.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, next="/registre?q=atelier")
    assert landed.request.url.path == "/registre"
    assert landed.request.url.query == b"q=atelier"
    session = console.http.cookies.get("cap_session")
    assert session
    # the tokens stay on the server: the browser holds a random secret only
    assert "." not in session
    assert len(session) < 60

    answer = await console.post("/deconnexion")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/?deconnecte=1"
    assert "cap_session" not in console.http.cookies
    # the old cookie opens nothing any more
    console.http.cookies.set("cap_session", session)
    again = await console.get("/tableau-de-bord")
    assert again.status_code == 303
    assert again.headers["location"].startswith("/connexion?next=/tableau-de-bord")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "/%0d%0aSet-Cookie:x=y",
        "javascript:alert(1)",
        "\x00/x",
    ],
)
async def test_sign_in_never_sends_the_browser_to_another_site(
    console: ConsoleClient, target: str
) -> None:
    landed = await console.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, next=target)
    assert landed.request.url.host == "cap.test"
    assert not landed.request.url.path.startswith("//")


async def test_a_form_without_its_token_or_from_another_site_is_refused(
    console: ConsoleClient,
) -> None:
    await console.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    missing = await console.http.post("/deconnexion")
    assert missing.status_code == 403
    assert "Formulaire refusé" in missing.text
    forged = await console.http.post("/deconnexion", data={"csrf_token": "0" * 64})
    assert forged.status_code == 403
    page = await console.get("/registre")
    token = csrf_of(page.text)
    other_site = await console.http.post(
        "/deconnexion", data={"csrf_token": token}, headers={"origin": "https://evil.example"}
    )
    assert other_site.status_code == 403
    assert console.http.cookies.get("cap_session")  # still signed in


async def test_an_unknown_page_is_a_french_404(console: ConsoleClient) -> None:
    page = await console.get("/nulle-part")
    assert page.status_code == 404
    assert "Page introuvable" in page.text


async def test_a_session_whose_tokens_are_revoked_goes_through_sign_in_and_back(
    console: ConsoleClient, standalone: Any
) -> None:
    await console.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    # the person signs out everywhere else (the refresh token family is revoked)
    db = standalone.runtimes["gateway"].db
    import sqlalchemy as sa

    async with db.session() as s:
        await s.execute(sa.text("UPDATE refresh_token SET revoked_at = CURRENT_TIMESTAMP"))
    # the access token still works for its 15 minutes: expire it in the console's store
    web_db = console.http._transport.app.console.state.db  # type: ignore[attr-defined]
    async with web_db.session() as s:
        await s.execute(sa.text("UPDATE console_session SET access_token = 'expired'"))
    answer = await console.get("/notifications?page=2")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/connexion?next=/notifications%3Fpage%3D2"


# -- in the browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_newcomer_signs_in_from_the_front_page_at_each_width(
    chromium: Any, live: Live, width: int
) -> None:
    page = new_page(chromium, live, width)
    try:
        page.goto("/")
        check(page, "accueil")
        email, password = live.account("admin")
        sign_in(page, email, password)
        assert page.get_by_role("button", name="Se déconnecter").is_visible() or width < 600
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url("**/?deconnecte=1")
        assert page.get_by_text("Vous êtes déconnecté").is_visible()
    finally:
        page.context.close()


async def test_a_bug_is_the_french_500_page_and_the_console_keeps_serving(
    console: ConsoleClient,
) -> None:
    app = console.http._transport.app.console  # type: ignore[attr-defined]

    async def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/en-panne", broken, methods=["GET"])
    page = await console.get("/en-panne")
    assert page.status_code == 500
    assert "Erreur inattendue" in page.text
    assert "RuntimeError" not in page.text
    assert "a bug" not in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert (await console.get("/")).status_code == 200


async def test_the_icon_is_served(console: ConsoleClient) -> None:
    icon = await console.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")


async def test_sessions_nobody_came_back_to_are_forgotten_at_the_next_sign_in(
    console: ConsoleClient,
) -> None:
    import sqlalchemy as sa

    await console.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    web_db = console.http._transport.app.console.state.db  # type: ignore[attr-defined]
    async with web_db.session() as s:
        await s.execute(
            sa.text("UPDATE console_session SET last_seen_at = '2000-01-01 00:00:00+00:00'")
        )
    console.http.cookies.clear()
    await console.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    async with web_db.session() as s:
        count = (await s.execute(sa.text("SELECT count(*) FROM console_session"))).scalar_one()
    assert count == 1  # the new one; the idle one is gone
