"""From events to people: recipients, exactly once under redelivery, the feed and its live
stream, preferences, quiet hours and the daily digest (controllable clock, a real SMTP server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from email.utils import parseaddr
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from cap_notifications.fanout import digests as fanout
from cap_notifications.mail import sender as mail
from cap_notifications.models import DigestItem, EmailMessage, IntakeEvent, Notification
from cap_shared.clock import wall_now
from cap_shared.contracts.audit import AuditPlannedV1
from cap_shared.contracts.diagnostic import DiagnosticCompletedV1, GroupScoreV1, ReferentialRef
from cap_shared.testing.net import free_port

from .conftest import Service, ok


def completed(organisation_id: str) -> DiagnosticCompletedV1:
    score = GroupScoreV1(
        group="overall",
        code="CAP",
        name="CAP",
        score=540,
        band="Confirmé",
        rated=22,
        not_applicable=0,
        total=22,
    )
    return DiagnosticCompletedV1(
        diagnostic_id="d-1",
        organisation_id=organisation_id,
        kind="cap_session",
        referential=ReferentialRef(urn="urn:coorace:referentiel:cap", code="CAP", version=1),
        completed_at=wall_now(),
        overall=score,
        themes=[],
        criteria=[],
    )


async def people(service: Service) -> None:
    a, b = service.organisations["a"].id, service.organisations["b"].id
    await service.add_person("admin_a", {"role": "member_admin", "organisation_id": a})
    await service.add_person("member_a", {"role": "member", "organisation_id": a})
    await service.add_person("member_b", {"role": "member", "organisation_id": b})
    await service.add_person("facilitator", {"role": "facilitator", "region": "76"})


async def rows(service: Service, model: Any) -> list[Any]:
    async with service.runtime.db.session() as session:
        return list((await session.execute(sa.select(model))).scalars().all())


def at_paris(service: Service, day: date, hour: int, minute: int = 0) -> None:
    """Set the service's clock to a local time in Paris (winter: UTC+1)."""
    service.runtime.clock.set(datetime(day.year, day.month, day.day, hour - 1, minute, tzinfo=UTC))


WINTER_DAY = date(2026, 12, 1)


async def test_each_recipient_is_told_once_whatever_the_redeliveries(service: Service) -> None:
    await people(service)
    at_paris(service, WINTER_DAY, 10)
    event = completed(service.organisations["a"].id)
    first = await service.deliver(event)
    await service.deliver(event, envelope_id=first)  # redelivered
    await service.deliver(event, envelope_id=first)
    notified = {n.user_id: n for n in await rows(service, Notification)}
    assert set(notified) == {
        service.people["admin_a"],
        service.people["member_a"],
        service.people["facilitator"],
    }
    # E-mail now for the member_admin; the daily digest for the member and the facilitator.
    (email,) = await rows(service, EmailMessage)
    assert (email.user_id, email.to_address) == (
        service.people["admin_a"],
        "admin_a@coorace.example",
    )
    assert {d.user_id for d in await rows(service, DigestItem)} == {
        service.people["member_a"],
        service.people["facilitator"],
    }
    (journal,) = await rows(service, IntakeEvent)
    assert (journal.status, journal.recipients) == ("fanned_out", 3)
    # A second, different event is another notification.
    await service.deliver(event)
    assert len(await rows(service, Notification)) == 6


async def test_the_feed_and_marking_read(service: Service) -> None:
    await people(service)
    at_paris(service, WINTER_DAY, 10)
    await service.deliver(completed(service.organisations["a"].id))
    me = service.as_person("admin_a")
    page = ok(await service.client.get("/v1/notifications", headers=me))
    assert page["unread"] == 1
    (item,) = page["data"]
    assert item["event_type"] == "diagnostic.completed.v1"
    assert item["title"]
    assert ok(await service.client.get("/v1/notifications/unread-count", headers=me)) == {
        "unread": 1
    }
    other = service.as_person("member_a")
    assert (
        await service.client.post(f"/v1/notifications/{item['id']}/read", headers=other)
    ).status_code == 404
    read = ok(await service.client.post(f"/v1/notifications/{item['id']}/read", headers=me))
    assert read["read_at"] is not None
    assert ok(await service.client.get("/v1/notifications/unread-count", headers=me)) == {
        "unread": 0
    }
    assert ok(await service.client.post("/v1/notifications/read-all", headers=other)) == {
        "marked": 1
    }
    client = service.issuer.token(
        roles=[{"role": "auditor", "certification_body_id": "sgs-tuv"}],
        audience="urn:cap:notifications",
        kind="client",
    )
    refused = await service.client.get(
        "/v1/notifications", headers={"Authorization": f"Bearer {client}"}
    )
    assert refused.status_code == 403
    assert (await service.client.get("/v1/notifications")).status_code == 401


