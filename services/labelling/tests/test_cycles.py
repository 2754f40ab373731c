"""Cycles and scope, through the API on a controllable clock: recognition events carry the cycle
(its start, its decision) and the scope; a renewal's or restoration's schedule counts from the
previous expiry; an ISO certificate's scope is reduced (reissued, active, public history); a
body decision after the restoration window is a refusal; no manual restoration past expiry."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from cap_labelling.main import recognition_lifecycle
from cap_shared.contracts.audit import CertificationDecidedV1
from cap_shared.dates import add_months

from .conftest import Service, ok
from .test_decisions import GOOD, accepted, decide, events, granted_label, pending_of

SCOPE = "Insertion par l'activité économique : espaces verts, second œuvre"


async def run_job(service: Service) -> None:
    async with service.runtime.db.session() as session:
        await recognition_lifecycle(session, service.runtime.job_context())


async def recognition(service: Service, recognition_id: str) -> dict:
    return ok(await service.client.get(f"/v1/recognitions/{recognition_id}", headers=service.admin))


def body_decision(service: Service, report, number: str = "FR26/5001") -> CertificationDecidedV1:
    return CertificationDecidedV1(
        audit_id=report.audit_id,
        organisation_id=report.organisation_id,
        audit_type=report.audit_type,
        certification_body_id="sgs-tuv",
        outcome="granted",
        decided_on=service.runtime.clock.today(),
        decided_by="Comité de certification SGS",
        certificate_number=number,
        scope=SCOPE,
    )


async def certified(service: Service) -> dict:
    """Structure a's CAP ISO 9001 certificate, granted today."""
    await accepted(service, scheme="CAP_ISO9001")
    report = await service.report("a", "CAP_ISO9001", "stage2")
    await service.deliver(body_decision(service, report))
    (certificate,) = ok(await service.client.get("/v1/recognitions", headers=service.admin))["data"]
    return certificate


async def test_recognition_events_carry_the_cycle_and_the_scope(service: Service) -> None:
    label = await granted_label(service)
    today = service.runtime.clock.today()
    (event,) = await events(service, "recognition.status_changed.v1")
    assert (event["decided_on"], event["cycle_start"], event["scope"]) == (
        today.isoformat(),
        today.isoformat(),
        label["scope"],
    )
    assert label["cycle_start"] == today.isoformat()


async def test_a_renewal_cycle_counts_from_the_previous_expiry(service: Service) -> None:
    """Renewed three months before expiry: the new cycle starts at the previous expiry, its
    follow-up is due 18 months after that (not after the renewal decision) and its expiry 36."""
    first = await granted_label(service)
    expiry = date.fromisoformat(first["expiry_date"])
    service.runtime.clock.advance(
        timedelta(days=(expiry - service.runtime.clock.today()).days - 90)
    )
    await service.report("a", "CAP_RSE", "follow_up")
    renewal_audit = str(uuid.uuid4())
    await service.evaluated("a", renewal_audit, 620, GOOD)
    await service.report("a", "CAP_RSE", "renewal", auditors=("auditor-2",), audit_id=renewal_audit)
    (file,) = ok(await service.client.get("/v1/decisions?status=pending", headers=service.admin))[
        "data"
    ]
    renewed = ok(await decide(service, file["id"], outcome="confirm"))
    new = await recognition(service, renewed["recognition_id"])
    assert new["decided_on"] == service.runtime.clock.today().isoformat()
    assert new["cycle_start"] == expiry.isoformat()
    assert new["next_surveillance_due"] == add_months(expiry, 18).isoformat()
    assert new["expiry_date"] == add_months(expiry, 36).isoformat()
    granted = [
        e
        for e in await events(service, "recognition.status_changed.v1")
        if e["recognition_id"] == new["id"]
    ]
    assert [(e["cycle_start"], e["decided_on"]) for e in granted] == [
        (expiry.isoformat(), service.runtime.clock.today().isoformat())
    ]
    # A follow-up reported before the new cycle starts belongs to the previous one.
    await service.report("a", "CAP_RSE", "follow_up")
    assert (await recognition(service, new["id"]))["next_surveillance_due"] == (
        add_months(expiry, 18).isoformat()
    )


async def test_a_restored_certificate_counts_from_its_real_expiry(service: Service) -> None:
    first = await certified(service)
    expiry = date.fromisoformat(first["expiry_date"])
    service.runtime.clock.advance(
        timedelta(days=(expiry - service.runtime.clock.today()).days + 40)
    )
    await run_job(service)
    assert (await recognition(service, first["id"]))["status"] == "expired"
    report = await service.report("a", "CAP_ISO9001", "renewal")
    await service.deliver(body_decision(service, report, number="FR26/5002"))
    (restored,) = [
        r
        for r in ok(await service.client.get("/v1/recognitions", headers=service.admin))["data"]
        if r["id"] != first["id"]
    ]
    assert restored["history"][0]["reason_code"] == "renewed"
    assert (await recognition(service, first["id"]))["history"][-1]["reason_code"] == "restored"
    assert restored["cycle_start"] == expiry.isoformat()
    # The first surveillance of the restored cycle: 12 months after the real expiry.
    assert restored["next_surveillance_due"] == add_months(expiry, 12).isoformat()


