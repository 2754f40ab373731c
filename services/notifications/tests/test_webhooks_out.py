"""Outbound webhooks against a real receiver on a real port (aiohttp), scripted per test:
W5 (retries on the schedule, signatures, 410, 429/Retry-After, redirects not followed, the log,
manual replay with the same id), W6 (a hanging receiver cut off, the others served promptly),
W7 (private destinations refused, 0 connections) and the subscriptions API."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from sqlmodel import col
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from cap_notifications import main as notifications_main
from cap_notifications.config import Settings
from cap_notifications.models import WebhookDelivery, WebhookSubscription, metadata
from cap_notifications.webhooks import breakers, rules, sender
from cap_notifications.webhooks import service as webhooks_service
from cap_shared.clock import wall_now, wall_timestamp
from cap_shared.secrets import secret_box
from cap_shared.testing.metrics import ops_port

from .conftest import Service, ok

BASE = "/v1/webhook-subscriptions"
EVENT = "audit.planned.v1"
DEFAULT_DELAYS = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]


# the receiver ------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: Never answer (until the test ends).
    hang: bool = False


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    #: time.monotonic() when the request arrived.
    at: float
    #: Whether ``Webhook(secret).verify`` accepted it (None: the receiver has no secret yet).
    verified: bool | None


class Receiver:
    """An HTTP server on 127.0.0.1: each path answers its scripted replies in turn (the last one
    repeats) and verifies the Standard Webhooks signature once it knows the secret (401 if bad)."""

    def __init__(self) -> None:
        self.base = ""
        self.scripts: dict[str, list[Reply]] = {}
        self.secrets: dict[str, str] = {}
        self.hits: list[Hit] = []
        self.release = asyncio.Event()

    def url(self, path: str, *replies: Reply) -> str:
        self.scripts[path] = list(replies) or [Reply()]
        return f"{self.base}{path}"

    def hits_on(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        verified: bool | None = None
        if (secret := self.secrets.get(request.path)) is not None:
            try:
                Webhook(secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
        self.hits.append(Hit(request.path, headers, body, time.monotonic(), verified))
        if verified is False:
            return web.Response(status=401, text="bad signature")
        script = self.scripts.get(request.path, [Reply(404)])
        reply = script.pop(0) if len(script) > 1 else script[0]
        if reply.hang:
            await self.release.wait()
        return web.Response(status=reply.status, headers=reply.headers, text="receiver says no")


class Listener:
    """A bare TCP listener that counts the connections made to it (and closes them)."""

    def __init__(self) -> None:
        self.connections = 0
        self.port = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _accept(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", rec.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    rec.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        yield rec
    finally:
        rec.release.set()
        await runner.cleanup()


@pytest.fixture
async def listener() -> AsyncIterator[Listener]:
    counting = Listener()
    await counting.start()
    try:
        yield counting
    finally:
        await counting.stop()


@pytest.fixture(autouse=True)
def fresh_breakers() -> Iterator[None]:
    breakers.BREAKERS.clear()
    yield
    breakers.BREAKERS.clear()


# helpers ---------------------------------------------------------------------------------------


async def subscribe(
    service: Service,
    url: str,
    receiver: Receiver | None = None,
    event_types: tuple[str, ...] = (EVENT,),
    name: str = "Organisme certificateur",
) -> dict[str, Any]:
    created = ok(
        await service.client.post(
            BASE,
            json={"name": name, "url": url, "event_types": list(event_types)},
            headers=service.admin,
        ),
        201,
    )
    if receiver is not None:
        receiver.secrets[url.removeprefix(receiver.base)] = created["secret"]
    return created


def envelope(event_type: str = EVENT) -> tuple[str, str]:
    """An event id and its CloudEvents JSON text (odd spacing and accents: sent byte for byte)."""
    event_id = str(uuid.uuid4())
    body = json.dumps(
        {
            "specversion": "1.0",
            "id": event_id,
            "type": event_type,
            "source": "/cap/audit",
            "data": {"audit_id": str(uuid.uuid4()), "organisation": "Éco-Structure « Nord »"},
        },
        ensure_ascii=False,
        indent=1,
    )
    return event_id, body


async def enqueue(service: Service, event_type: str = EVENT) -> tuple[str, str, int]:
    event_id, body = envelope(event_type)
    async with service.runtime.db.session() as session:
        created = await webhooks_service.enqueue(
            session,
            event_id=event_id,
            event_type=event_type,
            body=body,
            now=service.runtime.clock.now(),
        )
    return event_id, body, created


async def send(service: Service) -> int:
    async with service.runtime.db.session() as session:
        return await sender.send_due(session, service.runtime.clock.now(), service.settings)


async def log(service: Service, subscription_id: str) -> list[dict[str, Any]]:
    page = ok(
        await service.client.get(f"{BASE}/{subscription_id}/deliveries", headers=service.admin)
    )
    assert page["next_cursor"] is None
    return list(page["data"])


async def only_delivery(service: Service, subscription_id: str) -> dict[str, Any]:
    (delivery,) = await log(service, subscription_id)
    return delivery


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def advance_to(service: Service, when: str) -> None:
    """Move the clock to a delivery's ``next_attempt_at``."""
    service.runtime.clock.advance(at(when) - service.runtime.clock.now())