async def test_assigned_auditors_are_told_of_the_plan(service: Service) -> None:
    await people(service)
    auditor = await service.add_person(
        "auditor", {"role": "auditor", "certification_body_id": "sgs-tuv"}
    )
    await service.deliver(
        AuditPlannedV1(
            audit_id="audit-1",
            organisation_id=service.organisations["a"].id,
            scheme="CAP_RSE",
            audit_type="initial",
            certification_body_id="sgs-tuv",
            start_date=date(2027, 1, 11),
            end_date=date(2027, 1, 12),
            auditor_ids=["aud-1"],
            auditor_user_ids=[auditor],
        )
    )
    assert auditor in {n.user_id for n in await rows(service, Notification)}


async def test_live_stream_resumes_after_last_event_id(service: Service) -> None:
    await people(service)
    service.settings.stream_max_s = 0.3  # the in-process client reads the stream once it ends
    service.settings.stream_poll_s = 0.05
    for _ in range(3):
        await service.deliver(completed(service.organisations["a"].id))
    me = service.as_person("admin_a")
    seqs = [i["seq"] for i in ok(await service.client.get("/v1/notifications", headers=me))["data"]]
    first = min(seqs)
    resumed = await service.client.get(
        "/v1/notifications/stream", headers={**me, "Last-Event-ID": str(first)}
    )
    assert resumed.headers["content-type"].startswith("text/event-stream")
    ids = [int(line[3:].strip()) for line in resumed.text.splitlines() if line.startswith("id:")]
    assert ids == sorted(s for s in seqs if s > first)
    events = [
        json.loads(line[5:]) for line in resumed.text.splitlines() if line.startswith("data:")
    ]
    assert all(e["event_type"] == "diagnostic.completed.v1" for e in events)
    fresh = await service.client.get("/v1/notifications/stream", headers=me)
    assert "id:" not in fresh.text  # no Last-Event-ID: only what happens from now on
    # An id this stream never sends is ignored (the live-stream tests show it starts from now).
    bad = await service.client.get("/v1/notifications/stream", headers={**me, "Last-Event-ID": "x"})
    assert (bad.status_code, "id:" in bad.text) == (200, False)


