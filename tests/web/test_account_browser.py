"""What everyone signed in has, in a real browser: the unread badge updated live (SSE, no
reload), marking read, preferences, and a password change followed by a new sign-in."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from cap_shared.testing.auth import role_known

from .conftest import Live, check, new_page, sign_in

pytestmark = [pytest.mark.browser]

PASSWORD = "une phrase de passe pour les tests"
COMPLAINT = "labelling.complaint.received.v1"
NEW_PASSWORD_LABEL = re.compile(r"^Nouveau mot de passe")


def _token(live: Live, email: str, password: str) -> dict[str, str]:
    answer = httpx.post(
        f"{live.url}/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _new_committee_member(live: Live) -> tuple[str, dict[str, str]]:
    """A person of this test alone (the labelling committee: a complaint notifies them)."""
    admin = _token(live, *live.account("admin"))
    email = f"comite.{uuid.uuid4().hex[:8]}@coorace.example"
    invited = httpx.post(
        f"{live.url}/v1/invitations",
        json={"email": email, "name": "Camille Essai", "role": "committee"},
        headers=admin,
    )
    assert invited.status_code == 201, invited.text
    accepted = httpx.post(
        f"{live.url}/v1/invitations/accept",
        json={"token": invited.json()["token"], "password": PASSWORD},
    )
    assert accepted.status_code == 201, accepted.text
    headers = _token(live, email, PASSWORD)
    for _ in range(300):  # the role reaches the notifications service by event
        known = httpx.get(f"{live.url}/v1/preferences", headers=headers)
        if known.status_code == 200 and role_known(known.json()):
            return email, headers
        time.sleep(0.05)
    raise AssertionError(f"the notifications service never learnt {email}'s role")


def _complain(live: Live, headers: dict[str, str]) -> None:
    """A complaint on a listed label: the committee is notified (sent with the person's token,
    so the public-write limit counts it apart from other tests' anonymous complaints)."""
    listed = httpx.get(f"{live.url}/v1/registry/recognitions", params={"limit": 1})
    number = listed.json()["data"][0]["number"]
    answer = httpx.post(
        f"{live.url}/v1/registry/recognitions/{number}/complaints",
        json={
            "name": "Alex Martin",
            "email": "alex@example.org",
            "message": "Ce label semble périmé.",
        },
        headers=headers,
    )
    assert answer.status_code == 201, answer.text


def test_the_badge_changes_live_and_everything_is_marked_read(chromium: Any, live: Live) -> None:
    email, headers = _new_committee_member(live)
    page = new_page(chromium, live, 1280)
    try:
        sign_in(page, email, PASSWORD, next="/notifications")
        assert page.get_by_role("heading", level=1, name="Notifications").is_visible()
        assert page.get_by_text("Aucune notification non lue.").is_visible()
        check(page, "notifications-vide")
        badge = page.locator("#unread")
        assert badge.is_hidden()
        # the live stream is open (its first event, the count, has arrived)
        expect(badge).to_have_attribute("data-count", "0")
        page.evaluate("window.capNotReloaded = true")

        _complain(live, headers)
        expect(badge).to_have_attribute("data-count", "1", timeout=15_000)
        assert badge.is_visible()
        assert badge.inner_text().strip().startswith("1")
        # the list got the new notification too, and the page was never reloaded
        page.locator(".feed-item.unread").first.wait_for()
        assert page.evaluate("window.capNotReloaded") is True
        assert page.get_by_text("1 notification non lue.").is_visible()
        check(page, "notifications")

        page.get_by_role("button", name="Tout marquer comme lu").click()
        page.wait_for_url("**/notifications?lu=tout")
        assert page.get_by_text("Toutes vos notifications sont marquées comme lues.").is_visible()
        assert badge.is_hidden()
        unread = httpx.get(f"{live.url}/v1/notifications/unread-count", headers=headers)
        assert unread.json() == {"unread": 0}
        check(page, "notifications-lues")

        # on another page, the badge follows the stream as well
        page.goto("/compte")
        assert page.get_by_role("heading", level=1, name="Mon compte").is_visible()
        assert page.get_by_text("Membre du comité de labellisation").is_visible()
        check(page, "compte")
        page.evaluate("window.capNotReloaded = true")
        _complain(live, headers)
        expect(badge).to_have_attribute("data-count", "1", timeout=15_000)
        assert page.evaluate("window.capNotReloaded") is True
    finally:
        page.context.close()


def test_preferences_then_a_new_password(chromium: Any, live: Live) -> None:
    email, headers = _new_committee_member(live)
    page = new_page(chromium, live, 1280)
    try:
        sign_in(page, email, PASSWORD, next="/compte/preferences")
        check(page, "preferences")
        page.get_by_label("Une réclamation est reçue : par e-mail").select_option("off")
        page.get_by_label("Heure du résumé quotidien par e-mail").select_option("8")
        page.get_by_label("Activer les heures calmes").check()
        page.get_by_label("Début (HH:MM)").fill("20:00")
        page.get_by_label("Fin (HH:MM)").fill("08:00")
        page.get_by_role("button", name="Enregistrer mes préférences").click()
        page.wait_for_url("**/compte/preferences?enregistre=1")
        assert page.get_by_text("Vos préférences sont enregistrées.").is_visible()
        check(page, "preferences-enregistrees")
        held = httpx.get(f"{live.url}/v1/preferences", headers=headers).json()
        assert held["events"][COMPLAINT]["email"] == "off"
        assert held["digest_hour"] == 8
        assert held["quiet_hours"] == {"start": "20:00", "end": "08:00"}

        page.goto("/compte/mot-de-passe")
        check(page, "mot-de-passe")
        page.get_by_label("Mot de passe actuel").fill("ce n'est pas le bon")
        page.get_by_label(NEW_PASSWORD_LABEL).fill("un tout nouveau secret")
        page.get_by_label("Confirmez le nouveau mot de passe").fill("un tout nouveau secret")
        page.get_by_role("button", name="Changer le mot de passe").click()
        assert page.get_by_text("Le mot de passe actuel est incorrect.").is_visible()
        check(page, "mot-de-passe-erreur")

        new = "un tout nouveau secret"
        page.get_by_label("Mot de passe actuel").fill(PASSWORD)
        page.get_by_label(NEW_PASSWORD_LABEL).fill(new)
        page.get_by_label("Confirmez le nouveau mot de passe").fill(new)
        page.get_by_role("button", name="Changer le mot de passe").click()
        page.wait_for_url("**/compte/mot-de-passe?change=1")
        assert page.get_by_role("heading", level=1, name="Mot de passe changé").is_visible()
        check(page, "mot-de-passe-change")

        page.get_by_role("link", name="Se reconnecter avec le nouveau mot de passe").click()
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(new)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/compte")
        assert page.get_by_text(email).is_visible()
        old = httpx.post(
            f"{live.url}/v1/auth/token",
            data={"grant_type": "password", "username": email, "password": PASSWORD},
        )
        assert old.status_code in (400, 401)
    finally:
        page.context.close()


def test_the_feed_at_a_phone_width(chromium: Any, live: Live) -> None:
    email, headers = _new_committee_member(live)
    _complain(live, headers)
    for _ in range(100):  # complaint -> labelling -> broker -> notifications
        if httpx.get(f"{live.url}/v1/notifications/unread-count", headers=headers).json()["unread"]:
            break
        time.sleep(0.1)
    page = new_page(chromium, live, 375)
    try:
        sign_in(page, email, PASSWORD, next="/notifications")
        page.locator(".feed-item.unread").first.wait_for()
        check(page, "notifications")
        page.get_by_role("button", name="Marquer comme lue").first.click()
        page.wait_for_url("**/notifications?lu=1")
        assert page.get_by_text("La notification est marquée comme lue.").is_visible()
        check(page, "notifications-lue")
    finally:
        page.context.close()
