"""Signed webhooks from a certification body: W1 (verification, with the Standard Webhooks test
vector), W2 (same webhook-id twice, also at once), W3 (secret rotation with overlap), and bad input."""

from __future__ import annotations

import asyncio
import json
import math
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from cap_audit.certifier import webhooks
from cap_shared.clock import wall_now, wall_timestamp
from cap_shared.testing.conditional import if_match

from .conftest import Service, ok
from .test_audits import accepted, events, setup_body, team


def signed(
    secret: str, payload: dict | bytes, *, webhook_id: str | None = None, at: float | None = None
) -> tuple[bytes, dict[str, str]]:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
    moment = datetime.fromtimestamp(at if at is not None else wall_timestamp(), tz=UTC)
    signature = Webhook(secret).sign(webhook_id, moment, raw.decode())
    return raw, {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def event(kind: str, **data) -> dict:
    return {"type": kind, "timestamp": wall_now().isoformat(), "data": data}


async def send(service: Service, raw: bytes, headers: dict[str, str], body_id: str = "sgs-tuv"):
    return await service.client.post(
        f"/v1/certifier/webhooks/{body_id}", content=raw, headers=headers
    )


def opening_events(audit_id: str, people: dict, plan: str = "Plan") -> list[dict]:
    """The body accepts, plans (its lead auditor) and starts the audit."""
    return [
        event("audit.accepted", audit_id=audit_id),
        event(
            "audit.planned",
            audit_id=audit_id,
            start_date="2027-01-11",
            end_date="2027-01-12",
            plan=plan,
            team=team(people, ("lead", "lead")),
        ),
        event("audit.started", audit_id=audit_id),
    ]


async def start_by_webhooks(service: Service, secret: str, audit_id: str, people: dict) -> None:
    for payload in opening_events(audit_id, people):
        ok(await send(service, *signed(secret, payload)))


async def secret_for(service: Service, body_id: str = "sgs-tuv") -> str:
    return ok(
        await service.client.post(
            f"/v1/certification-bodies/{body_id}/webhook-secrets", headers=service.admin
        ),
        201,
    )["secret"]


def test_signatures_match_the_standard_webhooks_test_vector() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    moment = datetime.fromtimestamp(1614265330, tz=UTC)
    assert Webhook(secret).sign("msg_p5jXN8AQM9LWM0D4loKWxJek", moment, '{"test": 2432232314}') == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


async def test_a_body_drives_an_audit_with_signed_webhooks(service: Service) -> None:
    people = await setup_body(service)
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    secret = await secret_for(service)
    for payload in (
        *opening_events(audit_id, people, plan="Plan d'audit"),
        event(
            "finding.recorded",
            audit_id=audit_id,
            finding={"type": "minor_nc", "title": "Registre incomplet", "clause": "7.5"},
        ),
        event("audit.report_submitted", audit_id=audit_id, summary="Une NC mineure."),
    ):
        response = await send(service, *signed(secret, payload))
        assert response.status_code == 200, (payload["type"], response.text)
        assert response.json()["duplicate"] is False
    audit = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))
    assert (audit["status"], audit["findings"]) == ("report_submitted", {"minor_nc": 1})
    assert len(await events(service, "audit.report_submitted.v1")) == 1
    contract = ok(await service.client.get("/v1/certifier/openapi.json"))
    assert set(contract["webhooks"]) == {
        "audit.accepted",
        "audit.planned",
        "audit.started",
        "finding.recorded",
        "audit.report_submitted",
        "finding.reviewed",
        "certification.decided",
    }


async def test_w1_forged_stale_or_incomplete_webhooks_are_refused_and_change_nothing(
    service: Service,
) -> None:
    await setup_body(service)
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    secret = await secret_for(service)
    payload = event("audit.accepted", audit_id=audit_id)
    raw, headers = signed(secret, payload)
    tampered = raw.replace(b"audit.accepted", b"audit.accepteD")
    other_secret = "whsec_" + "A" * 43 + "="
    cases = {
        "changed byte": (tampered, headers),
        "wrong secret": signed(other_secret, payload),
        "no signature": (raw, {k: v for k, v in headers.items() if k != "webhook-signature"}),
        "no id": (raw, {k: v for k, v in headers.items() if k != "webhook-id"}),
        "301 s old": signed(secret, payload, at=wall_timestamp() - 301),
        # Timestamps are whole seconds: round up, or "301 s ahead" could be 300.4 s by the check.
        "301 s ahead": signed(secret, payload, at=math.ceil(wall_timestamp()) + 301),
        "garbage signature": (raw, {**headers, "webhook-signature": "v1"}),
    }
    for name, (body, hdrs) in cases.items():
        response = await send(service, body, hdrs)
        assert response.status_code == 401, (name, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    unknown_body = await send(service, raw, headers, body_id="bureau-veritas")
    assert unknown_body.status_code == 401
    audit = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))
    assert audit["status"] == "requested"  # nothing applied
    # One valid signature among several is enough.
    _raw, good = signed(secret, payload)
    _raw2, bad = signed(
        other_secret, payload, webhook_id=good["webhook-id"], at=float(good["webhook-timestamp"])
    )
    multi = {**good, "webhook-signature": f"{bad['webhook-signature']} {good['webhook-signature']}"}
    assert (await send(service, _raw, multi)).status_code == 200


