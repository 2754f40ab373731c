"""Journey benchmark (``make bench``): the CAP RSE journey through the gateway, in the distributed
topology as `make up` runs it, step by step, and how long events take to become notifications.

The platform is :class:`cap_standalone.processes.ProcessPlatform`: every role of every service
its own OS process, two replicas of each (32: two APIs, workers and relays per service, two
gateway APIs and relays, the balancer giving each part's replicas one address, which every call
here crosses once to reach a gateway and once more from the gateway to a service; the consoles
and the front run too, idle here),
each service on its own PostgreSQL database (``cap_t_bench_proc_<part>``, dropped at the end),
RabbitMQ between them, the gateway reaching the services and the services fetching its keys
over HTTP on ports of 127.0.0.1. This process only drives it, as the web front-end does,
through the gateway only, for ``--runs`` structures (each its own organisation and director;
one facilitator, committee member and auditor for all), ``--users`` of them at a time (one
phase per value: ``1,8`` runs them one after the other, then eight at once):

register the organisation -> the facilitator opens the CAP diagnostic (once the organisation
reached the diagnostic service), answers it in one batch, completes it -> the director applies
for CAP RSE (once eligible) -> the administrator accepts -> the audit request reaches the audit
service -> the body (an administrator, no connected system) accepts and plans it -> the auditor
starts it, records findings (one major nonconformity) and the evaluated maturity of every
criterion, submits the report -> the director answers the nonconformity, the auditor verifies it
and closes the audit -> the director's CAP RSE self-assessment -> the committee decides on the
file -> the public registry verification.

Reported per phase, p50 and p99 over the runs (the first ``--warmup`` of each phase are not
counted):

* **each API call** through the gateway, against the gateway's authenticated trivial route
  ``GET /v1/me`` timed the same way just before each step (``GET /healthz`` as well) — under
  the same load, so the ratio is the cost of the step itself;
* **propagation**: from the start of the API call that publishes an event (after its baseline
  calls, which are not the event's time) until its effect is visible through the API of
  another service (polled: ``--poll-ms`` between a poller's probes one journey at a time, that
  many times the journeys at once, so the bench's own probes per second stay the same);
* **event -> notification**: from the API call causing an event until the director's in-app
  notification is in her feed (``GET /v1/notifications`` polled from the call's answer on),
  and until it arrives on her live stream (``GET /v1/notifications/stream``, Server-Sent
  Events: pushed, timed when read, no poll), read on the notifications service's API process
  directly and through the gateway; against a raw RabbitMQ round trip (aio-pika: persistent
  message, publisher confirm, quorum queue, consumer, in this process), measured just before
  each event;
* the issue-22 targets, each next to its figure;
* ``--hops``: every process traces, and where each event's time goes, hop by hop, is printed
  (:mod:`journey_hops`).

    uv run python tests/bench/bench_journey.py [--runs 40] [--warmup 2] [--users 1,8] [--hops]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import uvloop

from cap_shared.testing.conditional import as_read

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "journeys"))
from journey_hops import Caused, Hops  # tests/bench/journey_hops.py
from journey_hops import report as hops_report
from steps import PASSWORD, answers, ok  # tests/journeys/steps.py

from cap_notifications.config import Settings as NotificationsSettings
from cap_shared.gc import tune_gc
from cap_shared.settings import BaseServiceSettings
from cap_shared.testing import services
from cap_shared.testing.auth import sign_in
from cap_shared.testing.siret import make_siret
from cap_standalone.processes import ProcessPlatform
from cap_standalone.testing import Topology

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
#: The relays' safety-net poll of a deployed process (``make up``), in seconds.
DEPLOYED_RELAY_POLL_S = BaseServiceSettings.model_fields["relay_poll_interval_s"].default
#: The platform's parts with a relay.
PARTS = ("gateway", "diagnostic", "audit", "labelling", "notifications")
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
    #: Base URLs of the gateway and of the notifications service's API process (live streams).
    gateway_base: str
    service_base: str
    poll_s: float
    rabbit: RawRoundTrip
    #: ``--hops``: every process traces, each event's hops timed (journey_hops.py).
    hops: Hops | None = None
    #: When the last timed call started (after its baseline calls): where a propagation starts.
    started: float = 0.0

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
        self.started = start = time.perf_counter()
        answer = await self.client.request(method, url, **kwargs)
        self.figures.add(self.figures.steps, step, time.perf_counter() - start)
        return ok(answer, status)

    async def cause(
        self,
        events: list[str],
        who: dict[str, str],
        step: str,
        method: str,
        url: str,
        *,
        status: int = 200,
        **kwargs: Any,
    ) -> tuple[Any, float, list[asyncio.Task[None]], list[Caused]]:
        """The timed call causing ``events`` (after a raw broker round trip and the baseline
        calls): its answer; when it started, where the events' clocks start; the tasks polling
        ``who``'s feed for each event from the answer on; with ``--hops``, the events' records
        (the call carries a trace of its own)."""
        await rabbit_sample(self)
        await self.baseline()
        caused, header = self.hops.new(events) if self.hops is not None else ([], {})
        kwargs["headers"] = {**kwargs.get("headers", {}), **header}
        start = time.perf_counter()
        answer = await self.client.request(method, url, **kwargs)
        done = time.perf_counter()
        self.figures.add(self.figures.steps, step, done - start)
        if self.hops is not None:
            for record in caused:
                record.called, record.answered = self.hops.wall(start), self.hops.wall(done)
        result = ok(answer, status)
        told = [asyncio.create_task(self.in_feed(who, event, start)) for event in events]
        return result, start, told, caused

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
            if any(i["event_type"] == event_type for i in ok(answer)["data"]):
                self.figures.add(self.figures.feed, event_type, done - since)
                return
            if done - since > DEADLINE_S:
                raise AssertionError(f"{event_type}: not in the feed within {DEADLINE_S} s")
            await asyncio.sleep(self.poll_s)


# the raw broker round trip (event baseline) ---------------------------------------------------
class RawRoundTrip:
    """aio-pika on the same RabbitMQ, in this process: a persistent message published with a
    confirm on a durable topic exchange, routed to a quorum queue, delivered to a consumer (each
    message waited for by its id, so concurrent journeys can sample at once)."""

    def __init__(self) -> None:
        self.name = f"bench.journey.{uuid.uuid4().hex[:8]}"
        self.connection: aio_pika.abc.AbstractRobustConnection | None = None
        self.waiting: dict[str, asyncio.Future[float]] = {}

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
        waiting = self.waiting.pop(message.message_id or "", None)
        if waiting is not None and not waiting.done():
            waiting.set_result(arrived)

    async def once(self) -> float:
        message_id = uuid.uuid4().hex
        self.waiting[message_id] = waiting = asyncio.get_running_loop().create_future()
        start = time.perf_counter()
        await self.exchange.publish(
            aio_pika.Message(
                b"{}", message_id=message_id, delivery_mode=aio_pika.DeliveryMode.PERSISTENT
            ),
            routing_key="bench.journey",
        )
        return await asyncio.wait_for(waiting, 5) - start

    async def close(self) -> None:
        if self.connection is None:
            return
        with contextlib.suppress(Exception):
            await self.queue.cancel(self.tag)
            channel = await self.connection.channel()
            await channel.queue_delete(self.name)
            await channel.exchange_delete(self.name)
        await self.connection.close()


# the live stream -----------------------------------------------------------------------------
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
@dataclass
class Shared:
    """People and records every structure's journey uses."""

    facilitator: dict[str, str]
    committee: dict[str, str]
    auditor: dict[str, str]
    auditor_id: str
    today: date


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
    today = await bench.topology.today("audit")
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
    return Shared(facilitator, committee, auditor, record["id"], today)


