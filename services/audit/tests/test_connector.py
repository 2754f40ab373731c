"""The certification-body integration end to end with the simulator (a separate app that knows
only the published contract): the round trip, W5 (retries on a schedule, 429, 410, redirects,
log, manual retry with the same key), W6 (a hanging body), W7 (private addresses refused) and
W8 (a dropped callback caught by reconciliation)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import uvicorn
from cap_cb_simulator.app import Settings as SimulatorSettings
from cap_cb_simulator.app import create_app as create_simulator

from cap_audit.certifier import connector
from cap_shared.egress import ForbiddenDestination, check_destination
from cap_shared.opsport import EmbeddedServer
from cap_shared.testing.metrics import ops_port
from cap_shared.testing.net import free_port

from .conftest import Service, ok
from .test_audits import accepted, events, setup_body


@pytest.fixture
async def body_system(live_service: Service) -> AsyncIterator[dict]:
    """The simulator on a real port (the connector calls it over HTTP); it calls the audit app
    back in-process. The scenario is paused until a test lets it run."""
    service = live_service
    people = await setup_body(service)
    secret = ok(
        await service.client.post(
            "/v1/certification-bodies/sgs-tuv/webhook-secrets", headers=service.admin
        ),
        201,
    )["secret"]
    audit_app = service.client._transport.app  # type: ignore[attr-defined]
    callback = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=audit_app), base_url="http://audit"
    )
    app = create_simulator(
        SimulatorSettings(webhook_secret=secret, auditor_id=people["lead"]["id"]),
        callback_client=callback,
    )
    sim = app.state.simulator
    sim.controls.paused = True
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
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.01)
    settings = service.runtime.settings
    settings.body_allow_private = True  # type: ignore[attr-defined]
    settings.public_base_url = "http://audit"
    base = f"http://127.0.0.1:{port}"
    ok(
        await service.client.put(
            "/v1/certification-bodies/sgs-tuv/connection",
            json={
                "api_url": base,
                "token_url": f"{base}/oauth/token",
                "client_id": "cap-platform",
                "client_secret": "simulator-secret",
            },
            headers=service.admin,
        )
    )
    connector.BREAKERS._by_key.clear()
    connector._TOKENS.clear()
    try:
        yield {"sim": sim, "base": base, "people": people, "settings": settings}
    finally:
        sim.controls.stopped = True
        server.should_exit = True
        await task
        await callback.aclose()


async def send(service: Service, settings, at) -> int:
    async with service.runtime.db.session() as session:
        return await connector.send_due(session, at, settings)


async def deliveries(service: Service) -> list[dict]:
    return ok(
        await service.client.get(
            "/v1/certification-bodies/sgs-tuv/deliveries", headers=service.admin
        )
    )["data"]


async def wait_status(service: Service, audit_id: str, status: str) -> dict:
    for _ in range(300):
        audit = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))
        if audit["status"] == status:
            return audit
        await asyncio.sleep(0.02)
    raise AssertionError(f"audit never reached {status}: {audit['status']}")


async def test_the_simulator_round_trip(live_service: Service, body_system: dict) -> None:
    service = live_service
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    now = service.runtime.clock.now()
    assert await send(service, body_system["settings"], now) == 1
    (delivery,) = await deliveries(service)
    assert (delivery["status"], delivery["reference"], delivery["attempts"]) == (
        "delivered",
        "SIM-00001",
        1,
    )
    body_system["sim"].controls.paused = False
    audit = await wait_status(service, audit_id, "report_submitted")
    assert audit["findings"] == {"major_nc": 1}
    assert [m["role"] for m in audit["team"]] == ["lead"]
    assert len(await events(service, "audit.report_submitted.v1")) == 1


async def test_the_simulator_sends_the_certification_decision(
    live_service: Service, body_system: dict
) -> None:
    """Stage 1 then stage 2 played by the simulator; its committee's decision (a signed
    ``certification.decided``) is refused on the stage 1 and recorded on the stage 2."""
    service = live_service
    sim, settings, people = body_system["sim"], body_system["settings"], body_system["people"]
    programme = await accepted(service)
    stage1 = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    await send(service, settings, service.runtime.clock.now())
    sim.controls.paused = False
    await wait_status(service, stage1, "report_submitted")
    (nc,) = ok(await service.client.get(f"/v1/audits/{stage1}/findings", headers=service.admin))[
        "data"
    ]
    ok(
        await service.client.post(
            f"/v1/findings/{nc['id']}/response",
            json={
                "root_cause": "Pas de calendrier",
                "correction": "Revue tenue",
                "corrective_action": "Revue semestrielle",
                "action_due": "2027-06-30",
            },
            headers=service.member(),
        )
    )
    ok(
        await service.client.post(
            f"/v1/findings/{nc['id']}/review", json={"decision": "verify"}, headers=service.admin
        )
    )
    ok(
        await service.client.post(
            f"/v1/audits/{stage1}/transitions", json={"step": "close"}, headers=service.admin
        )
    )
    async with httpx.AsyncClient(base_url=body_system["base"]) as control:
        refused = ok(await control.post("/control/decision", json={"audit_id": stage1}))
        assert (refused["delivered"], refused["status"]) == (False, 409)  # a stage 1

        sim.settings.auditor_id = people["second"]["id"]  # another auditor for stage 2
        stage2 = ok(
            await service.client.post(
                f"/v1/audit-programmes/{programme['id']}/audits",
                json={"type": "stage2"},
                headers=service.admin,
            ),
            201,
        )["id"]
        await send(service, settings, service.runtime.clock.now())
        await wait_status(service, stage2, "report_submitted")
        granted = ok(await control.post("/control/decision", json={"audit_id": stage2}))
        assert (granted["delivered"], granted["status"]) == (True, 200)
    audit = ok(await service.client.get(f"/v1/audits/{stage2}", headers=service.admin))
    assert (
        audit["decision"]["outcome"],
        audit["decision"]["certificate_number"],
        audit["decision"]["decided_by"],
    ) == ("granted", "SIM-00002-ISO9001", "Comité de certification")
    (published,) = await events(service, "certification.decided.v1")
    assert (published["audit_id"], published["audit_type"]) == (stage2, "stage2")


async def test_w8_a_dropped_callback_is_caught_by_reconciliation(
    live_service: Service, body_system: dict
) -> None:
    service = live_service
    sim = body_system["sim"]
    sim.controls.drop = {"audit.report_submitted"}
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    now = service.runtime.clock.now()
    await send(service, body_system["settings"], now)
    sim.controls.paused = False
    await wait_status(service, audit_id, "in_progress")
    await asyncio.sleep(0.1)
    assert (await wait_status(service, audit_id, "in_progress"))[
        "status"
    ] == "in_progress"  # the report never came
    async with service.runtime.db.session() as session:
        assert (
            await connector.reconcile(
                session, now + timedelta(hours=1), body_system["settings"], service.runtime.clock
            )
            == 0
        )  # not stale yet
    async with service.runtime.db.session() as session:
        assert (
            await connector.reconcile(
                session, now + timedelta(days=2), body_system["settings"], service.runtime.clock
            )
            == 1
        )
    await wait_status(service, audit_id, "report_submitted")
    async with service.runtime.db.session() as session:
        assert (
            await connector.reconcile(
                session, now + timedelta(days=2), body_system["settings"], service.runtime.clock
            )
            == 0
        )


async def test_w5_failures_are_retried_on_the_schedule_with_the_same_key_and_logged(
    live_service: Service, body_system: dict
) -> None:
    service = live_service
    sim = body_system["sim"]
    sim.controls.fail_next, sim.controls.fail_status = 3, 500
    await accepted(service)
    t0 = service.runtime.clock.now()
    settings = body_system["settings"]
    await send(service, settings, t0)
    (d,) = await deliveries(service)
    assert (d["status"], d["attempts"]) == ("pending", 1)
    assert await send(service, settings, t0 + timedelta(seconds=9)) == 0  # not due yet
    moments = [t0 + timedelta(seconds=10), t0 + timedelta(seconds=70), t0 + timedelta(seconds=370)]
    for moment in moments:
        await send(service, settings, moment)
    (d,) = await deliveries(service)
    assert (d["status"], d["attempts"]) == ("delivered", 4)
    assert [entry["status"] for entry in d["log"]] == [500, 500, 500, 202]
    assert all(entry["latency_ms"] is not None for entry in d["log"])
    keys = {call.split()[-1] for call in sim.calls}
    assert keys == {d["id"]}  # every attempt carried the same Idempotency-Key


async def test_w5_429_retry_after_410_gone_redirects_and_manual_retry(
    live_service: Service, body_system: dict
) -> None:
    service = live_service
    sim, settings = body_system["sim"], body_system["settings"]
    await accepted(service)
    t0 = service.runtime.clock.now()
    sim.controls.fail_next, sim.controls.fail_status, sim.controls.retry_after = 1, 429, 120
    await send(service, settings, t0)
    (d,) = await deliveries(service)
    assert d["status"] == "pending"
    assert (
        await send(service, settings, t0 + timedelta(seconds=60))
    ) == 0  # Retry-After: 120 s honoured
    sim.controls.fail_next, sim.controls.fail_status, sim.controls.retry_after = 1, 307, None
    sim.controls.location = "http://169.254.169.254/latest/meta-data"
    calls = len(sim.calls)
    await send(service, settings, t0 + timedelta(seconds=121))
    assert len(sim.calls) == calls + 1  # the redirect was not followed
    (d,) = await deliveries(service)
    assert "redirect 307 not followed" in d["last_error"]
    sim.controls.fail_next, sim.controls.fail_status, sim.controls.location = 1, 410, None
    await send(service, settings, t0 + timedelta(seconds=200))
    (d,) = await deliveries(service)
    assert (d["status"], d["next_attempt_at"]) == ("failed", None)
    retried = ok(
        await service.client.post(
            f"/v1/certification-bodies/sgs-tuv/deliveries/{d['id']}/retry", headers=service.admin
        )
    )
    assert (retried["id"], retried["status"]) == (d["id"], "pending")
    await send(service, settings, service.runtime.clock.now() + timedelta(seconds=1))
    (d,) = await deliveries(service)
    assert (d["status"], d["attempts"]) == ("delivered", 4)


async def test_w6_a_hanging_body_is_cut_off_and_rescheduled_then_the_breaker_opens(
    live_service: Service, body_system: dict
) -> None:
    service = live_service
    sim, settings = body_system["sim"], body_system["settings"]
    settings.body_timeout_s = 0.3
    settings.body_breaker_failures = 2
    sim.controls.hang_s = 2.0
    await accepted(service)
    t0 = service.runtime.clock.now()
    started = asyncio.get_running_loop().time()
    await send(service, settings, t0)
    assert asyncio.get_running_loop().time() - started < 1.5
    (d,) = await deliveries(service)
    assert (d["status"], d["attempts"]) == ("pending", 1)
    assert "Timeout" in d["last_error"]
    await send(service, settings, t0 + timedelta(seconds=10))  # second failure: the breaker opens
    assert await send(service, settings, t0 + timedelta(seconds=3600)) == 0  # open: not even tried
    assert connector.BREAKERS.for_key("sgs-tuv").state == "open"


async def test_w7_private_destinations_are_refused_without_a_connection(
    live_service: Service, body_system: dict
) -> None:
    service = live_service
    sim, settings = body_system["sim"], body_system["settings"]
    settings.body_allow_private = False
    await accepted(service)
    await send(service, settings, service.runtime.clock.now())
    (d,) = await deliveries(service)
    assert d["status"] == "failed"
    assert "non-public address" in d["last_error"]
    assert sim.calls == []  # no connection was made
    for url in (
        "http://127.0.0.1/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
        "http://192.168.0.10/",
        "ftp://example.org/",
    ):
        with pytest.raises(ForbiddenDestination):
            await check_destination(url)


async def test_calls_are_measured_per_body_with_the_breaker_state(
    live_service: Service, body_system: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the ops port: calls by body and outcome (ok, error, rejected while the breaker is
    open), their time, and the breaker's state (0 closed, 1 half-open, 2 open)."""
    service = live_service
    sim, settings = body_system["sim"], body_system["settings"]
    settings.body_timeout_s = 0.3
    settings.body_breaker_failures = 1
    settings.body_breaker_reset_s = 0.5
    sim.controls.hang_s = 2.0
    # The breaker's own clock, moved by hand: on a loaded machine more than the reset delay
    # may pass between two sends, which would make the breaker half-open too early.
    elapsed = [0.0]
    monkeypatch.setattr(connector.BREAKERS, "clock", lambda: elapsed[0])
    async with ops_port() as scrape:

        async def calls() -> dict[str, float]:
            return {
                outcome: await scrape.value(
                    "cap_connector_calls_total", body="sgs-tuv", outcome=outcome
                )
                for outcome in ("ok", "error", "rejected")
            }

        async def breaker() -> list[float]:
            found = await scrape.samples(
                "cap_breaker_state", service="audit", breaker="connector:sgs-tuv"
            )
            return [s.value for s in found]

        before = await calls()
        timed = await scrape.value("cap_connector_call_seconds_count", body="sgs-tuv")
        await accepted(service)
        t0 = service.runtime.clock.now()
        await send(service, settings, t0)  # no answer in time: an error, the breaker opens
        assert await breaker() == [2]
        assert await send(service, settings, t0 + timedelta(seconds=60)) == 0  # rejected
        sim.controls.hang_s = 0
        elapsed[0] += 0.6
        assert await breaker() == [1]  # half-open: one trial
        assert await send(service, settings, t0 + timedelta(seconds=120)) == 1
        assert await breaker() == [0]
        after = await calls()
        assert {k: after[k] - before[k] for k in after} == {"ok": 1, "error": 1, "rejected": 1}
        assert await scrape.value("cap_connector_call_seconds_count", body="sgs-tuv") == timed + 2