async def test_bad_payloads_get_4xx_and_out_of_order_events_can_be_sent_again(
    service: Service,
) -> None:
    await setup_body(service)
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    secret = await secret_for(service)
    assert (await send(service, *signed(secret, b"not json"))).status_code == 400
    assert (
        await send(service, *signed(secret, event("audit.teleported", audit_id=audit_id)))
    ).status_code == 400
    invalid = await send(
        service, *signed(secret, event("audit.planned", audit_id=audit_id, start_date="hier"))
    )
    assert invalid.status_code == 400
    assert invalid.json()["errors"]
    big = await send(
        service, *signed(secret, event("audit.accepted", audit_id=audit_id, padding="x" * 300_000))
    )
    assert big.status_code == 413
    unknown = await send(
        service, *signed(secret, event("audit.accepted", audit_id=str(uuid.uuid4())))
    )
    assert unknown.status_code == 404
    raw, headers = signed(secret, event("audit.started", audit_id=audit_id))
    early = await send(service, raw, headers)
    assert early.status_code == 409
    # The refused webhook left no trace: once the audit is accepted and planned, the same id applies.
    ok(
        await service.client.post(
            f"/v1/audits/{audit_id}/transitions", json={"step": "accept"}, headers=service.admin
        )
    )
    people = {
        p["name"]: p
        for p in ok(await service.client.get("/v1/auditors", headers=service.admin))["data"]
    }
    ok(
        await service.client.put(
            f"/v1/audits/{audit_id}/plan",
            json={
                "start_date": "2027-01-11",
                "end_date": "2027-01-11",
                "plan": "P",
                "team": [
                    {
                        "auditor_id": people["Auditeur lead"]["id"],
                        "role": "lead",
                        "declaration": "Aucun lien avec la structure.",
                    }
                ],
            },
            headers=await if_match(service.client, f"/v1/audits/{audit_id}", service.admin),
        )
    )
    assert (await send(service, raw, headers)).status_code == 200


async def test_w2_the_same_webhook_id_twice_applies_once(service: Service) -> None:
    people = await setup_body(service)
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    secret = await secret_for(service)
    await start_by_webhooks(service, secret, audit_id, people)
    raw, headers = signed(
        secret,
        event(
            "finding.recorded",
            audit_id=audit_id,
            finding={"type": "observation", "title": "Affichage"},
        ),
    )
    first = ok(await send(service, raw, headers))
    second = ok(await send(service, raw, headers))
    assert (first["duplicate"], second["duplicate"]) == (False, True)
    audit = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))
    assert audit["findings"] == {"observation": 1}


