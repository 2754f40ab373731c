"""Shared steps of the journey tests: the platform driven through the gateway as the web
front-end drives it, plus the real outside world it talks to (a certification body's system,
an SMTP server, a webhook receiver), each on a real port of 127.0.0.1.

Nothing here is specific to one journey: people signed in by role, polling with a deadline
(events cross the broker), running a service's periodic job on the runtime's clock, and the
settings that point the platform at the local outside world.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, TypeVar

import httpx
import uvicorn
from aiohttp import web
from aiosmtpd.controller import Controller
from cap_cb_simulator.app import Settings as SimulatorSettings
from cap_cb_simulator.app import Simulator
from cap_cb_simulator.app import create_app as create_simulator
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from cap_audit.certifier import connector
from cap_shared.cli import EmbeddedServer
from cap_shared.testing.auth import create_user, role_known, sign_in
from cap_shared.testing.net import free_port
from cap_standalone.testing import Topology

T = TypeVar("T")

#: Password of every person a journey creates.
PASSWORD = "correct horse battery staple"
#: How long an asynchronous step may take (events cross the broker; jobs run on demand).
DEADLINE_S = 15.0


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body of an answer that must have ``status`` (the body in the failure message)."""
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url.path}: "
        f"{response.status_code} {response.text}"
    )
    return response.json() if response.content else None


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    what: str,
    timeout: float = DEADLINE_S,
    interval: float = 0.05,
) -> T:
    """Call ``probe`` until it returns something truthy (then return it), within ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = await probe()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s (last: {last!r})")
        await asyncio.sleep(interval)


# people ---------------------------------------------------------------------------------------
@dataclass
class Person:
    """Someone signed in through the gateway: their account and ``Authorization`` header."""

    id: str
    email: str
    headers: dict[str, str]
    role: str

    @property
    def subject(self) -> str:
        """The ``sub`` of their access tokens."""
        return f"user:{self.id}"


async def person(topology: Topology, *, role: str, name: str, **scope: str) -> Person:
    """Invite someone with ``role`` (and its scope) as the administrator, accept, sign in."""
    email = f"{name}.{role.replace('_', '-')}.{uuid.uuid4().hex[:8]}@coorace.example"
    headers = await create_user(
        topology.client, topology.admin, role=role, email=email, password=PASSWORD, **scope
    )
    me = ok(await topology.client.get("/v1/me", headers=headers))
    return Person(id=me["id"], email=email, headers=headers, role=role)


async def sign_in_again(topology: Topology, someone: Person) -> Person:
    """A fresh token (after a change of roles, the token carries the new ones)."""
    someone.headers = await sign_in(topology.client, someone.email, PASSWORD)
    return someone


async def known_to_notifications(topology: Topology, *people: Person) -> None:
    """Wait until each person reached the notifications service (``identity.user.changed.v1``)."""
    for someone in people:

        async def known(someone: Person = someone) -> bool:
            answer = await topology.client.get("/v1/preferences", headers=someone.headers)
            return answer.status_code == 200 and role_known(answer.json())

        await eventually(known, what=f"{someone.email} known to the notifications service")


def answers(
    referential: Mapping[str, Any], level: int, *, only: str | None = None
) -> list[dict[str, Any]]:
    """A batch rating every criterion of the referential (or those whose URN starts with
    ``only``) at ``level``, with client-generated ids as the tablet sends them."""
    return [
        {"id": str(uuid.uuid4()), "criterion": c["urn"], "level": level}
        for theme in referential["themes"]
        for c in theme["criteria"]
        if only is None or c["urn"].startswith(only)
    ]


# jobs -----------------------------------------------------------------------------------------
async def run_job(topology: Topology, service: str, name: str) -> int:
    """Run one periodic job of a service now, through the administrator's operator route, on
    that service's clock (its worker runs it at its interval; this only brings it forward)."""
    return await topology.run_job(service, name)


