"""What everyone signed in has: the notification feed and its live stream, the account, the
preferences, the password (in-process, on the standalone platform)."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from cap_shared.clock import wall_now
from cap_shared.testing.auth import create_user, known_to_notifications, register_organisation
from cap_standalone.testing import Overrides, Topology, grant_label
from cap_web.models import ConsoleSession
from cap_web.pages.account import console_link
from cap_web.sessions import Person
from cap_web.testing import ConsoleClient, hidden_fields

PASSWORD = "correct horse battery staple"


@pytest.fixture
def topology_settings() -> Overrides:
    """Complaints are the cheap event that notifies: more than 10 an hour here."""
    return {"gateway": {"rate_limit_public_write": "1000/hour"}}


async def _person(topology: Topology, role: str = "committee", **scope: str) -> tuple[str, dict]:
    """A new person with ``role``: e-mail and API header (password ``PASSWORD``)."""
    email = f"{role}.{uuid.uuid4().hex[:8]}@coorace.example"
    headers = await create_user(topology.client, topology.admin, role=role, email=email, **scope)
    await known_to_notifications(topology.client, headers)  # the person arrives by event
    return email, headers


async def _complain(topology: Topology, number: str, n: int = 0) -> None:
    answer = await topology.client.post(
        f"/v1/registry/recognitions/{number}/complaints",
        json={
            "name": "Alex",
            "email": "alex@example.org",
            "message": f"Ce label semble périmé {n}.",
        },
    )
    assert answer.status_code == 201, answer.text


async def _unread(topology: Topology, headers: dict, at_least: int) -> int:
    count = 0
    for _ in range(300):  # complaint -> labelling outbox -> broker -> notifications
        count = (
            await topology.client.get("/v1/notifications/unread-count", headers=headers)
        ).json()["unread"]
        if count >= at_least:
            return int(count)
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} unread, {at_least} expected")


async def test_the_feed_shows_the_notifications_and_marks_them_read(
    console: ConsoleClient, standalone: Topology
) -> None:
    email, headers = await _person(standalone)
    _, other = await _person(standalone)  # another member of the committee
    # empty first: the empty state says what will come here
    await console.sign_in(email, PASSWORD)
    empty = await console.get("/notifications")
    assert empty.status_code == 200
    assert "encore reçu aucune notification" in empty.text
    assert "Aucune notification non lue." in empty.text

    organisation_id = await register_organisation(
        standalone.client, standalone.admin, n=931, region="28"
    )
    number = await grant_label(standalone, organisation_id)
    await _complain(standalone, number, 1)
    await _complain(standalone, number, 2)
    await _unread(standalone, headers, 2)

    page = await console.get("/notifications")
    assert page.status_code == 200
    assert "<strong>2</strong> notifications non lues." in page.text
    assert page.text.count('class="feed-item unread"') == 2
    assert number in page.text
    # the badge of the menu shows the count on the page that knows it
    assert re.search(r'id="unread"[^>]*>2<span class="visually-hidden"> non lues', page.text)

    feed = (await standalone.client.get("/v1/notifications", headers=headers)).json()["data"]
    first = feed[0]["id"]
    answer = await console.submit("/notifications", f"/notifications/{first}/lu")
    assert answer.status_code == 303
    page = await console.get(answer.headers["location"])
    assert "La notification est marquée comme lue." in page.text
    assert "<strong>1</strong> notification non lue." in page.text
    assert (
        await standalone.client.get("/v1/notifications/unread-count", headers=headers)
    ).json() == {"unread": 1}
    only_unread = await console.get("/notifications?non-lues=1")
    assert only_unread.text.count('class="feed-item') == 1

    # another person's notification, or a made-up id: the API's French 404, not a 500
    answer = await console.submit("/notifications", "/notifications/tout-lu", {})
    assert answer.status_code == 303
    assert (
        await standalone.client.get("/v1/notifications/unread-count", headers=headers)
    ).json() == {"unread": 0}
    page = await console.get("/notifications")
    assert "/lu" not in page.text  # nothing left to mark: no form at all
    assert "/tout-lu" not in page.text
    theirs = (await standalone.client.get("/v1/notifications", headers=other)).json()["data"]
    assert theirs
    for made_up in (
        theirs[0]["id"],
        str(uuid.uuid4()),
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "x" * 500,
    ):
        answer = await console.post(f"/notifications/{made_up}/lu")
        assert answer.status_code == 404, made_up
        assert "<h1>" in answer.text
        assert "<script>alert" not in answer.text
        assert "Erreur inattendue" not in answer.text
    assert await _unread(standalone, other, 2) == 2  # theirs is untouched


async def test_the_feed_pages_by_cursor(console: ConsoleClient, standalone: Topology) -> None:
    email, headers = await _person(standalone)
    organisation_id = await register_organisation(
        standalone.client, standalone.admin, n=932, region="28"
    )
    number = await grant_label(standalone, organisation_id)
    for n in range(22):
        await _complain(standalone, number, n)
    await _unread(standalone, headers, 22)
    await console.sign_in(email, PASSWORD)
    first = await console.get("/notifications")
    assert first.text.count('class="feed-item') == 20
    older = re.search(r'href="(/notifications\?cursor=[^"]+)"', first.text)
    assert older is not None
    second = await console.get(older.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert second.text.count('class="feed-item') == 2
    assert "Revenir aux plus récentes" in second.text
    # a forged cursor is the API's French problem, shown as a page
    forged = await console.get("/notifications?cursor=%3Cscript%3E")
    assert forged.status_code in (400, 422)
    assert "<script>" not in forged.text.split("<main", 1)[1]


async def _events(response: httpx.Response) -> Any:
    """The events of a stream, as (name, data) pairs, as they arrive."""
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if not line:
            if "event" in fields:
                yield fields["event"], json.loads(fields.get("data", "null")), fields.get("id")
            fields = {}
            continue
        name, _, value = line.partition(":")
        fields[name] = value.lstrip(" ")


async def test_the_live_stream_reaches_the_console_client_in_the_standalone_topology(
    console: ConsoleClient, standalone: Topology
) -> None:
    email, headers = await _person(standalone)
    organisation_id = await register_organisation(
        standalone.client, standalone.admin, n=933, region="28"
    )
    number = await grant_label(standalone, organisation_id)
    await console.sign_in(email, PASSWORD)

    async with console.http.stream("GET", "/notifications/flux") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response)
        name, data, _ = await asyncio.wait_for(events.__anext__(), 10)
        assert (name, data) == ("unread", {"unread": 0})
        # a notification committed now arrives while the stream is open: nothing is buffered
        await _complain(standalone, number)
        name, data, event_id = await asyncio.wait_for(events.__anext__(), 15)
        assert name == "notification"
        assert data["event_type"] == "labelling.complaint.received.v1"
        assert number in data["title"] + data["body"]
        assert event_id == str(data["seq"])
        name, data, _ = await asyncio.wait_for(events.__anext__(), 10)
        assert (name, data) == ("unread", {"unread": 1})
        await events.aclose()

    # reconnecting with Last-Event-ID sends what came since
    await _complain(standalone, number, 2)
    await _unread(standalone, headers, 2)
    async with console.http.stream(
        "GET", "/notifications/flux", headers={"Last-Event-ID": event_id}
    ) as response:
        events = _events(response)
        name, data, _ = await asyncio.wait_for(events.__anext__(), 10)
        assert (name, data) == ("unread", {"unread": 2})
        name, data, next_id = await asyncio.wait_for(events.__anext__(), 10)
        assert name == "notification"
        assert int(next_id) > int(event_id)
        await events.aclose()


async def test_the_live_stream_needs_a_session(console: ConsoleClient) -> None:
    answer = await console.get("/notifications/flux")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/connexion")


async def test_the_account_shows_who_i_am_and_my_roles(
    console: ConsoleClient, standalone: Topology
) -> None:
    organisation_id = await register_organisation(
        standalone.client, standalone.admin, n=934, region="28", name="Atelier du Compte"
    )
    email, _ = await _person(standalone, "member_admin", organisation_id=organisation_id)
    await console.sign_in(email, PASSWORD)
    page = await console.get("/compte")
    assert page.status_code == 200
    assert "<h1>Mon compte</h1>" in page.text
    assert email in page.text
    assert "Administrateur·rice de la structure" in page.text
    assert "Atelier du Compte" in page.text
    assert 'href="/compte/preferences"' in page.text
    assert 'href="/compte/mot-de-passe"' in page.text


async def test_preferences_are_changed_through_the_api(
    console: ConsoleClient, standalone: Topology
) -> None:
    email, headers = await _person(standalone)
    await console.sign_in(email, PASSWORD)
    page = await console.get("/compte/preferences")
    assert page.status_code == 200
    assert "Une réclamation est reçue" in page.text
    event = "labelling.complaint.received.v1"
    answer = await console.submit(
        "/compte/preferences",
        "/compte/preferences",
        {
            f"in_app:{event}": "on",
            f"email:{event}": "digest",
            "timezone": "Indian/Reunion",
            "digest_hour": "7",
            "quiet_on": "1",
            "quiet_start": "21:30",
            "quiet_end": "07:15",
        },
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/compte/preferences?enregistre=1"
    held = (await standalone.client.get("/v1/preferences", headers=headers)).json()
    assert held["events"][event]["email"] == "digest"
    assert held["timezone"] == "Indian/Reunion"
    assert held["digest_hour"] == 7
    assert held["quiet_hours"] == {"start": "21:30", "end": "07:15"}
    # only what was changed is the person's choice; the rest keeps the role's defaults
    others = [v for k, v in held["events"].items() if k != event]
    assert all(v["in_app_default"] and v["email_default"] for v in others)
    saved = await console.get(answer.headers["location"])
    assert "Vos préférences sont enregistrées." in saved.text
    assert '<option value="Indian/Reunion" selected>' in saved.text

    # quiet hours off
    answer = await console.submit(
        "/compte/preferences", "/compte/preferences", {"digest_hour": "7"}
    )
    assert answer.status_code == 303
    held = (await standalone.client.get("/v1/preferences", headers=headers)).json()
    assert held["quiet_hours"] is None

    # bad input: a clear French message in the form, nothing saved
    answer = await console.submit(
        "/compte/preferences",
        "/compte/preferences",
        {
            "digest_hour": "99",
            "quiet_on": "1",
            "quiet_start": "=cmd|' /C calc'!A0",
            "quiet_end": "25:00",
        },
    )
    assert answer.status_code == 422
    assert "Choisissez une heure entre 0 h et 23 h." in answer.text
    assert "format HH:MM" in answer.text
    assert (await standalone.client.get("/v1/preferences", headers=headers)).json()[
        "quiet_hours"
    ] is None


async def test_preferences_changed_elsewhere_meanwhile_are_not_overwritten(
    console: ConsoleClient, standalone: Topology
) -> None:
    email, headers = await _person(standalone)
    await console.sign_in(email, PASSWORD)
    form_page = await console.get("/compte/preferences")
    # another device changes them after the form was shown
    changed = await standalone.client.put(
        "/v1/preferences", json={"digest_hour": 18}, headers=headers
    )
    assert changed.status_code == 200
    fields = hidden_fields(form_page.text, "/compte/preferences")
    answer = await console.http.post(
        "/compte/preferences", data={**fields, "digest_hour": "6", "timezone": "Europe/Paris"}
    )
    assert answer.status_code == 412
    assert "modifiées entre-temps" in answer.text
    assert '<option value="18" selected>' in answer.text  # the current values are shown
    held = (await standalone.client.get("/v1/preferences", headers=headers)).json()
    assert held["digest_hour"] == 18


async def test_the_password_is_changed_and_the_person_signs_in_again(
    console: ConsoleClient, standalone: Topology
) -> None:
    email, _ = await _person(standalone)
    await console.sign_in(email, PASSWORD)
    page = await console.get("/compte/mot-de-passe")
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.text

    wrong = await console.submit(
        "/compte/mot-de-passe",
        "/compte/mot-de-passe",
        {
            "current_password": "pas le bon mot de passe",
            "new_password": "une nouvelle phrase secrète",
            "confirm_password": "une nouvelle phrase secrète",
        },
    )
    assert wrong.status_code == 422
    assert "Le mot de passe actuel est incorrect." in wrong.text
    assert "pas le bon mot de passe" not in wrong.text  # never echoed

    weak = await console.submit(
        "/compte/mot-de-passe",
        "/compte/mot-de-passe",
        {"current_password": PASSWORD, "new_password": "court", "confirm_password": "court"},
    )
    assert weak.status_code == 422
    assert "au moins 12 caractères" in weak.text

    mismatch = await console.submit(
        "/compte/mot-de-passe",
        "/compte/mot-de-passe",
        {
            "current_password": PASSWORD,
            "new_password": "une nouvelle phrase secrète",
            "confirm_password": "une autre phrase secrète",
        },
    )
    assert mismatch.status_code == 422
    assert "La confirmation ne correspond pas" in mismatch.text

    new = "une nouvelle phrase secrète"
    done = await console.submit(
        "/compte/mot-de-passe",
        "/compte/mot-de-passe",
        {"current_password": PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/compte/mot-de-passe?change=1"
    changed = await console.get(done.headers["location"])
    assert changed.status_code == 200
    assert "Votre mot de passe est changé" in changed.text
    # signed out here too; the new password opens the account, the old one no longer does
    assert (await console.get("/compte")).status_code == 303
    old = await standalone.client.post(
        "/v1/auth/token", data={"grant_type": "password", "username": email, "password": PASSWORD}
    )
    assert old.status_code in (400, 401)
    landed = await console.sign_in(email, new, next="/compte")
    assert landed.status_code == 200
    assert email in landed.text


async def test_the_live_stream_does_not_keep_an_idle_session_alive(
    console: ConsoleClient, standalone: Topology
) -> None:
    email, _ = await _person(standalone)
    await console.sign_in(email, PASSWORD)
    web_db = console.http._transport.app.console.state.db  # type: ignore[attr-defined]

    async def last_seen() -> datetime:
        async with web_db.session() as s:
            (row,) = (await s.execute(sa.select(ConsoleSession))).scalars().all()
            return row.last_seen_at

    earlier = wall_now() - timedelta(minutes=5)
    async with web_db.session() as s:
        await s.execute(sa.update(ConsoleSession).values(last_seen_at=earlier))
    # the browser's script reconnecting by itself is not the person being active
    async with console.http.stream("GET", "/notifications/flux") as response:
        assert response.status_code == 200
        name, _, _ = await asyncio.wait_for(_events(response).__anext__(), 10)
        assert name == "unread"
    assert await last_seen() == earlier
    # a page the person opens is
    assert (await console.get("/compte")).status_code == 200
    assert await last_seen() > earlier


def test_a_notification_leads_to_the_console_page_of_its_area_for_the_role() -> None:
    member = Person("u1", "Karim", "k@example.org", [{"role": "member"}], [])
    facilitator = Person("u2", "Sophie", "s@example.org", [{"role": "facilitator"}], [])
    committee = Person("u3", "Anne", "a@example.org", [{"role": "committee"}], [])
    assert console_link("/audits/123", member) == "/audits"
    assert console_link("/progress-plans/9", member) == "/plan"
    assert console_link("/diagnostics/7", facilitator) == "/animation"
    assert console_link("/complaints/1", committee) is None  # no console page for it yet
    assert console_link("/decisions/d-1", committee) == "/comite/dossiers/d-1"
    assert console_link("/decisions/<script>", committee) is None
    auditor = Person("u4", "Marc", "m@example.org", [{"role": "auditor"}], [])
    assert console_link("/audits/a-7", auditor) == "/auditeur/audits/a-7"
    assert console_link("/findings/f-1", auditor) == "/auditeur/audits"
    assert console_link("/decisions/d-1", auditor) is None
    for outside in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)", None, 3):
        assert console_link(outside, member) is None