async def test_a_body_decision_after_the_restoration_window_is_a_refusal(
    service: Service,
) -> None:
    first = await certified(service)
    expiry = date.fromisoformat(first["expiry_date"])
    late = add_months(expiry, 6) + timedelta(days=1)
    service.runtime.clock.advance(timedelta(days=(late - service.runtime.clock.today()).days))
    await run_job(service)
    report = await service.report("a", "CAP_ISO9001", "renewal")
    await service.deliver(body_decision(service, report, number="FR26/5003"))
    files = ok(await service.client.get("/v1/decisions", headers=service.admin))["data"]
    (renewal,) = [f for f in files if f["audit_id"] == report.audit_id]
    assert renewal["status"] == "refused"
    assert "restoration was possible until" in renewal["reason"]
    assert [
        r["id"]
        for r in ok(await service.client.get("/v1/recognitions", headers=service.admin))["data"]
    ] == [first["id"]]


async def test_no_manual_restoration_past_expiry(service: Service) -> None:
    label = await granted_label(service)
    path = f"/v1/recognitions/{label['id']}/transitions"
    ok(
        await service.client.post(
            path, json={"step": "suspend", "reason": "Usage abusif"}, headers=service.committee()
        )
    )
    expiry = date.fromisoformat(label["expiry_date"])
    # The day after expiry, before the daily job has expired it.
    service.runtime.clock.advance(timedelta(days=(expiry - service.runtime.clock.today()).days + 1))
    refused = await service.client.post(
        path,
        json={"step": "restore", "reason": "Situation régularisée"},
        headers=service.committee(),
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/past-expiry")
    assert (await recognition(service, label["id"]))["status"] == "suspended"


async def test_an_iso_certificate_has_its_scope_reduced_instead_of_suspended(
    service: Service,
) -> None:
    certificate = await certified(service)
    path = f"/v1/recognitions/{certificate['id']}/scope-reductions"
    ok(
        await service.client.post(
            f"/v1/recognitions/{certificate['id']}/transitions",
            json={"step": "suspend", "reason": "Chantier second œuvre hors exigences"},
            headers=service.committee(),
        )
    )
    service.runtime.clock.advance(timedelta(days=20))
    reduced_scope = "Insertion par l'activité économique : espaces verts"
    body = {"scope": reduced_scope, "reason": "Activité second œuvre arrêtée"}
    assert (
        await service.client.post(path, json=body, headers=service.member_admin())
    ).status_code == 403
    assert (
        await service.client.post(path, json=body, headers=service.body("bureau-veritas"))
    ).status_code == 404
    same = await service.client.post(path, json={**body, "scope": SCOPE}, headers=service.body())
    assert same.status_code == 422
    assert same.json()["errors"][0]["field"] == "body.scope"
    reduced = ok(await service.client.post(path, json=body, headers=service.body()))
    today = service.runtime.clock.today()
    assert (reduced["status"], reduced["scope"], reduced["issued_on"]) == (
        "active",
        reduced_scope,
        today.isoformat(),
    )
    assert (reduced["number"], reduced["verification_code"]) == (
        certificate["number"],
        certificate["verification_code"],
    )
    assert [h["reason_code"] for h in reduced["history"]] == [
        "granted",
        "committee",
        "scope_reduced",
    ]
    public = ok(await service.client.get(f"/v1/registry/recognitions/{certificate['number']}"))
    assert (public["scope"], public["issued_on"], public["status"]) == (
        reduced_scope,
        today.isoformat(),
        "active",
    )
    assert public["history"][-1]["reason_code"] == "scope_reduced"
    assert "second œuvre arrêtée" not in str(public)  # the note stays private
    last = (await events(service, "recognition.status_changed.v1"))[-1]
    assert (last["status"], last["previous_status"], last["scope"], last["reason"]) == (
        "active",
        "suspended",
        reduced_scope,
        "scope_reduced",
    )
    pdf = await service.client.get(
        f"/v1/registry/recognitions/{certificate['number']}/certificate.pdf"
    )
    assert pdf.status_code == 200
    # A label has a level, not a scope to reduce.
    label = ok(await decide(service, (await pending_of(service, "b"))["id"], outcome="confirm"))
    refused = await service.client.post(
        f"/v1/recognitions/{label['recognition_id']}/scope-reductions",
        json=body,
        headers=service.committee(),
    )
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/scope-reduction-not-allowed")