async def rows(service: Service, *where: Any) -> list[WebhookDelivery]:
    async with service.runtime.db.session() as session:
        query = sa.select(WebhookDelivery).where(*where)
        return list((await session.execute(query)).scalars().all())


# enqueue ---------------------------------------------------------------------------------------


async def test_enqueue_one_delivery_per_matching_active_subscription_once(
    service: Service, receiver: Receiver
) -> None:
    planned = await subscribe(service, receiver.url("/planned"))
    everything = await subscribe(service, receiver.url("/all"), event_types=("*",))
    await subscribe(service, receiver.url("/other"), event_types=("label.expiring.v1",))
    disabled = await subscribe(service, receiver.url("/disabled"))
    ok(
        await service.client.patch(
            f"{BASE}/{disabled['id']}", json={"status": "disabled"}, headers=service.admin
        )
    )

    event_id, body, created = await enqueue(service)
    assert created == 2
    async with service.runtime.db.session() as session:
        again = await webhooks_service.enqueue(
            session, event_id=event_id, event_type=EVENT, body=body, now=service.runtime.clock.now()
        )
    assert again == 0  # the same event again (a redelivered message): nothing more

    made = await rows(service, col(WebhookDelivery.event_id) == event_id)
    assert sorted(d.subscription_id for d in made) == sorted([planned["id"], everything["id"]])
    for delivery in made:
        assert re.fullmatch(r"msg_[0-9a-f]{32}", delivery.id)
        assert delivery.payload == body
        assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert made[0].id != made[1].id


# W5 --------------------------------------------------------------------------------------------


async def test_w5_retries_on_the_schedule_until_delivered_signed_with_a_stable_id(
    service: Service, receiver: Receiver
) -> None:
    url = receiver.url("/cb", Reply(500), Reply(500), Reply(500), Reply(200))
    subscription = await subscribe(service, url, receiver)
    _, body, _ = await enqueue(service)

    assert await send(service) == 1
    for expected_delay in DEFAULT_DELAYS[:3]:
        delivery = await only_delivery(service, subscription["id"])
        assert delivery["status"] == "pending"
        last = delivery["log"][-1]
        gap = (at(delivery["next_attempt_at"]) - at(last["at"])).total_seconds()
        assert expected_delay * 0.9 <= gap <= expected_delay * 1.1
        assert await send(service) == 0  # not due yet
        advance_to(service, delivery["next_attempt_at"])
        assert await send(service) == 1

    delivery = await only_delivery(service, subscription["id"])
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == (
        "delivered",
        4,
        None,
    )
    assert delivery["next_attempt_at"] is None
    assert [a["number"] for a in delivery["log"]] == [1, 2, 3, 4]
    assert [a["status_code"] for a in delivery["log"]] == [500, 500, 500, 200]
    assert [a["manual"] for a in delivery["log"]] == [False] * 4
    assert all(a["latency_ms"] >= 0 for a in delivery["log"])
    assert [a["error"] for a in delivery["log"]] == ["answered 500: receiver says no"] * 3 + [None]
    gaps = [
        (at(b["at"]) - at(a["at"])).total_seconds()
        for a, b in zip(delivery["log"], delivery["log"][1:], strict=False)
    ]
    for gap, expected_delay in zip(gaps, DEFAULT_DELAYS, strict=False):
        assert expected_delay * 0.9 <= gap <= expected_delay * 1.1 + 1

    hits = receiver.hits_on("/cb")
    assert len(hits) == 4
    assert all(h.verified for h in hits)  # Webhook(secret).verify(...) on the receiver's side
    assert {h.headers["webhook-id"] for h in hits} == {delivery["id"]}
    assert all(h.body == body.encode() for h in hits)  # byte for byte, every time
    assert all(h.headers["content-type"] == "application/json" for h in hits)
    for hit in hits:
        assert abs(int(hit.headers["webhook-timestamp"]) - wall_timestamp()) < 60
        assert hit.headers["webhook-signature"].startswith("v1,")


