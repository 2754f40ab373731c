"""Journey benchmark (``make bench``): the CAP RSE journey through the gateway, in the distributed
topology, step by step, and how long events take to become notifications.

The platform is ``distributed_topology`` of ``cap_standalone.testing`` (every service's runtime
on its own PostgreSQL database and RabbitMQ connection, in this process, the gateway reaching
the services in-process; outbox relays and consumers running), started outside pytest on
databases ``cap_t_bench_<service>`` that are dropped at the end. The bench drives it as the web
front-end does, through the gateway only, for ``--runs`` structures one after the other (each
its own organisation and director; one facilitator, committee member and auditor for all):

register the organisation -> the facilitator opens the CAP diagnostic (once the organisation
reached the diagnostic service), answers it in one batch, completes it -> the director applies
for CAP RSE (once eligible) -> the administrator accepts -> the audit request reaches the audit
service -> the body (an administrator, no connected system) accepts and plans it -> the auditor
starts it, records findings (one major nonconformity), submits the report -> the director
answers the nonconformity, the auditor verifies it and closes the audit -> the director's CAP
RSE self-assessment -> the committee decides on the file -> the public registry verification.

Reported, p50 and p99 over the runs (the first ``--warmup`` runs are not counted):

* **each API call** through the gateway, against the gateway's authenticated trivial route
  ``GET /v1/me`` timed the same way just before each step (``GET /healthz`` as well);
* **propagation**: from the API call that publishes an event until its effect is visible
  through the API of another service (polled every ``--poll-ms``);
* **event -> notification**: from the API call causing an event until the director's in-app
  notification is in her feed (``GET /v1/notifications`` polled every ``--poll-ms``), and until
  it arrives on her live stream (``GET /v1/notifications/stream``, Server-Sent Events); against
  a raw RabbitMQ round trip (aio-pika: persistent message, publisher confirm, quorum queue,
  consumer), measured just before each event.

The live stream needs real sockets (the in-process transports hand an answer over once it is
complete), so the same notifications runtime is also served on a port of 127.0.0.1, and the same
gateway runtime on another, its notifications upstream on that port. Every run reads the stream
on the service directly; the first ``--gateway-streams`` runs read it through the gateway as
well (the proxy passes an event stream on chunk by chunk; before that fix, each chunk waited
for the next one — up to the 15 s keep-alive).

    uv run python tests/bench/bench_journey.py [--runs 40] [--warmup 2] [--gateway-streams 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import random
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import sqlalchemy as sa
import uvicorn
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "journeys"))
from steps import PASSWORD, eventually, free_port, ok  # tests/journeys/steps.py

from cap_gateway import main as gateway_main
from cap_shared.cli import EmbeddedServer
from cap_shared.db.session import Database
from cap_shared.gc import tune_gc
from cap_shared.settings import BaseServiceSettings
from cap_shared.testing import services
from cap_shared.testing.fixtures import create_schema
from cap_shared.testing.siret import make_siret
from cap_standalone.platform import SERVICES
from cap_standalone.testing import Topology, distributed_topology

BODY = "sgs-tuv"
REGION = "76"  # Occitanie
RSE = "urn:coorace:referentiel:cap-rse:critere"
DEADLINE_S = 15.0
#: Rate limits out of the way: one address and a few people make thousands of calls.
UNLIMITED = "1000000/minute"
GATEWAY = {
    f"rate_limit_{kind}": UNLIMITED
    for kind in ("user", "client", "anonymous", "login", "login_address", "public_write")
}
#: The events whose notification is timed, and the call that causes each.
EVENTS = {
    "diagnostic.completed.v1": "complete the diagnostic",
    "labelling.application.accepted.v1": "accept the application",
    "audit.requested.v1": "accept the application (2 hops)",
    "audit.report_submitted.v1": "submit the audit report",
    "recognition.status_changed.v1": "the committee's decision",
}


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (as the other benches; with 40 values p99 is the maximum)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


# databases ----------------------------------------------------------------------------------
class BenchDatabases:
    """``make_database`` for ``distributed_topology``: one fresh database per service, named
    ``cap_t_bench_<key>`` (the tests' naming with the worker ``bench``), dropped by ``close``."""

    def __init__(self) -> None:
        self.opened: list[Database] = []
        self.names: list[str] = []

    async def __call__(
        self, kind: str, key: str, migrations: Path | None, metadata: sa.MetaData
    ) -> Database:
        assert kind == "postgresql"
        name = f"cap_t_bench_{key}".lower().replace("-", "_")
        url = await services.recreate_database(name)
        self.names.append(name)
        db = Database(url, pool_size=5, max_overflow=5)
        self.opened.append(db)
        await create_schema(db, migrations, metadata)
        return db

    async def close(self) -> None:
        for db in self.opened:
            with contextlib.suppress(Exception):
                await db.dispose()
        for name in self.names:
            await services.drop_database(name)


# measurements -------------------------------------------------------------------------------
@dataclass
class Figures:
    steps: dict[str, list[float]] = field(default_factory=dict)
    propagation: dict[str, list[float]] = field(default_factory=dict)
    feed: dict[str, list[float]] = field(default_factory=dict)
    sse: dict[str, list[float]] = field(default_factory=dict)
    sse_gateway: dict[str, list[float]] = field(default_factory=dict)
    broker: list[float] = field(default_factory=list)
    journey: list[float] = field(default_factory=list)
    counting: bool = False

    def add(self, table: dict[str, list[float]], key: str, seconds: float) -> None:
        if self.counting:
            table.setdefault(key, []).append(seconds * 1000)

    def sample(self, values: list[float], seconds: float) -> None:
        if self.counting:
            values.append(seconds * 1000)


@dataclass
class Bench:
    topology: Topology
    figures: Figures
    #: Base URLs of the gateway and of the notifications service on real ports (live streams).
    gateway_base: str
    service_base: str
    poll_s: float
    rabbit: RawRoundTrip
    #: The live stream's keep-alive interval (what flushes a held-back chunk: module docs).
    stream_ping_s: float = 15.0
    #: How often the live stream looks for new notifications.
    stream_poll_s: float = 1.0

    @property
    def client(self) -> httpx.AsyncClient:
        return self.topology.client

    async def baseline(self) -> None:
        """The gateway's trivial routes, timed as the steps are, just before a step."""
        for name, headers, url in (
            ("baseline: GET /healthz (gateway, anonymous)", {}, "/healthz"),
            ("baseline: GET /v1/me (gateway, signed in)", self.topology.admin, "/v1/me"),
        ):
            start = time.perf_counter()
            answer = await self.client.get(url, headers=headers)
            self.figures.add(self.figures.steps, name, time.perf_counter() - start)
            ok(answer)

    async def call(
        self, step: str, method: str, url: str, *, status: int = 200, **kwargs: Any
    ) -> Any:
        """One timed API call through the gateway (after one of each baseline call)."""
        await self.baseline()
        start = time.perf_counter()
        answer = await self.client.request(method, url, **kwargs)
        self.figures.add(self.figures.steps, step, time.perf_counter() - start)
        return ok(answer, status)

    async def until(
        self,
        step: str,
        propagation: str,
        since: float,
        probe: Callable[[], Awaitable[tuple[httpx.Response, Any]]],
    ) -> Any:
        """Call ``probe`` every ``poll_s`` until it gives a result; the last (successful) call
        is the step's time, ``since`` -> its answer the propagation's."""
        while True:
            start = time.perf_counter()
            answer, result = await probe()
            done = time.perf_counter()
            if result:
                self.figures.add(self.figures.steps, step, done - start)
                self.figures.add(self.figures.propagation, propagation, done - since)
                return result
            if done - since > DEADLINE_S:
                raise AssertionError(f"{propagation}: not within {DEADLINE_S} s: {answer.text}")
            await asyncio.sleep(self.poll_s)

    async def in_feed(self, who: dict[str, str], event_type: str, since: float) -> None:
        """Poll the person's feed until a notification of ``event_type`` is there."""
        while True:
            answer = await self.client.get("/v1/notifications?limit=20", headers=who)
            done = time.perf_counter()
            if any(i["event_type"] == event_type for i in ok(answer)["items"]):
                self.figures.add(self.figures.feed, event_type, done - since)
                return
            if done - since > DEADLINE_S:
                raise AssertionError(f"{event_type}: not in the feed within {DEADLINE_S} s")
            await asyncio.sleep(self.poll_s)


# the raw broker round trip (event baseline) ---------------------------------------------------
class RawRoundTrip:
    """aio-pika on the same RabbitMQ, in this process: a persistent message published with a
    confirm on a durable topic exchange, routed to a quorum queue, delivered to a consumer."""

    def __init__(self) -> None:
        self.name = f"bench.journey.{uuid.uuid4().hex[:8]}"
        self.connection: aio_pika.abc.AbstractRobustConnection | None = None
        self.waiting: asyncio.Future[float] | None = None

    async def start(self) -> None:
        self.connection = await aio_pika.connect_robust(services.RABBITMQ_URL)
        channel = await self.connection.channel(publisher_confirms=True)
        self.exchange = await channel.declare_exchange(
            self.name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        self.queue = await channel.declare_queue(
            self.name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await self.queue.bind(self.exchange, routing_key="bench.#")
        self.tag = await self.queue.consume(self._on_message)

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        arrived = time.perf_counter()
        await message.ack()
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_result(arrived)

    async def once(self) -> float:
        self.waiting = asyncio.get_running_loop().create_future()
        start = time.perf_counter()
        await self.exchange.publish(
            aio_pika.Message(b"{}", delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key="bench.journey",
        )
        return await asyncio.wait_for(self.waiting, 5) - start

    async def close(self) -> None:
        if self.connection is None:
            return
        with contextlib.suppress(Exception):
            await self.queue.cancel(self.tag)
            channel = await self.connection.channel()
            await channel.queue_delete(self.name)
            await channel.exchange_delete(self.name)
        await self.connection.close()


# the live stream through a gateway on a real port ---------------------------------------------
@contextlib.asynccontextmanager
async def streaming_gateway(topology: Topology) -> AsyncIterator[tuple[str, str]]:
    """The same gateway runtime served on a port of 127.0.0.1, its notifications upstream the
    same notifications runtime on another port, so the live stream flows as deployed (the
    in-process transports hand an answer over once it is complete). Base URLs of both."""
    notifications = SERVICES["notifications"].create_app(
        topology.runtimes["notifications"], manage_runtime=False
    )
    gateway_runtime = topology.runtimes["gateway"]
    settings: Any = gateway_runtime.settings
    notifications_port, gateway_port = free_port(), free_port()
    before = settings.notifications_url
    settings.notifications_url = f"http://127.0.0.1:{notifications_port}"
    try:
        gateway = gateway_main.create_app(gateway_runtime, manage_runtime=False)
    finally:
        settings.notifications_url = before
    servers = [
        EmbeddedServer(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=port,
                log_config=None,
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=1,
            )
        )
        for app, port in ((notifications, notifications_port), (gateway, gateway_port))
    ]
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    try:

        async def started() -> bool:
            return all(s.started for s in servers)

        await eventually(started, what="the streaming gateway listens", interval=0.01)
        yield f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{notifications_port}"
    finally:
        # The gateway keeps an upstream stream open after its client left, until its next
        # write (the keep-alive): it stops first, cancelling those (which uvicorn logs), so
        # that the service's end does not reach it as a broken answer.
        logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
        for server, task in reversed(list(zip(servers, tasks, strict=True))):
            server.should_exit = True
            await asyncio.gather(task, return_exceptions=True)
        await gateway.state.upstreams.aclose()


class LiveStream:
    """A person's ``GET /v1/notifications/stream``: each notification's arrival time."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.client = httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(10, read=None))
        self.headers = headers
        self.arrivals: list[tuple[float, str]] = []
        self.arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        opened = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._read(opened))
        await opened

    async def _read(self, opened: asyncio.Future[None]) -> None:
        async with self.client.stream(
            "GET", "/v1/notifications/stream", headers=self.headers
        ) as answer:
            assert answer.status_code == 200, await answer.aread()
            opened.set_result(None)
            async for line in answer.aiter_lines():
                if line.startswith("data:"):
                    item = json.loads(line[5:])
                    self.arrivals.append((time.perf_counter(), item["event_type"]))
                    self.arrived.set()

    async def first(self, event_type: str, since: float, deadline: float) -> float:
        """Arrival of the first ``event_type`` after ``since``."""
        while True:
            for at, kind in self.arrivals:
                if kind == event_type and at > since:
                    return at
            self.arrived.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise AssertionError(f"{event_type}: not on the live stream in time")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), remaining)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.client.aclose()


# the journey --------------------------------------------------------------------------------
def answers(referential: dict[str, Any], level: int) -> list[dict[str, Any]]:
    """A batch rating every criterion at ``level``, with client-generated ids."""
    return [
        {"id": str(uuid.uuid4()), "criterion": c["urn"], "level": level}
        for theme in referential["themes"]
        for c in theme["criteria"]
    ]


@dataclass
class Shared:
    """People and records every structure's journey uses."""

    facilitator: dict[str, str]
    committee: dict[str, str]
    auditor: dict[str, str]
    auditor_id: str


async def invite(bench: Bench, role: str, **scope: str) -> tuple[str, dict[str, str]]:
    """Invite someone as the administrator, accept, sign in: their id and header (timed when
    the figures count)."""
    admin = bench.topology.admin
    email = f"{role.replace('_', '-')}.{uuid.uuid4().hex[:10]}@coorace.example"
    body = {"email": email, "name": email.split("@")[0], "role": role, **scope}
    invited = await bench.call(
        "invite (administrator)", "POST", "/v1/invitations", status=201, json=body, headers=admin
    )
    await bench.call(
        "accept the invitation",
        "POST",
        "/v1/invitations/accept",
        status=201,
        json={"token": invited["token"], "password": PASSWORD},
    )
    token = await bench.call(
        "sign in",
        "POST",
        "/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": PASSWORD},
    )
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    me = ok(await bench.client.get("/v1/me", headers=headers))
    return me["id"], headers


async def known_to_notifications(bench: Bench, headers: dict[str, str]) -> None:
    deadline = time.perf_counter() + DEADLINE_S
    while (await bench.client.get("/v1/preferences", headers=headers)).status_code != 200:
        assert time.perf_counter() < deadline, "not known to the notifications service"
        await asyncio.sleep(bench.poll_s)


async def prepare(bench: Bench) -> Shared:
    """The facilitator, the committee member, the certification body and its auditor."""
    client, admin = bench.client, bench.topology.admin
    today = bench.topology.runtimes["audit"].clock.today()
    _, facilitator = await invite(bench, "facilitator", region=REGION)
    _, committee = await invite(bench, "committee")
    auditor_user, auditor = await invite(bench, "auditor", certification_body_id=BODY)
    ok(
        await client.post(
            "/v1/certification-bodies",
            json={
                "id": BODY,
                "name": "SGS TÜV Saar",
                "accreditation": "COFRAC Certification de produits et services n° 5-0000",
                "schemes": ["CAP_RSE", "CAP_ISO9001"],
            },
            headers=admin,
        ),
        201,
    )
    record = ok(
        await client.post(
            "/v1/auditors",
            json={
                "certification_body_id": BODY,
                "name": "Sophie Auditrice",
                "email": f"sophie.{uuid.uuid4().hex[:8]}@sgs.example",
                "user_id": auditor_user,
                "qualifications": [
                    {
                        "scheme": "CAP_RSE",
                        "valid_from": (today - timedelta(days=365)).isoformat(),
                        "valid_until": (today + timedelta(days=3 * 365)).isoformat(),
                    }
                ],
            },
            headers=admin,
        ),
        201,
    )
    return Shared(facilitator, committee, auditor, record["id"])


async def journey(bench: Bench, shared: Shared, n: int, *, through_gateway: bool) -> None:
    """One structure's CAP RSE journey, every call timed. The director's live stream is read
    on the notifications service directly and, with ``through_gateway``, through the gateway
    too (there a notification is held until the next chunk: see the module's docs)."""
    client, admin, figures = bench.client, bench.topology.admin, bench.figures
    facilitator, auditor, committee = shared.facilitator, shared.auditor, shared.committee
    today = bench.topology.runtimes["audit"].clock.today()
    began = time.perf_counter()

    # The administrator registers the structure; the facilitator opens its CAP diagnostic as
    # soon as the organisation reached the diagnostic service.
    since = time.perf_counter()
    org = (
        await bench.call(
            "register the organisation",
            "POST",
            "/v1/organisations",
            status=201,
            json={
                "siret": make_siret(7000 + n),
                "name": f"Atelier Solidaire n° {n}",
                "siae_types": ["ACI", "AI"],
                "region": REGION,
                "delegation": "Coorace Occitanie",
            },
            headers=admin,
        )
    )["id"]
    session = {
        "organisation_id": org,
        "kind": "cap_session",
        "session_date": today.isoformat(),
        "facilitator": "Inès, animatrice Coorace Occitanie",
        "participants": [{"category": "staff", "role": "Directrice"}],
    }

    async def opened() -> tuple[httpx.Response, Any]:
        answer = await client.post("/v1/diagnostics", json=session, headers=facilitator)
        if answer.status_code == 422 and answer.json()["type"].endswith("unknown-organisation"):
            return answer, None
        return answer, ok(answer, 201)

    diagnostic = await bench.until(
        "open the CAP diagnostic (facilitator)",
        "organisation registered -> diagnostic can open",
        since,
        opened,
    )
    cap = f"/v1/diagnostics/{diagnostic['id']}"

    # Her director joins; her live stream is open from then on.
    _, director = await invite(bench, "member_admin", organisation_id=org)
    await known_to_notifications(bench, director)
    streams = {"service": LiveStream(bench.service_base, director)}
    if through_gateway:
        streams["gateway"] = LiveStream(bench.gateway_base, director)
    for stream in streams.values():
        await stream.open()
    # The stream looks for new notifications every stream_poll_s from its opening: start the
    # rest at a random phase of that, as for a director who opened the page at any moment.
    phase = random.Random(n).uniform(0, bench.stream_poll_s)
    await asyncio.sleep(phase)
    began += phase  # not part of the journey
    caused: dict[str, float] = {}
    try:
        for action in ("schedule", "start"):
            await bench.call(
                f"diagnostic: {action}",
                "POST",
                f"{cap}/transitions",
                json={"action": action},
                headers=facilitator,
            )
        referential = await bench.call(
            "load the CAP referential",
            "GET",
            "/v1/referentials/CAP/versions/1",
            headers=facilitator,
        )
        await bench.call(
            "answer the diagnostic (one batch)",
            "PUT",
            f"{cap}/answers",
            json={"answers": answers(referential, 2)},
            headers=facilitator,
        )

        # Completion -> the director is told; the structure becomes eligible.
        await rabbit_sample(bench)
        caused["diagnostic.completed.v1"] = since = time.perf_counter()
        told = asyncio.create_task(bench.in_feed(director, "diagnostic.completed.v1", since))
        await bench.call(
            "complete the diagnostic",
            "POST",
            f"{cap}/transitions",
            json={"action": "complete"},
            headers=facilitator,
        )
        application = {
            "organisation_id": org,
            "scheme": "CAP_RSE",
            "certification_body_id": BODY,
            "motivation": "Formaliser notre démarche RSE et la faire reconnaître.",
        }

        async def applied() -> tuple[httpx.Response, Any]:
            answer = await client.post("/v1/applications", json=application, headers=director)
            if answer.status_code == 422 and answer.json()["type"].endswith("not-eligible"):
                return answer, None
            return answer, ok(answer, 201)

        applied_for = await bench.until(
            "apply for CAP RSE (director)",
            "diagnostic completed -> application eligible",
            since,
            applied,
        )
        await told

        # Acceptance -> the director is told; the audit request reaches the audit service,
        # which tells her too (a second hop).
        await rabbit_sample(bench)
        since = time.perf_counter()
        caused["labelling.application.accepted.v1"] = caused["audit.requested.v1"] = since
        told_accepted = asyncio.create_task(
            bench.in_feed(director, "labelling.application.accepted.v1", since)
        )
        told_requested = asyncio.create_task(bench.in_feed(director, "audit.requested.v1", since))
        await bench.call(
            "accept the application (administrator)",
            "POST",
            f"/v1/applications/{applied_for['id']}/transitions",
            json={"step": "accept"},
            headers=admin,
        )

        async def requested() -> tuple[httpx.Response, Any]:
            answer = await client.get("/v1/audits", headers=director)
            return answer, ok(answer)

        (audit,) = await bench.until(
            "list the structure's audits (director)",
            "application accepted -> audit request recorded",
            since,
            requested,
        )
        await asyncio.gather(told_accepted, told_requested)
        url = f"/v1/audits/{audit['id']}"

        # The body accepts and plans the audit; the auditor runs it.
        await bench.call(
            "audit: the body accepts",
            "POST",
            f"{url}/transitions",
            json={"step": "accept"},
            headers=admin,
        )
        await bench.call(
            "audit: the body plans it",
            "PUT",
            f"{url}/plan",
            json={
                "start_date": (today + timedelta(days=14)).isoformat(),
                "end_date": (today + timedelta(days=15)).isoformat(),
                "plan": "Jour 1 : direction, RH, chantiers. Jour 2 : gouvernance, environnement.",
                "team": [
                    {
                        "auditor_id": shared.auditor_id,
                        "role": "lead",
                        "declaration": "Aucun lien avec la structure ces trois dernières années.",
                    }
                ],
            },
            headers=admin,
        )
        await bench.call(
            "audit: the auditor starts it",
            "POST",
            f"{url}/transitions",
            json={"step": "start"},
            headers=auditor,
        )
        major = await bench.call(
            "audit: record a finding",
            "POST",
            f"{url}/findings",
            status=201,
            json={
                "type": "major_nc",
                "title": "Document unique d'évaluation des risques non mis à jour",
                "description": "Le DUERP n'a pas été révisé depuis 2021.",
                "criterion_urn": f"{RSE}:r8",
                "evidence": [{"title": "DUERP 2021"}],
            },
            headers=auditor,
        )
        await bench.call(
            "audit: record a finding",
            "POST",
            f"{url}/findings",
            status=201,
            json={
                "type": "observation",
                "title": "Bilan carbone non partagé avec les salariés",
                "criterion_urn": f"{RSE}:r13",
            },
            headers=auditor,
        )
        await rabbit_sample(bench)
        caused["audit.report_submitted.v1"] = since = time.perf_counter()
        told = asyncio.create_task(bench.in_feed(director, "audit.report_submitted.v1", since))
        await bench.call(
            "audit: submit the report",
            "POST",
            f"{url}/transitions",
            json={"step": "submit_report", "summary": "Une non-conformité majeure (DUERP)."},
            headers=auditor,
        )
        await told
        await bench.call(
            "answer the nonconformity (director)",
            "POST",
            f"/v1/findings/{major['id']}/response",
            json={
                "root_cause": "Pas de responsable désigné pour la mise à jour du DUERP",
                "correction": "DUERP révisé avec les encadrants techniques",
                "corrective_action": "Revue annuelle du DUERP inscrite au plan de prévention",
                "action_due": (today + timedelta(days=60)).isoformat(),
            },
            headers=director,
        )
        await bench.call(
            "verify the nonconformity (auditor)",
            "POST",
            f"/v1/findings/{major['id']}/review",
            json={"decision": "verify", "comment": "DUERP révisé vu sur place."},
            headers=auditor,
        )
        await bench.call(
            "audit: close it", "POST", f"{url}/transitions", json={"step": "close"}, headers=auditor
        )

        # The CAP RSE self-assessment gives the level rule its scores.
        rse = await bench.call(
            "open the CAP RSE self-assessment",
            "POST",
            "/v1/diagnostics",
            status=201,
            json={"organisation_id": org, "referential_code": "CAP_RSE", "kind": "self_assessment"},
            headers=director,
        )
        rse_url = f"/v1/diagnostics/{rse['id']}"
        await bench.call(
            "diagnostic: start",
            "POST",
            f"{rse_url}/transitions",
            json={"action": "start"},
            headers=director,
        )
        rse_referential = await bench.call(
            "load the CAP RSE referential",
            "GET",
            "/v1/referentials/CAP_RSE/versions/1",
            headers=director,
        )
        await bench.call(
            "answer the self-assessment (one batch)",
            "PUT",
            f"{rse_url}/answers",
            json={"answers": answers(rse_referential, 3)},
            headers=director,
        )
        since = time.perf_counter()
        await bench.call(
            "complete the self-assessment",
            "POST",
            f"{rse_url}/transitions",
            json={"action": "complete"},
            headers=director,
        )

        async def file_ready() -> tuple[httpx.Response, Any]:
            answer = await client.get("/v1/decisions?status=pending", headers=committee)
            mine = [f for f in ok(answer) if f["organisation_id"] == org]
            return answer, mine[0] if mine and mine[0]["computed_level"] is not None else None

        file = await bench.until(
            "list the pending decision files (committee)",
            "self-assessment completed -> file has its level",
            since,
            file_ready,
        )

        # The committee grants the label; the director is told; anyone verifies it.
        await rabbit_sample(bench)
        caused["recognition.status_changed.v1"] = since = time.perf_counter()
        told = asyncio.create_task(bench.in_feed(director, "recognition.status_changed.v1", since))
        decided = await bench.call(
            "the committee decides",
            "POST",
            f"/v1/decisions/{file['id']}/decide",
            json={"outcome": "confirm", "scope": "Ensemble des activités d'insertion"},
            headers=committee,
        )
        assert decided["status"] == "granted", decided
        recognition = await bench.call(
            "read the recognition (director)",
            "GET",
            f"/v1/recognitions/{decided['recognition_id']}",
            headers=director,
        )
        public = await bench.call(
            "verify in the public registry (anonymous)",
            "GET",
            f"/v1/registry/verify/{recognition['verification_code']}",
        )
        assert public["status"] == "active", public
        await told
        figures.sample(figures.journey, time.perf_counter() - began)

        # The live streams' arrivals (the service looks for new notifications every
        # stream_poll_s; through the gateway the last one waits for the next keep-alive).
        deadline = time.perf_counter() + DEADLINE_S
        for event_type, at in caused.items():
            arrived = await streams["service"].first(event_type, at, deadline)
            figures.add(figures.sse, event_type, arrived - at)
        if through_gateway:
            deadline = time.perf_counter() + bench.stream_ping_s + DEADLINE_S
            for event_type, at in caused.items():
                arrived = await streams["gateway"].first(event_type, at, deadline)
                figures.add(figures.sse_gateway, event_type, arrived - at)
    finally:
        for stream in streams.values():
            await stream.close()


async def rabbit_sample(bench: Bench) -> None:
    """One raw broker round trip, just before the API call causing an event."""
    bench.figures.sample(bench.figures.broker, await bench.rabbit.once())


# report -------------------------------------------------------------------------------------
def report(
    figures: Figures,
    args: argparse.Namespace,
    stream_poll_s: float,
    stream_ping_s: float,
    relay_s: float,
) -> str:
    """Print the tables; return the one-line summary."""
    me = figures.steps["baseline: GET /v1/me (gateway, signed in)"]
    me50, me99 = pct(me, 50), pct(me, 99)
    runs = len(figures.journey)
    print(
        f"\nCAP RSE journey through the gateway, distributed topology in one process: {runs} "
        f"structures ({args.warmup} warm-up runs not counted), polls every {args.poll_ms:g} ms"
    )
    print(
        f"\nAPI calls through the gateway (ms); ratio = step / GET /v1/me, same percentile "
        f"(GET /v1/me p50 {me50:.1f}, p99 {me99:.1f})"
    )
    print(f"  {'step':<50} {'n':>4} {'p50':>8} {'p99':>8} {'x p50':>7} {'x p99':>7}")
    rows = sorted(figures.steps.items(), key=lambda kv: not kv[0].startswith("baseline"))
    for name, values in rows:
        print(
            f"  {name:<50} {len(values):>4} {pct(values, 50):8.1f} {pct(values, 99):8.1f} "
            f"{pct(values, 50) / me50:7.1f} {pct(values, 99) / me99:7.1f}"
        )
    calls = [v for k, vs in figures.steps.items() if not k.startswith("baseline") for v in vs]
    print(
        f"  {'all journey calls together':<50} {len(calls):>4} {pct(calls, 50):8.1f} "
        f"{pct(calls, 99):8.1f} {pct(calls, 50) / me50:7.1f} {pct(calls, 99) / me99:7.1f}"
    )
    broker = figures.broker
    b50, b99 = pct(broker, 50), pct(broker, 99)
    print(
        f"\nEvent baseline: raw RabbitMQ round trip (aio-pika, persistent, confirm, quorum queue), "
        f"n {len(broker)}: p50 {b50:.2f} ms, p99 {b99:.2f} ms"
    )
    print(
        "\nPropagation: from the API call publishing the event to its effect visible through "
        "another service's API (ms; ratio to the raw round trip)"
    )
    print(f"  {'':<50} {'n':>4} {'p50':>8} {'p99':>8} {'x p50':>7} {'x p99':>7}")
    for name, values in figures.propagation.items():
        print(
            f"  {name:<50} {len(values):>4} {pct(values, 50):8.1f} {pct(values, 99):8.1f} "
            f"{pct(values, 50) / b50:7.0f} {pct(values, 99) / b99:7.0f}"
        )
    print(
        "\nEvent -> the director's in-app notification, from the API call causing it (ms): in her "
        "feed (polled; ratio to the raw round trip), on her live stream read on the "
        f"notifications service (SSE; it looks every {stream_poll_s:g} s)"
    )
    print(
        f"  {'event (caused by)':<62} {'n':>4} {'feed p50':>9} {'p99':>7} {'x p50':>6} "
        f"{'x p99':>6} {'SSE p50':>8} {'p99':>7}"
    )
    for event_type, cause in EVENTS.items():
        feed, sse = figures.feed[event_type], figures.sse[event_type]
        label = f"{event_type} ({cause})"
        print(
            f"  {label:<62} {len(feed):>4} {pct(feed, 50):9.1f} {pct(feed, 99):7.1f} "
            f"{pct(feed, 50) / b50:6.0f} {pct(feed, 99) / b99:6.0f} {pct(sse, 50):8.1f} "
            f"{pct(sse, 99):7.1f}"
        )
    one_hop = [v for k, vs in figures.feed.items() if k != "audit.requested.v1" for v in vs]
    sse_all = [v for k, vs in figures.sse.items() if k != "audit.requested.v1" for v in vs]
    print(
        f"  {'one hop (the four other events together)':<62} {len(one_hop):>4} "
        f"{pct(one_hop, 50):9.1f} {pct(one_hop, 99):7.1f} {pct(one_hop, 50) / b50:6.0f} "
        f"{pct(one_hop, 99) / b99:6.0f} {pct(sse_all, 50):8.1f} {pct(sse_all, 99):7.1f}"
    )
    held = [v for vs in figures.sse_gateway.values() for v in vs]
    if held:
        gateway_runs = len(next(iter(figures.sse_gateway.values())))
        print(
            f"\nThe same live stream through the gateway ({gateway_runs} runs; ms, sorted; "
            f"keep-alive every {stream_ping_s:g} s)"
        )
        for event_type, values in figures.sse_gateway.items():
            print(
                f"  {event_type:<62} {len(values):>4} "
                + " ".join(f"{v:8.0f}" for v in sorted(values))
            )
        print(f"  {'all':<62} {len(held):>4} p50 {pct(held, 50):.0f} ms, max {max(held):.0f} ms")
    print(
        f"\nOne structure's journey (wall, its polls included): p50 {pct(figures.journey, 50) / 1000:.2f} s, "
        f"p99 {pct(figures.journey, 99) / 1000:.2f} s. Relays: woken by NOTIFY, safety poll "
        f"{relay_s:g} s (the test topology's)."
    )
    return (
        f"journey x{runs}: API calls p50 {pct(calls, 50):.1f} ms / p99 {pct(calls, 99):.1f} ms "
        f"({pct(calls, 50) / me50:.1f}x / {pct(calls, 99) / me99:.1f}x GET /v1/me); "
        f"event -> feed (one hop) p50 {pct(one_hop, 50):.0f} ms / p99 {pct(one_hop, 99):.0f} ms "
        f"({pct(one_hop, 50) / b50:.0f}x / {pct(one_hop, 99) / b99:.0f}x a raw RabbitMQ round "
        f"trip); live stream p50 {pct(sse_all, 50):.0f} ms / p99 {pct(sse_all, 99):.0f} ms on "
        f"the service"
        + (
            f", {pct(held, 50) / 1000:.1f} s / max {max(held) / 1000:.1f} s through the gateway"
            if held
            else ""
        )
    )


async def main(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    databases = BenchDatabases()
    figures = Figures()
    rabbit = RawRoundTrip()
    try:
        async with distributed_topology(databases, {"gateway": GATEWAY}) as topology:
            await rabbit.start()
            async with streaming_gateway(topology) as (gateway_base, service_base):
                settings: Any = topology.runtimes["notifications"].settings
                stream_poll_s, stream_ping_s = settings.stream_poll_s, settings.stream_ping_s
                relay_s = settings.relay_poll_interval_s
                bench = Bench(
                    topology,
                    figures,
                    gateway_base,
                    service_base,
                    args.poll_ms / 1000,
                    rabbit,
                    stream_ping_s=stream_ping_s,
                    stream_poll_s=stream_poll_s,
                )
                shared = await prepare(bench)
                # As every deployed process does once its start-up is done.
                tune_gc(BaseServiceSettings.model_fields["gc_thresholds"].default)
                print(f"platform up in {time.perf_counter() - started:.1f} s", file=sys.stderr)
                for n in range(args.warmup + args.runs):
                    figures.counting = n >= args.warmup
                    through_gateway = args.warmup <= n < args.warmup + args.gateway_streams
                    await journey(bench, shared, n, through_gateway=through_gateway)
                    print("." if figures.counting else "w", end="", file=sys.stderr, flush=True)
                print(file=sys.stderr)
    finally:
        await rabbit.close()
        await databases.close()
        gc.unfreeze()
    summary = report(figures, args, stream_poll_s, stream_ping_s, relay_s)
    print(f"\n{summary} ({time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40, help="structures measured")
    parser.add_argument("--warmup", type=int, default=2, help="structures run first, not counted")
    parser.add_argument("--poll-ms", type=float, default=10.0, help="interval between polls")
    parser.add_argument(
        "--gateway-streams",
        type=int,
        default=2,
        help="runs that also read the live stream through the gateway (each waits for the "
        "stream's keep-alive, 15 s)",
    )
    uvloop.run(main(parser.parse_args()))