async def test_the_feed_pages_with_a_cursor_and_bounded_limits(service: Service) -> None:
    """Issue 16: the feed in the one list shape (newest first by sequence), paged by cursor;
    issue 15 item 6: limits past the maximum (or past 64 bits) are refused, not a 500."""
    await people(service)
    for _ in range(5):
        await service.deliver(completed(service.organisations["a"].id))
    me = service.as_person("admin_a")
    whole = ok(await service.client.get("/v1/notifications", headers=me))
    seqs = [i["seq"] for i in whole["data"]]
    assert len(seqs) == 5
    assert seqs == sorted(seqs, reverse=True)
    assert (whole["next_cursor"], whole["deleted"], whole["unread"]) == (None, [], 5)
    paged, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ok(await service.client.get("/v1/notifications", params=params, headers=me))
        assert len(page["data"]) <= 2
        paged += [i["seq"] for i in page["data"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert paged == seqs
    for limit in (0, 201, 2**63):
        response = await service.client.get(f"/v1/notifications?limit={limit}", headers=me)
        assert response.status_code == 422, (limit, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    first = ok(await service.client.get("/v1/notifications?limit=1", headers=me))
    for bad in ("garbage", first["next_cursor"][:-2] + "zz"):
        response = await service.client.get("/v1/notifications", params={"cursor": bad}, headers=me)
        assert response.status_code == 400, response.text
        assert response.json()["type"].endswith("/invalid-cursor")
    elsewhere = await service.client.get(
        "/v1/notifications/emails",
        params={"cursor": first["next_cursor"]},
        headers=service.admin,
    )
    assert elsewhere.status_code == 400
    assert elsewhere.json()["type"].endswith("/invalid-cursor")


async def test_updated_since_gives_what_was_written_or_read_since(service: Service) -> None:
    """Delta sync of the feed: new notifications and read ones are changes; another person's
    never appear; a date without its offset is refused."""
    await people(service)
    await service.deliver(completed(service.organisations["a"].id))
    me = service.as_person("admin_a")
    (old,) = ok(await service.client.get("/v1/notifications", headers=me))["data"]
    service.runtime.clock.advance(timedelta(hours=1))
    since = service.runtime.clock.now().isoformat()
    service.runtime.clock.advance(timedelta(minutes=1))
    nothing = ok(
        await service.client.get("/v1/notifications", params={"updated_since": since}, headers=me)
    )
    assert (nothing["data"], nothing["deleted"], nothing["next_cursor"]) == ([], [], None)
    await service.deliver(completed(service.organisations["a"].id))
    service.runtime.clock.advance(timedelta(minutes=1))
    ok(await service.client.post(f"/v1/notifications/{old['id']}/read", headers=me))
    changes, cursor = [], None
    while True:
        params = {"updated_since": since, "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = ok(await service.client.get("/v1/notifications", params=params, headers=me))
        changes += page["data"]
        if (cursor := page["next_cursor"]) is None:
            break
    assert len(changes) == 2
    assert changes[0]["id"] != old["id"]  # oldest change first: the new one, then the read
    assert (changes[1]["id"], changes[1]["read_at"] is not None) == (old["id"], True)
    other = service.as_person("member_a")
    theirs = ok(
        await service.client.get(
            "/v1/notifications", params={"updated_since": since}, headers=other
        )
    )
    assert {n["id"] for n in theirs["data"]}.isdisjoint({c["id"] for c in changes})
    naive = await service.client.get(
        "/v1/notifications", params={"updated_since": "2026-12-01T10:00:00"}, headers=me
    )
    assert naive.status_code == 422, naive.text
    plain_cursor = ok(await service.client.get("/v1/notifications?limit=1", headers=me))[
        "next_cursor"
    ]
    mixed = await service.client.get(
        "/v1/notifications", params={"updated_since": since, "cursor": plain_cursor}, headers=me
    )
    assert mixed.status_code == 400


async def test_preferences_defaults_choices_and_bad_input(service: Service) -> None:
    await people(service)
    me = service.as_person("member_a")
    prefs = ok(await service.client.get("/v1/preferences", headers=me))
    assert prefs["timezone"] == "Europe/Paris"
    assert prefs["quiet_hours"] == {"start": "21:00", "end": "07:00"}
    assert prefs["events"]["diagnostic.completed.v1"] == {
        "in_app": "on",
        "email": "digest",
        "in_app_default": True,
        "email_default": True,
    }
    changed = ok(
        await service.client.put(
            "/v1/preferences",
            json={
                "events": {"diagnostic.completed.v1": {"email": "on", "in_app": "off"}},
                "timezone": "America/Cayenne",
                "quiet_hours": None,
            },
            headers=me,
        )
    )
    assert changed["events"]["diagnostic.completed.v1"]["email"] == "on"
    assert changed["quiet_hours"] is None
    assert changed["timezone"] == "America/Cayenne"
    for body, field in [
        ({"timezone": "Mars/Olympus"}, "body.timezone"),
        ({"events": {"nope.v1": {"email": "on"}}}, "body.events.nope.v1"),
        (
            {"events": {"audit.planned.v1": {"in_app": "digest"}}},
            "body.events.audit.planned.v1.in_app",
        ),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "body.quiet_hours.start"),
        ({"digest_hour": 24}, "body.digest_hour"),
        ({"colour": "blue"}, "body.colour"),
    ]:
        response = await service.client.put("/v1/preferences", json=body, headers=me)
        assert response.status_code == 422, body
        assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    # The choice applies: e-mail now, nothing in the feed.
    await service.deliver(completed(service.organisations["a"].id))
    (notification,) = [
        n for n in await rows(service, Notification) if n.user_id == service.people["member_a"]
    ]
    assert notification.in_feed is False
    assert service.people["member_a"] in {e.user_id for e in await rows(service, EmailMessage)}
    assert ok(await service.client.get("/v1/notifications", headers=me))["data"] == []


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def run_mail(service: Service) -> int:
    async with service.runtime.db.session() as session:
        return await mail.send_due(session, service.runtime.clock.now(), service.settings)


async def test_quiet_hours_delay_mail_to_the_morning_not_drop_it(
    service: Service, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    service.settings.smtp_port = port
    await people(service)
    at_paris(service, WINTER_DAY, 22, 30)
    await service.deliver(completed(service.organisations["a"].id))
    (email,) = await rows(service, EmailMessage)
    assert email.next_attempt_at == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 07:00 in Paris
    at_paris(service, WINTER_DAY, 23, 30)
    await run_mail(service)
    assert inbox.messages == []
    at_paris(service, WINTER_DAY + timedelta(days=1), 7, 1)
    await run_mail(service)
    await run_mail(service)
    assert len(inbox.messages) == 1
    assert parseaddr(inbox.messages[0]["To"])[1] == "admin_a@coorace.example"


async def test_the_digest_goes_once_a_day_at_eight(
    service: Service, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    service.settings.smtp_port = port
    await people(service)
    at_paris(service, WINTER_DAY, 6)
    for _ in range(2):
        await service.deliver(completed(service.organisations["a"].id))

    async def digest() -> int:
        async with service.runtime.db.session() as session:
            return await fanout.send_digests(session, service.runtime.clock.now(), service.settings)

    at_paris(service, WINTER_DAY, 7, 59)
    assert await digest() == 0
    at_paris(service, WINTER_DAY, 8, 0)
    assert await digest() == 2  # the member and the facilitator, two items each
    assert await digest() == 0  # once a day
    await run_mail(service)
    followers = ("member_a@coorace.example", "facilitator@coorace.example")
    to = sorted(parseaddr(m["To"])[1] for m in inbox.messages)
    assert [t for t in to if t in followers] == sorted(followers)
    at_paris(service, WINTER_DAY, 9)
    await service.deliver(completed(service.organisations["a"].id))
    assert await digest() == 0  # kept for tomorrow
    at_paris(service, WINTER_DAY + timedelta(days=1), 8, 5)
    assert await digest() == 2
    waiting = [d for d in await rows(service, DigestItem) if d.email_id is None]
    assert waiting == []


async def test_an_event_that_cannot_be_worded_still_notifies(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    await people(service)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyError("title")

    monkeypatch.setattr("cap_notifications.fanout.messages.wording.describe", broken)
    await service.deliver(completed(service.organisations["a"].id))
    titles = {n.title for n in await rows(service, Notification)}
    assert titles == {"Nouvel événement : diagnostic.completed.v1"}


async def test_preferences_are_changed_on_the_copy_read_if_match(service: Service) -> None:
    await people(service)
    me = service.as_person("member_a")
    read = await service.client.get("/v1/preferences", headers=me)
    tag = read.headers["etag"]
    assert read.headers["cache-control"] == "private, no-cache"
    unchanged = await service.client.get("/v1/preferences", headers={**me, "If-None-Match": tag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    first = await service.client.put(
        "/v1/preferences", json={"digest_hour": 6}, headers={**me, "If-Match": tag}
    )
    assert first.status_code == 200, first.text
    new = first.headers["etag"]
    assert new != tag
    assert (await service.client.get("/v1/preferences", headers=me)).headers["etag"] == new
    stale = await service.client.put(
        "/v1/preferences", json={"digest_hour": 9}, headers={**me, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == new
    assert ok(await service.client.get("/v1/preferences", headers=me))["digest_hour"] == 6
    again = await service.client.put(
        "/v1/preferences", json={"digest_hour": 9}, headers={**me, "If-Match": new}
    )
    assert again.status_code == 200, again.text
    # Someone else's preferences are theirs: their ETag differs, mine does not apply there.
    other = service.as_person("member_b") if "member_b" in service.people else service.admin
    assert (
        await service.client.put(
            "/v1/preferences", json={"digest_hour": 9}, headers={**other, "If-Match": new}
        )
    ).status_code == 412