async def test_w5_schedule_exhausted_then_failed(service: Service, receiver: Receiver) -> None:
    service.settings.webhook_retry_delays_s = [1, 2]
    subscription = await subscribe(service, receiver.url("/down", Reply(500)), receiver)
    await enqueue(service)
    for _ in range(3):
        assert await send(service) == 1
        delivery = await only_delivery(service, subscription["id"])
        if delivery["status"] == "pending":
            advance_to(service, delivery["next_attempt_at"])
    assert (delivery["status"], delivery["attempts"]) == ("failed", 3)
    assert delivery["last_error"] == "answered 500: receiver says no"
    service.runtime.clock.advance(timedelta(days=2))
    assert await send(service) == 0
    assert len(receiver.hits_on("/down")) == 3


async def test_w5_410_disables_the_subscription_and_cancels_its_pending_deliveries(
    service: Service, receiver: Receiver
) -> None:
    gone = await subscribe(service, receiver.url("/gone", Reply(410), Reply(200)), receiver)
    healthy = await subscribe(service, receiver.url("/healthy"), receiver)
    await enqueue(service)
    await enqueue(service)

    # the first call to /gone answers 410: nothing more is sent there
    assert await send(service) == 3
    assert len(receiver.hits_on("/gone")) == 1
    subscription = ok(await service.client.get(f"{BASE}/{gone['id']}", headers=service.admin))
    assert subscription["status"] == "disabled"
    assert "410" in subscription["disabled_reason"]
    statuses = sorted(d["status"] for d in await log(service, gone["id"]))
    assert statuses == ["cancelled", "failed"]
    failed = next(d for d in await log(service, gone["id"]) if d["status"] == "failed")
    assert failed["log"][0]["status_code"] == 410
    assert [d["status"] for d in await log(service, healthy["id"])] == ["delivered"] * 2

    # new events are not queued for a disabled subscription, and nothing is sent
    _, _, created = await enqueue(service)
    assert created == 1
    service.runtime.clock.advance(timedelta(hours=1))
    assert await send(service) == 1
    assert len(receiver.hits_on("/gone")) == 1

    # re-enabled by an admin, the cancelled delivery can be replayed
    ok(
        await service.client.patch(
            f"{BASE}/{gone['id']}", json={"status": "active"}, headers=service.admin
        )
    )
    cancelled = next(d for d in await log(service, gone["id"]) if d["status"] == "cancelled")
    ok(
        await service.client.post(
            f"{BASE}/{gone['id']}/deliveries/{cancelled['id']}/replay", headers=service.admin
        ),
        202,
    )
    assert await send(service) == 1
    replayed = next(d for d in await log(service, gone["id"]) if d["id"] == cancelled["id"])
    assert replayed["status"] == "delivered"
    assert [a["manual"] for a in replayed["log"]] == [True]


async def test_w5_throttling_honours_retry_after(service: Service, receiver: Receiver) -> None:
    in_an_hour = format_datetime(wall_now() + timedelta(hours=1), usegmt=True)
    url = receiver.url(
        "/busy",
        Reply(429, {"Retry-After": "120"}),
        Reply(503, {"Retry-After": in_an_hour}),
        Reply(502),
        Reply(200),
    )
    subscription = await subscribe(service, url, receiver)
    await enqueue(service)

    assert await send(service) == 1
    delivery = await only_delivery(service, subscription["id"])
    gap = at(delivery["next_attempt_at"]) - at(delivery["log"][-1]["at"])
    assert gap == timedelta(seconds=120)  # exactly what the receiver asked, no jitter
    service.runtime.clock.advance(timedelta(seconds=60))
    assert await send(service) == 0
    advance_to(service, delivery["next_attempt_at"])

    assert await send(service) == 1  # 503 with an HTTP date an hour ahead
    delivery = await only_delivery(service, subscription["id"])
    gap = at(delivery["next_attempt_at"]) - at(delivery["log"][-1]["at"])
    assert abs(gap.total_seconds() - 3600) <= 2
    advance_to(service, delivery["next_attempt_at"])

    assert await send(service) == 1  # 502 without Retry-After: the schedule (3rd delay)
    delivery = await only_delivery(service, subscription["id"])
    gap = at(delivery["next_attempt_at"]) - at(delivery["log"][-1]["at"])
    assert 1800 * 0.9 <= gap.total_seconds() <= 1800 * 1.1
    advance_to(service, delivery["next_attempt_at"])

    assert await send(service) == 1
    delivery = await only_delivery(service, subscription["id"])
    assert delivery["status"] == "delivered"
    assert [a["status_code"] for a in delivery["log"]] == [429, 503, 502, 200]
    assert len(receiver.hits_on("/busy")) == 4