async def journey(bench: Bench, shared: Shared, n: int) -> None:
    """One structure's CAP RSE journey, every call timed. The director's live stream is read
    on the notifications service's API process directly and through the gateway."""
    client, admin, figures = bench.client, bench.topology.admin, bench.figures
    facilitator, auditor, committee = shared.facilitator, shared.auditor, shared.committee
    today = shared.today
    began = time.perf_counter()

    # The administrator registers the structure; the facilitator opens its CAP diagnostic as
    # soon as the organisation reached the diagnostic service.
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
    since = bench.started
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
    streams = {
        "service": LiveStream(bench.service_base, director),
        "gateway": LiveStream(bench.gateway_base, director),
    }
    for stream in streams.values():
        await stream.open()
    caused: dict[str, float] = {}
    traced: list[Caused] = []
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
        _, since, told, records = await bench.cause(
            ["diagnostic.completed.v1"],
            director,
            "complete the diagnostic",
            "POST",
            f"{cap}/transitions",
            json={"action": "complete"},
            headers=facilitator,
        )
        caused["diagnostic.completed.v1"] = since
        traced.extend(records)
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
        await asyncio.gather(*told)

        # Acceptance -> the director is told; the audit request reaches the audit service,
        # which tells her too (a second hop).
        _, since, told, records = await bench.cause(
            ["labelling.application.accepted.v1", "audit.requested.v1"],
            director,
            "accept the application (administrator)",
            "POST",
            f"/v1/applications/{applied_for['id']}/transitions",
            json={"step": "accept"},
            headers=admin,
        )
        caused["labelling.application.accepted.v1"] = caused["audit.requested.v1"] = since
        traced.extend(records)

        async def requested() -> tuple[httpx.Response, Any]:
            answer = await client.get("/v1/audits", headers=director)
            return answer, ok(answer)["data"]

        (audit,) = await bench.until(
            "list the structure's audits (director)",
            "application accepted -> audit request recorded",
            since,
            requested,
        )
        await asyncio.gather(*told)
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
            headers=await as_read(bench.client, url, admin),
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
        # The level rests on the auditor's evaluation only: every criterion evaluated.
        rse_referential = await bench.call(
            "load the CAP RSE referential",
            "GET",
            "/v1/referentials/CAP_RSE/versions/1",
            headers=director,
        )
        await bench.call(
            "audit: evaluate the maturity",
            "PUT",
            f"{url}/maturity",
            json={
                "levels": [
                    {"criterion_urn": a["criterion"], "level": a["level"]}
                    for a in answers(rse_referential, 3)
                ]
            },
            headers=auditor,
        )
        _, caused["audit.report_submitted.v1"], told, records = await bench.cause(
            ["audit.report_submitted.v1"],
            director,
            "audit: submit the report",
            "POST",
            f"{url}/transitions",
            json={"step": "submit_report", "summary": "Une non-conformité majeure (DUERP)."},
            headers=auditor,
        )
        traced.extend(records)
        await asyncio.gather(*told)
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

        # The structure's CAP RSE self-assessment (the level comes from the auditor's evaluation).
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
        await bench.call(
            "answer the self-assessment (one batch)",
            "PUT",
            f"{rse_url}/answers",
            json={"answers": answers(rse_referential, 3)},
            headers=director,
        )
        await bench.call(
            "complete the self-assessment",
            "POST",
            f"{rse_url}/transitions",
            json={"action": "complete"},
            headers=director,
        )
        since = bench.started

        async def file_ready() -> tuple[httpx.Response, Any]:
            answer = await client.get("/v1/decisions?status=pending", headers=committee)
            mine = [f for f in ok(answer)["data"] if f["organisation_id"] == org]
            return answer, mine[0] if mine and mine[0]["computed_level"] is not None else None

        file = await bench.until(
            "list the pending decision files (committee)",
            "self-assessment completed -> file has its level",
            since,
            file_ready,
        )

        # The committee grants the label; the director is told; anyone verifies it.
        decided, caused["recognition.status_changed.v1"], told, records = await bench.cause(
            ["recognition.status_changed.v1"],
            director,
            "the committee decides",
            "POST",
            f"/v1/decisions/{file['id']}/decide",
            json={"outcome": "confirm", "scope": "Ensemble des activités d'insertion"},
            headers=await as_read(bench.client, f"/v1/decisions/{file['id']}", committee),
        )
        traced.extend(records)
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
        await asyncio.gather(*told)
        figures.sample(figures.journey, time.perf_counter() - began)

        # The live streams' arrivals.
        deadline = time.perf_counter() + DEADLINE_S
        for event_type, at in caused.items():
            arrived = await streams["service"].first(event_type, at, deadline)
            figures.add(figures.sse, event_type, arrived - at)
            through = await streams["gateway"].first(event_type, at, deadline)
            figures.add(figures.sse_gateway, event_type, through - at)
            if bench.hops is not None:
                for record in traced:
                    if record.event_type == event_type:
                        record.sse = bench.hops.wall(arrived)
                        record.sse_gateway = bench.hops.wall(through)
    finally:
        for stream in streams.values():
            await stream.close()