async def test_w2_the_same_webhook_id_sent_at_once_applies_once_and_answers_duplicate(
    live_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: copies of one webhook arriving together (a body retrying on a timeout) were
    applied by each, and all but one ended in a 500 from the unique key. The id is now claimed
    before the event is applied: one effect, the other copies answered 200 "duplicate"."""
    applying = webhooks._apply

    async def slow_apply(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.3)  # every copy is in flight before the first commits
        return await applying(*args, **kwargs)

    monkeypatch.setattr(webhooks, "_apply", slow_apply)
    service = live_service
    people = await setup_body(service)
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    secret = await secret_for(service)
    await start_by_webhooks(service, secret, audit_id, people)
    raw, headers = signed(
        secret,
        event(
            "finding.recorded",
            audit_id=audit_id,
            finding={"type": "observation", "title": "Affichage"},
        ),
    )
    answers = await asyncio.gather(*(send(service, raw, headers) for _ in range(4)))
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert sorted(a.json()["duplicate"] for a in answers) == [False, True, True, True]
    audit = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))
    assert audit["findings"] == {"observation": 1}


async def test_w3_both_secrets_verify_during_the_overlap_then_only_the_new_one(
    service: Service,
) -> None:
    await setup_body(service)
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    old = await secret_for(service)
    new = await secret_for(service)
    listed = ok(
        await service.client.get(
            "/v1/certification-bodies/sgs-tuv/webhook-secrets", headers=service.admin
        )
    )["data"]
    assert [s["expires_at"] is None for s in listed] == [False, True]
    assert "secret" not in listed[0]
    probe = event("audit.accepted", audit_id=str(uuid.uuid4()))  # unknown audit: 404 once verified
    assert (await send(service, *signed(old, probe))).status_code == 404
    assert (await send(service, *signed(new, probe))).status_code == 404
    service.runtime.clock.advance(timedelta(hours=24, seconds=1))
    assert (await send(service, *signed(old, probe))).status_code == 401
    assert (
        await send(service, *signed(new, event("audit.accepted", audit_id=audit_id)))
    ).status_code == 200


def test_the_published_contract_is_up_to_date() -> None:
    from pathlib import Path

    from cap_audit.certifier.contract import openapi_document

    published = Path(__file__).resolve().parents[3] / "docs" / "certifier" / "openapi.json"
    assert json.loads(published.read_text(encoding="utf-8")) == openapi_document(), (
        "docs/certifier/openapi.json is stale: run `make certifier`"
    )


async def test_w4_fifty_concurrent_webhooks_are_all_answered_quickly(live_service: Service) -> None:
    """50 deliveries at once (each a finding on the same audit, serialised by its row lock):
    every one answered 2xx, the slowest well under 10 s, each applied once."""
    service = live_service
    people = await setup_body(service)
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    secret = await secret_for(service)
    await start_by_webhooks(service, secret, audit_id, people)
    messages = [
        signed(
            secret,
            event(
                "finding.recorded",
                audit_id=audit_id,
                finding={"type": "observation", "title": f"Observation {n}"},
            ),
        )
        for n in range(50)
    ]

    async def timed(raw: bytes, headers: dict[str, str]) -> tuple[int, float]:
        started = time.perf_counter()
        response = await send(service, raw, headers)
        return response.status_code, time.perf_counter() - started

    results = await asyncio.gather(*(timed(raw, headers) for raw, headers in messages))
    assert {status for status, _ in results} == {200}
    assert max(elapsed for _, elapsed in results) < 10
    audit = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))
    assert audit["findings"] == {"observation": 50}


async def test_every_answer_of_the_webhook_route_is_documented(service: Service) -> None:
    """Issue 15 item 11: the public webhook route answered 400, 401, 404, 409 and 413 without
    declaring them (the body's developers read the API description)."""
    people = await setup_body(service)
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    secret = await secret_for(service)
    service.runtime.settings.webhook_max_bytes = 2000  # type: ignore[attr-defined]
    document = (await service.client.get("/openapi.json")).json()
    declared = document["paths"]["/v1/certifier/webhooks/{body_id}"]["post"]["responses"]
    planned = event(
        "audit.planned",
        audit_id=audit_id,
        start_date="2027-01-11",
        end_date="2027-01-12",
        plan="Plan",
        team=team(people, ("lead", "lead")),
    )
    answers = {
        "applied": await send(service, *signed(secret, event("audit.accepted", audit_id=audit_id))),
        "bad signature": await send(service, *signed("whsec_" + "A" * 43 + "=", planned)),
        "not JSON": await send(service, *signed(secret, b"{")),
        "unknown type": await send(service, *signed(secret, event("audit.teleported"))),
        "unknown audit": await send(
            service, *signed(secret, event("audit.started", audit_id=str(uuid.uuid4())))
        ),
        "out of order": await send(
            service, *signed(secret, event("audit.started", audit_id=audit_id))
        ),
        "too large": await send(service, *signed(secret, {"pad": "x" * 3000})),
        "bad body id": await send(service, *signed(secret, planned), body_id="SGS TÜV"),
    }
    assert {name: a.status_code for name, a in answers.items()} == {
        "applied": 200,
        "bad signature": 401,
        "not JSON": 400,
        "unknown type": 400,
        "unknown audit": 404,
        "out of order": 409,
        "too large": 413,
        "bad body id": 422,
    }
    for name, answer in answers.items():
        assert str(answer.status_code) in declared, (name, answer.status_code, sorted(declared))