async def test_w5_redirects_are_not_followed(
    service: Service, receiver: Receiver, listener: Listener
) -> None:
    metadata = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    inside = f"http://127.0.0.1:{listener.port}/admin"
    to_metadata = await subscribe(
        service, receiver.url("/r1", Reply(307, {"Location": metadata})), receiver
    )
    to_inside = await subscribe(
        service, receiver.url("/r2", Reply(302, {"Location": inside})), receiver
    )
    await enqueue(service)

    assert await send(service) == 2
    assert listener.connections == 0  # the redirect target was never called
    assert len(receiver.hits_on("/r1")) == len(receiver.hits_on("/r2")) == 1
    for subscription, status, location in ((to_metadata, 307, metadata), (to_inside, 302, inside)):
        delivery = await only_delivery(service, subscription["id"])
        (attempt,) = delivery["log"]
        assert attempt["status_code"] == status
        assert attempt["error"] == f"answered {status}: redirect to {location!r} not followed"
        # a failure like any other: retried on the schedule
        assert delivery["status"] == "pending"
        gap = (at(delivery["next_attempt_at"]) - at(attempt["at"])).total_seconds()
        assert 4.5 <= gap <= 5.5


async def test_w5_manual_replay_reuses_the_webhook_id(service: Service, receiver: Receiver) -> None:
    subscription = await subscribe(service, receiver.url("/cb"), receiver)
    _, body, _ = await enqueue(service)
    assert await send(service) == 1
    delivered = await only_delivery(service, subscription["id"])
    assert delivered["status"] == "delivered"
    replay_url = f"{BASE}/{subscription['id']}/deliveries/{delivered['id']}/replay"

    queued = ok(await service.client.post(replay_url, headers=service.admin), 202)
    assert (queued["id"], queued["status"]) == (delivered["id"], "pending")
    conflict = await service.client.post(replay_url, headers=service.admin)
    assert conflict.status_code == 409  # already waiting
    assert await send(service) == 1

    hits = receiver.hits_on("/cb")
    assert len(hits) == 2
    assert [h.headers["webhook-id"] for h in hits] == [delivered["id"]] * 2
    assert all(h.verified and h.body == body.encode() for h in hits)
    delivery = await only_delivery(service, subscription["id"])
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 2)
    assert [(a["number"], a["manual"]) for a in delivery["log"]] == [(1, False), (2, True)]

    unknown = await service.client.post(
        f"{BASE}/{subscription['id']}/deliveries/msg_{'0' * 32}/replay", headers=service.admin
    )
    assert unknown.status_code == 404
    other = await subscribe(service, receiver.url("/other"), receiver)
    foreign = await service.client.post(
        f"{BASE}/{other['id']}/deliveries/{delivered['id']}/replay", headers=service.admin
    )
    assert foreign.status_code == 404


async def test_w5_a_failed_delivery_replayed_gets_the_schedule_again(
    service: Service, receiver: Receiver
) -> None:
    service.settings.webhook_retry_delays_s = [10]
    subscription = await subscribe(service, receiver.url("/flaky", Reply(500)), receiver)
    await enqueue(service)
    assert await send(service) == 1
    advance_to(service, (await only_delivery(service, subscription["id"]))["next_attempt_at"])
    assert await send(service) == 1
    failed = await only_delivery(service, subscription["id"])
    assert (failed["status"], failed["attempts"]) == ("failed", 2)

    ok(
        await service.client.post(
            f"{BASE}/{subscription['id']}/deliveries/{failed['id']}/replay",
            headers=service.admin,
        ),
        202,
    )
    assert await send(service) == 1  # the manual attempt fails: retried on the schedule
    delivery = await only_delivery(service, subscription["id"])
    assert delivery["status"] == "pending"
    gap = (at(delivery["next_attempt_at"]) - at(delivery["log"][-1]["at"])).total_seconds()
    assert 9 <= gap <= 11
    advance_to(service, delivery["next_attempt_at"])
    assert await send(service) == 1
    delivery = await only_delivery(service, subscription["id"])
    assert (delivery["status"], delivery["attempts"]) == ("failed", 4)
    assert [a["manual"] for a in delivery["log"]] == [False, False, True, False]
    assert len({h.headers["webhook-id"] for h in receiver.hits_on("/flaky")}) == 1


# W6 --------------------------------------------------------------------------------------------