async def rabbit_sample(bench: Bench) -> None:
    """One raw broker round trip, just before the API call causing an event."""
    bench.figures.sample(bench.figures.broker, await bench.rabbit.once())


# report -------------------------------------------------------------------------------------
def report(figures: Figures, args: argparse.Namespace, users: int, stream_poll_s: float) -> str:
    """Print one phase's tables; return its one-line summary."""
    me = figures.steps["baseline: GET /v1/me (gateway, signed in)"]
    me50, me99 = pct(me, 50), pct(me, 99)
    runs = len(figures.journey)
    print(
        f"\nCAP RSE journey through the gateway, distributed topology (every role its own OS "
        f"process): {runs} structures, {users} at a time ({args.warmup} warm-up runs not "
        f"counted), each poller waits {args.poll_ms * users:g} ms between its probes"
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
        "feed (polled; ratio to the raw round trip), on her live stream (SSE) read on the "
        f"notifications service and through the gateway (safety poll every {stream_poll_s:g} s)"
    )
    print(
        f"  {'event (caused by)':<58} {'n':>4} {'feed p50':>9} {'p99':>7} {'x p50':>6} "
        f"{'x p99':>6} {'SSE p50':>8} {'p99':>7} {'gw p50':>7} {'p99':>7}"
    )

    def row(label: str, feed: list[float], sse: list[float], gw: list[float]) -> None:
        print(
            f"  {label:<58} {len(feed):>4} {pct(feed, 50):9.1f} {pct(feed, 99):7.1f} "
            f"{pct(feed, 50) / b50:6.0f} {pct(feed, 99) / b99:6.0f} {pct(sse, 50):8.1f} "
            f"{pct(sse, 99):7.1f} {pct(gw, 50):7.1f} {pct(gw, 99):7.1f}"
        )

    for event_type, cause in EVENTS.items():
        row(
            f"{event_type} ({cause})",
            figures.feed[event_type],
            figures.sse[event_type],
            figures.sse_gateway[event_type],
        )

    def one_hop(table: dict[str, list[float]]) -> list[float]:
        return [v for k, vs in table.items() if k != "audit.requested.v1" for v in vs]

    feed, sse, gw = one_hop(figures.feed), one_hop(figures.sse), one_hop(figures.sse_gateway)
    row("one hop (the four other events together)", feed, sse, gw)
    effect = [v for vs in figures.propagation.values() for v in vs]
    print("\nTargets (issue 22), p50:")
    goals = (
        [
            ("an event's effect visible in another service (propagation, all kinds)", effect, 20),
            ("an event in the director's feed (one hop, polled)", feed, 20),
            ("an event on her live stream (one hop, on the service)", sse, 30),
            ("an event on her live stream (one hop, through the gateway)", gw, 30),
        ]
        if users == 1
        else [
            (f"{users} journeys at once: an event on her live stream (service)", sse, 100),
            (f"{users} journeys at once: an event on her live stream (gateway)", gw, 100),
            (f"{users} journeys at once: an event in her feed (polled)", feed, 100),
        ]
    )
    for label, values, limit in goals:
        p50 = pct(values, 50)
        verdict = "met" if p50 <= limit else "NOT met"
        print(f"  {label:<70} {p50:6.1f} ms (target <= {limit} ms: {verdict})")
    print(
        f"\nOne structure's journey (wall, its polls included): p50 "
        f"{pct(figures.journey, 50) / 1000:.2f} s, p99 {pct(figures.journey, 99) / 1000:.2f} s."
    )
    return (
        f"journey x{runs}, {users} at a time: API calls p50 {pct(calls, 50):.1f} ms / p99 "
        f"{pct(calls, 99):.1f} ms ({pct(calls, 50) / me50:.1f}x / {pct(calls, 99) / me99:.1f}x "
        f"GET /v1/me); event -> feed (one hop) p50 {pct(feed, 50):.0f} ms / p99 "
        f"{pct(feed, 99):.0f} ms ({pct(feed, 50) / b50:.0f}x / {pct(feed, 99) / b99:.0f}x a raw "
        f"RabbitMQ round trip); live stream p50 {pct(sse, 50):.0f} ms / p99 {pct(sse, 99):.0f} ms "
        f"on the service, {pct(gw, 50):.0f} ms / {pct(gw, 99):.0f} ms through the gateway"
    )


