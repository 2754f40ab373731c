"""A certification body's system, simulated from the outside: it knows the platform only
through the published contract (``docs/certifier/openapi.json``), not through its code.

* ``POST /oauth/token`` — client credentials (HTTP Basic), a bearer token;
* ``POST /audit-requests`` — an audit request (``Idempotency-Key`` honoured: a retry returns
  the same reference); the simulator then plays the audit: it sends the signed webhooks
  ``audit.accepted``, ``audit.planned`` (with its auditor), ``audit.started``, one
  ``finding.recorded`` (a major nonconformity) and ``audit.report_submitted`` to the callback;
* ``GET /audit-requests/{audit_id}`` — the request's state and every webhook it produced
  (delivered or not): what the platform's reconciliation reads;
* ``POST /control`` — test and demo controls: fail the next N requests with a status, drop
  some webhook types (a lost callback), pause the scenario, stop it after one webhook type
  (``stop_after``: the auditors carry on on the platform);
* ``POST /control/decision`` — the body's certification committee decides on an audit it
  played (CAP ISO 9001 stage 2 or renewal, report submitted): a signed
  ``certification.decided`` webhook, granted (with a certificate number) or refused (with a
  reason), by ``SIM_DECISION_MAKER`` unless the request names someone else.

Configuration (environment): ``SIM_CLIENT_ID``, ``SIM_CLIENT_SECRET``, ``SIM_WEBHOOK_SECRET``
(the ``whsec_...`` the platform issued), ``SIM_AUDITOR_ID`` (the auditor registered on the
platform), ``SIM_DECISION_MAKER`` (who decides: not one of the audit's auditors), ``SIM_PORT``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

import httpx
from fastapi import BackgroundTasks, Depends, FastAPI, Form, Header, HTTPException, Request
from standardwebhooks.webhooks import Webhook

from cap_cb_simulator import clock


@dataclass
class Settings:
    """What the simulator is configured with (credentials, secrets, pace)."""

    client_id: str = "cap-platform"
    client_secret: str = "simulator-secret"
    webhook_secret: str = ""
    auditor_id: str = ""
    step_delay_s: float = 0.0
    decision_maker: str = "Comité de certification"


@dataclass
class Controls:
    """What a test tells the simulator to do: fail, hang, drop callbacks, pause or stop."""

    fail_next: int = 0
    fail_status: int = 500
    retry_after: int | None = None
    location: str | None = None
    hang_s: float = 0.0
    drop: set[str] = field(default_factory=set)
    paused: bool = False
    stopped: bool = False  # shutting down: play no more
    #: Play the scenario up to this webhook type, then leave the audit to the auditors working
    #: on the platform (e.g. ``audit.planned``); None plays it all.
    stop_after: str | None = None


@dataclass
class RequestState:
    """One audit request the platform sent, and the webhooks played for it."""

    audit_id: str
    reference: str
    payload: dict[str, Any]
    status: str = "received"
    webhooks: list[dict[str, Any]] = field(default_factory=list)  # {webhook_id, payload, delivered}


@dataclass
class Simulator:
    """The simulated certification body: its tokens, requests and the calls it received."""

    settings: Settings
    controls: Controls = field(default_factory=Controls)
    tokens: set[str] = field(default_factory=set)
    requests: dict[str, RequestState] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    callback_client: httpx.AsyncClient | None = None

    async def send(self, state: RequestState, kind: str, data: dict[str, Any]) -> None:
        """Send one signed webhook of ``kind`` to the platform for this request."""
        payload = {"type": kind, "timestamp": clock.now().isoformat(), "data": data}
        webhook_id = f"msg_{uuid.uuid4().hex}"
        entry = {"webhook_id": webhook_id, "payload": payload, "delivered": False}
        state.webhooks.append(entry)
        state.status = {
            "audit.accepted": "accepted",
            "audit.planned": "planned",
            "audit.started": "in_progress",
            "audit.report_submitted": "report_submitted",
            "certification.decided": "decided",
        }.get(kind, state.status)
        if kind in self.controls.drop:
            return  # a lost callback
        raw = json.dumps(payload)
        moment = clock.now()
        headers = {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": Webhook(self.settings.webhook_secret).sign(
                webhook_id, moment, raw
            ),
            "content-type": "application/json",
        }
        client = self.callback_client or httpx.AsyncClient(timeout=10)
        try:
            response = await client.post(
                state.payload["callback_url"], content=raw, headers=headers
            )
            entry["delivered"] = 200 <= response.status_code < 300
            entry["status"] = response.status_code
        finally:
            if self.callback_client is None:
                await client.aclose()

    async def play(self, state: RequestState) -> None:
        """The audit, as a body would run it."""
        while self.controls.paused and not self.controls.stopped:  # noqa: ASYNC110 - a test control flag
            await asyncio.sleep(0.05)
        start = clock.today() + timedelta(days=30)
        steps: list[tuple[str, dict[str, Any]]] = [
            ("audit.accepted", {"audit_id": state.audit_id}),
            (
                "audit.planned",
                {
                    "audit_id": state.audit_id,
                    "start_date": start.isoformat(),
                    "end_date": (start + timedelta(days=1)).isoformat(),
                    "plan": "Jour 1 : réunion d'ouverture, revue documentaire, entretiens. Jour 2 : terrain, réunion de clôture.",
                    "team": [
                        {
                            "auditor_id": self.settings.auditor_id,
                            "role": "lead",
                            "declaration": "L'auditeur déclare n'avoir ni conseillé ni audité la structure au cours des deux dernières années.",
                        }
                    ],
                },
            ),
            ("audit.started", {"audit_id": state.audit_id}),
            (
                "finding.recorded",
                {
                    "audit_id": state.audit_id,
                    "finding": {
                        "type": "major_nc",
                        "title": "Revue de direction non réalisée",
                        "description": "Aucune revue de direction sur les 12 derniers mois.",
                        "clause": "9.3",
                    },
                },
            ),
            (
                "audit.report_submitted",
                {
                    "audit_id": state.audit_id,
                    "summary": "Système en place ; une non-conformité majeure (9.3).",
                },
            ),
        ]
        for kind, data in steps:
            if self.controls.stopped:
                return
            if self.settings.step_delay_s:
                await asyncio.sleep(self.settings.step_delay_s)
            await self.send(state, kind, data)
            if kind == self.controls.stop_after:
                return


def create_app(
    settings: Settings | None = None, *, callback_client: httpx.AsyncClient | None = None
) -> FastAPI:
    """The simulator's HTTP app: token, audit requests, and the test controls."""
    simulator = Simulator(settings or Settings(), callback_client=callback_client)
    app = FastAPI(title="Certification body — simulator", version="1.0.0")
    app.state.simulator = simulator

    def bearer(authorization: Annotated[str | None, Header()] = None) -> None:
        token = (authorization or "").removeprefix("Bearer ").strip()
        if token not in simulator.tokens:
            raise HTTPException(401, "invalid token")

    @app.post("/oauth/token")
    async def token(
        grant_type: Annotated[str, Form()], authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        try:
            client_id, _, secret = (
                base64.b64decode((authorization or "").removeprefix("Basic "))
                .decode()
                .partition(":")
            )
        except ValueError:
            raise HTTPException(401, "invalid client") from None
        if grant_type != "client_credentials" or (client_id, secret) != (
            simulator.settings.client_id,
            simulator.settings.client_secret,
        ):
            raise HTTPException(401, "invalid client")
        value = secrets.token_urlsafe(24)
        simulator.tokens.add(value)
        return {"access_token": value, "token_type": "Bearer", "expires_in": 3600}

    @app.post("/audit-requests", status_code=202, dependencies=[Depends(bearer)])
    async def audit_request(
        request: Request,
        background: BackgroundTasks,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        simulator.calls.append(f"POST /audit-requests {idempotency_key}")
        c = simulator.controls
        if c.hang_s:
            await asyncio.sleep(c.hang_s)
        if c.fail_next > 0:
            c.fail_next -= 1
            headers = {}
            if c.retry_after is not None:
                headers["Retry-After"] = str(c.retry_after)
            if c.location:
                headers["Location"] = c.location
            raise HTTPException(c.fail_status, "simulated failure", headers=headers or None)
        if idempotency_key and idempotency_key in simulator.by_key:
            return {
                "reference": simulator.requests[simulator.by_key[idempotency_key]].reference,
                "replayed": True,
            }
        payload = await request.json()
        state = RequestState(
            audit_id=payload["audit_id"],
            reference=f"SIM-{len(simulator.requests) + 1:05d}",
            payload=payload,
        )
        simulator.requests[state.audit_id] = state
        if idempotency_key:
            simulator.by_key[idempotency_key] = state.audit_id
        background.add_task(simulator.play, state)
        return {"reference": state.reference}

    @app.get("/audit-requests/{audit_id}", dependencies=[Depends(bearer)])
    async def audit_state(audit_id: str) -> dict[str, Any]:
        state = simulator.requests.get(audit_id)
        if state is None:
            raise HTTPException(404, "unknown audit")
        return {
            "audit_id": audit_id,
            "reference": state.reference,
            "status": state.status,
            "webhooks": [
                {"webhook_id": w["webhook_id"], "payload": w["payload"]} for w in state.webhooks
            ],
        }

    @app.post("/control")
    async def control(body: dict[str, Any]) -> dict[str, Any]:
        c = simulator.controls
        c.fail_next = int(body.get("fail_next", c.fail_next))
        c.fail_status = int(body.get("fail_status", c.fail_status))
        c.drop = set(body.get("drop", c.drop))
        c.paused = bool(body.get("paused", c.paused))
        c.retry_after = body.get("retry_after", c.retry_after)
        c.location = body.get("location", c.location)
        c.hang_s = float(body.get("hang_s", c.hang_s))
        c.stop_after = body.get("stop_after", c.stop_after)
        return {
            "fail_next": c.fail_next,
            "fail_status": c.fail_status,
            "drop": sorted(c.drop),
            "paused": c.paused,
            "hang_s": c.hang_s,
            "stop_after": c.stop_after,
        }

    @app.post("/control/decision")
    async def decision(body: dict[str, Any]) -> dict[str, Any]:
        """Send the certification decision on an audit this body played (a signed webhook)."""
        state = simulator.requests.get(str(body.get("audit_id", "")))
        if state is None:
            raise HTTPException(404, "unknown audit")
        outcome = str(body.get("outcome", "granted"))
        if outcome not in ("granted", "refused"):
            raise HTTPException(422, "outcome is granted or refused")
        data: dict[str, Any] = {
            "audit_id": state.audit_id,
            "outcome": outcome,
            "decided_on": str(body.get("decided_on", clock.today().isoformat())),
            "decided_by": str(body.get("decided_by") or simulator.settings.decision_maker),
            "excluded_member_ids": list(body.get("excluded_member_ids", [])),
        }
        if outcome == "granted":
            data["certificate_number"] = str(
                body.get("certificate_number") or f"{state.reference}-ISO9001"
            )
        else:
            data["reason"] = str(
                body.get("reason") or "Non-conformités majeures non levées dans les délais."
            )
        if body.get("scope"):
            data["scope"] = str(body["scope"])
        await simulator.send(state, "certification.decided", data)
        sent = state.webhooks[-1]
        return {
            "webhook_id": sent["webhook_id"],
            "delivered": sent["delivered"],
            "status": sent.get("status"),
        }

    return app


def main() -> None:
    """Run the simulator with its settings from the environment."""
    import uvicorn

    settings = Settings(
        client_id=os.environ.get("SIM_CLIENT_ID", "cap-platform"),
        client_secret=os.environ.get("SIM_CLIENT_SECRET", "simulator-secret"),
        webhook_secret=os.environ.get("SIM_WEBHOOK_SECRET", ""),
        auditor_id=os.environ.get("SIM_AUDITOR_ID", ""),
        step_delay_s=float(os.environ.get("SIM_STEP_DELAY_S", "1")),
        decision_maker=os.environ.get("SIM_DECISION_MAKER", "Comité de certification"),
    )
    uvicorn.run(
        create_app(settings), host="127.0.0.1", port=int(os.environ.get("SIM_PORT", "8090"))
    )