async def test_w6_a_hanging_receiver_is_cut_off_and_delays_no_one(
    service: Service, receiver: Receiver
) -> None:
    service.settings.webhook_timeout_s = 0.5
    hanging = await subscribe(service, receiver.url("/hang", Reply(hang=True)), receiver)
    healthy = await subscribe(service, receiver.url("/fine"), receiver)
    await enqueue(service)
    await enqueue(service)  # two deliveries each

    started = time.monotonic()
    assert await send(service) == 3  # the hanging one is tried once per run, not twice
    elapsed = time.monotonic() - started
    assert elapsed < 2.0

    fine = receiver.hits_on("/fine")
    (hang,) = receiver.hits_on("/hang")
    assert len(fine) == 2
    # served while the hanging call was still waiting, not queued behind it
    assert all(h.at < hang.at + 0.5 for h in fine)
    assert [d["status"] for d in await log(service, healthy["id"])] == ["delivered"] * 2

    stuck = await log(service, hanging["id"])
    tried = [d for d in stuck if d["attempts"] == 1]
    untouched = [d for d in stuck if d["attempts"] == 0]
    assert len(tried) == len(untouched) == 1
    (attempt,) = tried[0]["log"]
    assert attempt["status_code"] is None
    assert attempt["error"] == "no answer within 0.5 s"
    assert 450 <= attempt["latency_ms"] < 1500
    assert tried[0]["status"] == "pending"  # rescheduled on the schedule
    gap = (at(tried[0]["next_attempt_at"]) - at(attempt["at"])).total_seconds()
    assert 4.5 <= gap <= 5.5
    assert untouched[0]["status"] == "pending"  # still due: the next run takes it