def _cpu_s(pids: set[int]) -> float:
    """CPU seconds of these processes (Linux /proc; a process gone counts nothing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> set[int]:
    """``root`` and its descendants."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                continue
    found, todo = {root}, [root]
    while todo:
        pid = todo.pop()
        children = {child for child, parent in parents.items() if parent == pid}
        todo.extend(children - found)
        found |= children
    return found


async def idle_cpu(platform: ProcessPlatform, seconds: float) -> None:
    """Print the CPU the platform's processes use while nothing happens (by role), over
    ``seconds``: the price of the relays' and workers' safety polls and connections."""
    roles: dict[str, set[int]] = {}
    for p in platform.processes:
        roles.setdefault(p.role, set()).update(_tree(p.process.pid))
    before = {role: _cpu_s(pids) for role, pids in roles.items()}
    await asyncio.sleep(seconds)
    used = {role: _cpu_s(pids) - before[role] for role, pids in roles.items()}
    parts = ", ".join(f"{role} {ms * 1000 / seconds:.1f}" for role, ms in sorted(used.items()))
    print(
        f"\nIdle platform over {seconds:g} s, CPU ms per second by role (all its processes): "
        f"{parts}; all {sum(used.values()) * 1000 / seconds:.1f}"
    )


async def phase(bench: Bench, shared: Shared, args: argparse.Namespace, users: int) -> Figures:
    """Waves of ``users`` structures at once: enough for ``--warmup`` (not counted), then
    enough for ``--runs``."""
    bench.figures = figures = Figures()
    # Each poller waits --poll-ms times the journeys at once between its probes: the bench's
    # own probes per second stay the same in every phase (eight journeys polling every 2 ms
    # would load the two cores with the bench's own requests).
    bench.poll_s = args.poll_ms * users / 1000
    warm, measured = -(-args.warmup // users), -(-args.runs // users)
    for wave in range(warm + measured):
        figures.counting = wave >= warm
        if bench.hops is not None:
            bench.hops.counting = figures.counting
        numbers = [users * 1000 + wave * users + i for i in range(users)]
        await asyncio.gather(*(journey(bench, shared, n) for n in numbers))
        print(("." if figures.counting else "w") * users, end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return figures


async def main(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    os.environ["PYTEST_XDIST_WORKER"] = "bench"  # databases cap_t_bench_proc_<part>
    rabbit = RawRoundTrip()
    summaries: list[str] = []
    stream_poll_s = NotificationsSettings.model_fields["stream_poll_s"].default
    hops = Hops() if args.hops else None
    # Every part's relay polls as deployed (its safety net; commits wake it at once): the test
    # topology's five polls a second, each with its gauges' queries, cost the idle platform's
    # ten relays 165 ms of CPU a second, taken from the journeys (docs/benchmarks.md).
    settings: dict[str, dict[str, Any]] = {
        part: {"relay_poll_interval_s": DEPLOYED_RELAY_POLL_S} for part in PARTS
    }
    settings["gateway"].update(GATEWAY)
    if hops is not None:
        hops.start()
        for part, values in hops.settings().items():
            settings.setdefault(part, {}).update(values)
    with tempfile.TemporaryDirectory(prefix="bench-journey-") as logs:
        platform = ProcessPlatform(Path(logs), settings)
        await platform.start()
        try:
            # The gateway itself, as before the front existed: the figures stay comparable
            # (platform.url is the front, one more hop on this machine).
            async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=30) as client:
                topology = Topology("processes", client, {}, admin=await sign_in(client))
                await rabbit.start()
                service_base = f"http://127.0.0.1:{platform.ports['notifications']}"
                bench = Bench(
                    topology,
                    Figures(),
                    platform.gateway_url,
                    service_base,
                    args.poll_ms / 1000,
                    rabbit,
                    hops,
                )
                shared = await prepare(bench)
                # As every deployed process does once its start-up is done.
                tune_gc(BaseServiceSettings.model_fields["gc_thresholds"].default)
                print(f"platform up in {time.perf_counter() - started:.1f} s", file=sys.stderr)
                if args.idle_s:
                    await asyncio.sleep(3.0)  # start-up's last passes and jobs
                    await idle_cpu(platform, args.idle_s)
                for users in args.users if args.runs else []:  # --runs 0: the idle CPU only
                    figures = await phase(bench, shared, args, users)
                    summaries.append(report(figures, args, users, stream_poll_s))
                    if hops is not None:
                        await asyncio.sleep(1.0)  # the processes' last spans exported
                        hops_report(hops)
                        hops.caused.clear()
        except BaseException:
            print(platform.log_tails(), file=sys.stderr)
            raise
        finally:
            await rabbit.close()
            await platform.stop()
            gc.unfreeze()
            if hops is not None:
                hops.stop()
    print()
    for summary in summaries:
        print(summary)
    print(f"({time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40, help="structures measured per phase")
    parser.add_argument("--warmup", type=int, default=2, help="structures run first, not counted")
    parser.add_argument(
        "--poll-ms",
        type=float,
        default=2.0,
        help="wait between a poller's probes, one journey at a time (times the journeys at once)",
    )
    parser.add_argument(
        "--idle-s",
        type=float,
        default=0.0,
        help="first measure the idle platform's CPU for this many seconds (0: not)",
    )
    parser.add_argument(
        "--hops",
        action="store_true",
        help="trace every process and print where each event's time goes (journey_hops.py)",
    )
    parser.add_argument(
        "--users",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 8],
        help="structures at a time, one phase per value (comma-separated)",
    )
    uvloop.run(main(parser.parse_args()))