# the outside world ----------------------------------------------------------------------------
def local_world_settings(*, smtp_port: int) -> dict[str, dict[str, Any]]:
    """Settings pointing the platform at the outside world of a journey, on 127.0.0.1: bodies'
    systems and webhook subscribers on private addresses (development only), e-mail over SMTP."""
    return {
        "audit": {"body_allow_private": True},
        "notifications": {
            "mail_transport": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "smtp_timeout_s": 5.0,
            "webhook_allow_private": True,
        },
    }


@dataclass
class _Mailbox:
    received: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 OK"


class SmtpSink:
    """A real SMTP server (aiosmtpd, its own thread) on a free port, keeping what it accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self._mailbox = _Mailbox()
        self._controller = Controller(self._mailbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @property
    def received(self) -> list[EmailMessage]:
        return list(self._mailbox.received)

    def to(self, address: str) -> list[EmailMessage]:
        """Messages addressed to ``address``."""
        return [m for m in self.received if address in str(m["To"])]


def text_of(message: EmailMessage) -> str:
    """The decoded plain-text part of an e-mail."""
    part = message.get_body(("plain",))
    assert part is not None, "no text part"
    return str(part.get_content())


@dataclass
class Delivery:
    """One webhook call the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool | None


class WebhookReceiver:
    """A subscriber's HTTP endpoint (aiohttp) on a free port: answers 204 and checks the
    Standard Webhooks signature of each call once it knows the path's secret."""

    def __init__(self) -> None:
        self.base = ""
        self.secrets: dict[str, str] = {}
        self.deliveries: list[Delivery] = []
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def on(self, path: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.path == path]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        verified: bool | None = None
        if (secret := self.secrets.get(request.path)) is not None:
            try:
                Webhook(secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
        self.deliveries.append(Delivery(request.path, headers, body, verified))
        return web.Response(status=401 if verified is False else 204)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("POST", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@dataclass
class BodySystem:
    """The certification-body simulator on a real port: its base URL and its state."""

    base: str
    simulator: Simulator

    @property
    def connection(self) -> dict[str, str]:
        """What an administrator enters to connect the body's system to the platform."""
        return {
            "api_url": self.base,
            "token_url": f"{self.base}/oauth/token",
            "client_id": self.simulator.settings.client_id,
            "client_secret": self.simulator.settings.client_secret,
        }

    async def control(self, **controls: Any) -> dict[str, Any]:
        """``POST /control`` over HTTP, as a demo would drive it."""
        async with httpx.AsyncClient(base_url=self.base) as client:
            return dict(ok(await client.post("/control", json=controls)))


@asynccontextmanager
async def body_system(
    topology: Topology, *, webhook_secret: str, auditor_id: str
) -> AsyncIterator[BodySystem]:
    """The simulator (a body's system knowing only the published contract) on a real port; the
    platform calls it over HTTP, it calls the platform back through the gateway (its webhooks
    reach ``/v1/certifier/webhooks/<body>`` like any body's would)."""
    # The audit service keeps its circuit breakers per body in the process: a platform of an
    # earlier test in this worker (e.g. the authorization matrix, whose body never answers) may
    # have opened the one of this body. A new platform starts with them closed, as a new
    # process would.
    connector.BREAKERS._by_key.clear()
    app = create_simulator(
        SimulatorSettings(webhook_secret=webhook_secret, auditor_id=auditor_id),
        callback_client=topology.client,
    )
    simulator: Simulator = app.state.simulator
    port = free_port()
    server = EmbeddedServer(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_config=None,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
    )
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return bool(server.started)

    try:
        await eventually(started, what="the simulator listens")
        yield BodySystem(base=f"http://127.0.0.1:{port}", simulator=simulator)
    finally:
        simulator.controls.stopped = True
        server.should_exit = True
        await task


def event_types(feed: Mapping[str, Any]) -> set[str]:
    """The event types of a page of the in-app feed."""
    return {item["event_type"] for item in feed["data"]}