# W7 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hook",
        "https://localhost/hook",
        "http://192.168.1.20/hook",
    ],
)
async def test_w7_private_destinations_are_refused_at_creation(service: Service, url: str) -> None:
    service.settings.webhook_allow_private = False
    response = await service.client.post(
        BASE, json={"name": "x", "url": url, "event_types": [EVENT]}, headers=service.admin
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert error["field"] == "body.url"
    assert "non-public" in error["message"]
    assert ok(await service.client.get(BASE, headers=service.admin))["data"] == []


async def test_w7_a_public_address_is_accepted(service: Service) -> None:
    service.settings.webhook_allow_private = False
    created = ok(
        await service.client.post(
            BASE,
            json={"name": "Partner", "url": "https://93.184.215.14/hooks", "event_types": ["*"]},
            headers=service.admin,
        ),
        201,
    )
    assert created["url"] == "https://93.184.215.14/hooks"


async def test_w7_a_delivery_to_a_private_host_makes_no_connection(
    service: Service, listener: Listener
) -> None:
    by_name = await subscribe(service, f"http://localhost:{listener.port}/hook")
    by_address = await subscribe(service, f"http://127.0.0.1:{listener.port}/hook")
    await enqueue(service)  # queued while private destinations were allowed

    service.settings.webhook_allow_private = False
    assert await send(service) == 2
    assert listener.connections == 0
    for subscription in (by_name, by_address):
        delivery = await only_delivery(service, subscription["id"])
        assert delivery["status"] == "failed"
        (attempt,) = delivery["log"]
        assert attempt["status_code"] is None
        assert attempt["error"].startswith("destination refused: ")
        assert "non-public address" in attempt["error"]
    service.runtime.clock.advance(timedelta(days=1))
    assert await send(service) == 0

    # the control: allowed again, a replay does reach the listener (which counts it)
    service.settings.webhook_allow_private = True
    delivery = await only_delivery(service, by_address["id"])
    ok(
        await service.client.post(
            f"{BASE}/{by_address['id']}/deliveries/{delivery['id']}/replay",
            headers=service.admin,
        ),
        202,
    )
    assert await send(service) == 1
    assert listener.connections >= 1


# the API ---------------------------------------------------------------------------------------


async def test_api_is_for_admins_only(service: Service, receiver: Receiver) -> None:
    subscription = await subscribe(service, receiver.url("/cb"))
    sid = subscription["id"]
    calls = [
        ("GET", BASE, None),
        ("POST", BASE, {"name": "x", "url": receiver.url("/x"), "event_types": [EVENT]}),
        ("GET", f"{BASE}/{sid}", None),
        ("PATCH", f"{BASE}/{sid}", {"name": "y"}),
        ("DELETE", f"{BASE}/{sid}", None),
        ("POST", f"{BASE}/{sid}/rotate-secret", None),
        ("GET", f"{BASE}/{sid}/deliveries", None),
        ("POST", f"{BASE}/{sid}/deliveries/msg_{'0' * 32}/replay", None),
    ]
    for role in ("member", "member_admin", "committee", "facilitator"):
        headers = service.headers({"role": role, "organisation_id": str(uuid.uuid4())})
        for method, path, body in calls:
            response = await service.client.request(method, path, json=body, headers=headers)
            assert response.status_code == 403, (role, method, path, response.text)
    for method, path, body in calls:
        response = await service.client.request(method, path, json=body)
        assert response.status_code == 401, (method, path)
    assert ok(await service.client.get(f"{BASE}/{sid}", headers=service.admin))["name"] == (
        "Organisme certificateur"
    )


async def test_api_bad_input_is_refused_naming_the_fields(
    service: Service, receiver: Receiver
) -> None:
    async def fields(response: Any) -> set[str]:
        assert response.status_code == 422, response.text
        return {e["field"] for e in response.json()["errors"]}

    post = service.client.post
    assert await fields(
        await post(
            BASE, json={"url": "ftp://cb.example/x", "event_types": []}, headers=service.admin
        )
    ) == {"body.name", "body.url", "body.event_types"}
    assert await fields(
        await post(
            BASE,
            json={"name": "x", "url": receiver.url("/x"), "event_types": [EVENT, "audit.deleted"]},
            headers=service.admin,
        )
    ) == {"body.event_types"}
    assert await fields(
        await post(
            BASE,
            json={"name": "x", "url": receiver.url("/x"), "event_types": [EVENT], "secret": "s"},
            headers=service.admin,
        )
    ) == {"body.secret"}
    assert await fields(
        await post(
            BASE,
            json={"name": "", "url": "not a url", "event_types": EVENT},
            headers=service.admin,
        )
    ) == {"body.name", "body.url", "body.event_types"}
    subscription = await subscribe(service, receiver.url("/cb"))
    path = f"{BASE}/{subscription['id']}"
    assert await fields(
        await service.client.patch(
            path, json={"status": "deleted", "event_types": []}, headers=service.admin
        )
    ) == {"body.status", "body.event_types"}
    assert await fields(
        await service.client.get(f"{path}/deliveries?limit=1000", headers=service.admin)
    ) == {"query.limit"}
    assert await fields(
        await service.client.get(f"{path}/deliveries?status=lost", headers=service.admin)
    ) == {"query.status"}
    missing = await service.client.get(f"{BASE}/{uuid.uuid4()}", headers=service.admin)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert ok(await service.client.get(path, headers=service.admin))["event_types"] == [EVENT]


async def test_api_the_secret_is_shown_once_and_rotates(
    service: Service, receiver: Receiver
) -> None:
    response = await service.client.post(
        BASE,
        json={"name": "CB", "url": receiver.url("/cb"), "event_types": [EVENT, EVENT]},
        headers=service.admin,
    )
    created = ok(response, 201)
    assert response.headers["cache-control"] == "no-store"
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert created["event_types"] == [EVENT]  # duplicates dropped
    assert created["status"] == "active"
    assert created["created_by"].startswith("user:")

    for path in (BASE, f"{BASE}/{created['id']}"):
        response = await service.client.get(path, headers=service.admin)
        assert response.status_code == 200
        assert "secret" not in response.text
        assert secret not in response.text
    async with service.runtime.db.session() as session:
        row = await session.get(WebhookSubscription, created["id"])
        assert row is not None
        assert secret not in row.secret  # encrypted at rest
        box = secret_box(service.settings.secret_encryption_key)
        assert box.decrypt(row.secret.encode()).decode() == secret

    rotated = ok(
        await service.client.post(f"{BASE}/{created['id']}/rotate-secret", headers=service.admin)
    )
    new_secret = rotated["secret"]
    assert new_secret.startswith("whsec_")
    assert new_secret != secret
    assert "secret" not in ok(
        await service.client.get(f"{BASE}/{created['id']}", headers=service.admin)
    )

    receiver.secrets["/cb"] = new_secret
    await enqueue(service)
    assert await send(service) == 1
    (hit,) = receiver.hits_on("/cb")
    assert hit.verified  # signed with the new secret
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(hit.body, hit.headers)  # and no longer with the old one


async def test_api_patch_and_delete(service: Service, receiver: Receiver) -> None:
    subscription = await subscribe(service, receiver.url("/cb", Reply(500)), receiver)
    path = f"{BASE}/{subscription['id']}"
    changed = ok(
        await service.client.patch(
            path,
            json={
                "name": "Partenaire SI",
                "url": receiver.url("/v2", Reply(500)),
                "event_types": ["label.expiring.v1", EVENT],
            },
            headers=service.admin,
        )
    )
    assert (changed["name"], changed["url"], changed["event_types"]) == (
        "Partenaire SI",
        f"{receiver.base}/v2",
        ["label.expiring.v1", EVENT],
    )
    assert changed["modified_at"] is not None
    service.settings.webhook_allow_private = False
    refused = await service.client.patch(
        path, json={"url": "http://10.1.2.3/x"}, headers=service.admin
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.url"
    service.settings.webhook_allow_private = True

    await enqueue(service)
    disabled = ok(
        await service.client.patch(path, json={"status": "disabled"}, headers=service.admin)
    )
    assert disabled["status"] == "disabled"
    assert disabled["disabled_reason"].startswith("disabled by ")
    assert [d["status"] for d in await log(service, subscription["id"])] == ["cancelled"]
    assert await send(service) == 0
    enabled = ok(await service.client.patch(path, json={"status": "active"}, headers=service.admin))
    assert (enabled["status"], enabled["disabled_reason"]) == ("active", None)

    event_id, _, _ = await enqueue(service)
    deleted = await service.client.delete(path, headers=service.admin)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await service.client.get(path, headers=service.admin)).status_code == 404
    assert (
        await service.client.get(f"{path}/deliveries", headers=service.admin)
    ).status_code == 404
    assert (await service.client.delete(path, headers=service.admin)).status_code == 404
    assert subscription["id"] not in {
        s["id"] for s in ok(await service.client.get(BASE, headers=service.admin))["data"]
    }
    (pending,) = await rows(service, col(WebhookDelivery.event_id) == event_id)
    assert pending.status == "cancelled"
    assert await send(service) == 0
    assert receiver.hits == []
    _, _, created = await enqueue(service)
    assert created == 0


async def test_api_deliveries_are_paged_newest_first(service: Service, receiver: Receiver) -> None:
    subscription = await subscribe(service, receiver.url("/cb"), receiver)
    events = []
    for _ in range(3):
        events.append((await enqueue(service))[0])
        service.runtime.clock.advance(timedelta(seconds=1))
    path = f"{BASE}/{subscription['id']}/deliveries"
    first = ok(await service.client.get(f"{path}?limit=2", headers=service.admin))
    assert [d["event_id"] for d in first["data"]] == events[::-1][:2]
    second = ok(
        await service.client.get(
            f"{path}?limit=2&cursor={first['next_cursor']}", headers=service.admin
        )
    )
    assert [d["event_id"] for d in second["data"]] == events[:1]
    assert second["next_cursor"] is None
    assert await send(service) == 3
    delivered = ok(await service.client.get(f"{path}?status=delivered", headers=service.admin))
    assert len(delivered["data"]) == 3
    assert (
        ok(await service.client.get(f"{path}?status=pending", headers=service.admin))["data"] == []
    )


async def test_the_standalone_database_sqlite_enqueues_once_and_sends(
    make_database: Any, receiver: Receiver
) -> None:
    """The standalone platform runs on SQLite: no FOR UPDATE there, the same outcomes."""
    db = await make_database("sqlite", "notifications", notifications_main.MIGRATIONS, metadata)
    settings = Settings(webhook_allow_private=True)
    secret = rules.new_secret()
    box = secret_box(settings.secret_encryption_key)
    now = wall_now()
    async with db.session() as session:
        session.add(
            WebhookSubscription(
                id=str(uuid.uuid4()),
                name="CB",
                url=receiver.url("/lite", Reply(500), Reply(200)),
                event_types=["*"],
                secret=box.encrypt(secret.encode()).decode(),
                created_by="user:admin",
            )
        )
    receiver.secrets["/lite"] = secret
    event_id, body = envelope()
    for expected in (1, 0):
        async with db.session() as session:
            created = await webhooks_service.enqueue(
                session, event_id=event_id, event_type=EVENT, body=body, now=now
            )
        assert created == expected
    async with db.session() as session:
        assert await sender.send_due(session, now, settings) == 1
    async with db.session() as session:
        (delivery,) = (await session.execute(sa.select(WebhookDelivery))).scalars().all()
        assert delivery.status == "pending"
        assert 4.5 <= (delivery.next_attempt_at - now).total_seconds() <= 5.5
        later = delivery.next_attempt_at
        assert await sender.send_due(session, later, settings) == 1
    async with db.session() as session:
        page = await webhooks_service.deliveries(session, delivery.subscription_id, limit=1)
    (out,) = page.data
    assert (out.status, out.attempts) == ("delivered", 2)
    assert [a.status_code for a in out.log] == [500, 200]
    hits = receiver.hits_on("/lite")
    assert [h.verified for h in hits] == [True, True]
    assert {h.headers["webhook-id"] for h in hits} == {delivery.id}


async def test_two_workers_never_send_the_same_delivery(
    make_database: Any, receiver: Receiver
) -> None:
    """PostgreSQL, two sessions at once: the rows one worker is sending are skipped by the other
    (FOR UPDATE SKIP LOCKED), so a delivery is not sent twice by concurrent runs."""
    db = await make_database(
        "postgresql", "notifications-webhooks", notifications_main.MIGRATIONS, metadata
    )
    settings = Settings(webhook_allow_private=True, webhook_timeout_s=5)
    secret = rules.new_secret()
    now = wall_now()
    async with db.session() as session:
        session.add(
            WebhookSubscription(
                id=str(uuid.uuid4()),
                name="CB",
                url=receiver.url("/slow", Reply(hang=True)),
                event_types=[EVENT],
                secret=secret_box(settings.secret_encryption_key).encrypt(secret.encode()).decode(),
                created_by="user:admin",
            )
        )
    event_id, body = envelope()
    async with db.session() as session:
        assert (
            await webhooks_service.enqueue(
                session, event_id=event_id, event_type=EVENT, body=body, now=now
            )
            == 1
        )

    async def run() -> int:
        async with db.session() as session:
            return await sender.send_due(session, now, settings)

    first = asyncio.create_task(run())
    while not receiver.hits_on("/slow"):  # noqa: ASYNC110 - the receiver records, no event
        await asyncio.sleep(0.01)
    assert await run() == 0  # the other worker skips the locked row
    receiver.release.set()
    assert await first == 1
    assert len(receiver.hits_on("/slow")) == 1
    async with db.session() as session:
        (delivery,) = (await session.execute(sa.select(WebhookDelivery))).scalars().all()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)


async def test_a_failing_subscriber_trips_its_own_breaker_only(
    service: Service, receiver: Receiver
) -> None:
    failing = await subscribe(service, receiver.url("/broken", Reply(500)), receiver)
    healthy = await subscribe(service, receiver.url("/fine"), receiver)
    for _ in range(rules.BREAKER_FAILURES + 2):
        await enqueue(service)

    # 500s do not stop a run; the fifth consecutive failure opens the breaker
    assert await send(service) == rules.BREAKER_FAILURES + (rules.BREAKER_FAILURES + 2)
    assert len(receiver.hits_on("/broken")) == rules.BREAKER_FAILURES
    assert breakers.breaker(failing["id"]).state == "open"
    service.runtime.clock.advance(timedelta(hours=1))
    _, _, created = await enqueue(service)
    assert created == 2
    assert await send(service) == 1  # the healthy one; the open breaker's are left waiting
    assert len(receiver.hits_on("/broken")) == rules.BREAKER_FAILURES
    assert {d["status"] for d in await log(service, healthy["id"])} == {"delivered"}
    waiting = [d for d in await log(service, failing["id"]) if d["attempts"] == 0]
    assert len(waiting) == 3
    assert {d["status"] for d in waiting} == {"pending"}


async def test_a_subscription_is_changed_on_the_copy_read_if_match(
    service: Service, receiver: Receiver
) -> None:
    created = await subscribe(service, receiver.url("/conditional"))
    url = f"{BASE}/{created['id']}"
    tag = (await service.client.get(url, headers=service.admin)).headers["etag"]
    assert (
        await service.client.get(url, headers={**service.admin, "If-None-Match": tag})
    ).status_code == 304
    renamed = await service.client.patch(
        url, json={"name": "Renommé"}, headers={**service.admin, "If-Match": tag}
    )
    assert renamed.status_code == 200, renamed.text
    new = renamed.headers["etag"]
    assert new == (await service.client.get(url, headers=service.admin)).headers["etag"]
    stale = await service.client.patch(
        url, json={"status": "disabled"}, headers={**service.admin, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert ok(await service.client.get(url, headers=service.admin))["status"] == "active"
    assert (
        await service.client.patch(
            url, json={"status": "disabled"}, headers={**service.admin, "If-Match": new}
        )
    ).status_code == 200


# metrics ---------------------------------------------------------------------------------------


async def test_attempts_are_measured_per_subscriber_and_outcome(
    service: Service, receiver: Receiver
) -> None:
    """On the ops port: each attempt by subscription and outcome, its time, the deliveries given
    up, and each subscription's breaker."""
    service.settings.webhook_retry_delays_s = [1]
    service.settings.webhook_timeout_s = 0.5
    flaky = await subscribe(service, receiver.url("/flaky", Reply(500), Reply(200)), receiver)
    down = await subscribe(service, receiver.url("/down", Reply(503)), receiver)
    slow = await subscribe(service, receiver.url("/slow", Reply(hang=True)), receiver)
    await enqueue(service)
    async with ops_port() as scrape:

        async def attempts(subscription: dict[str, Any], outcome: str) -> float:
            return await scrape.value(
                "cap_webhook_attempts_total",
                service="notifications",
                subscriber=subscription["id"],
                outcome=outcome,
            )

        assert await send(service) == 3
        service.runtime.clock.advance(timedelta(seconds=2))
        assert await send(service) == 3
        assert await attempts(flaky, "http_error") == 1
        assert await attempts(flaky, "delivered") == 1
        assert await attempts(down, "http_error") == 2
        assert await attempts(slow, "timeout") == 2
        seconds = await scrape.samples(
            "cap_webhook_attempt_seconds_sum", subscriber=slow["id"], service="notifications"
        )
        assert [s.value >= 1.0 for s in seconds] == [True]  # two attempts of 0.5 s
        abandoned = "cap_webhook_abandoned_total"
        assert await scrape.value(abandoned, subscriber=down["id"]) == 1
        assert await scrape.value(abandoned, subscriber=flaky["id"]) == 0
        breaker = await scrape.samples("cap_breaker_state", breaker=f"webhook:{down['id']}")
        assert [s.value for s in breaker] == [0]  # two failures: closed (five open it)
