"""The audit workflow through the service's API, with a controllable clock."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from cap_audit.config import Settings
from cap_audit.findings.service import nc_deadlines
from cap_audit.models import tables
from cap_audit.programmes.service import on_application_accepted, on_recognition_changed
from cap_shared.clock import using
from cap_shared.conditional import etag_of
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import AuditReportSubmittedV1
from cap_shared.contracts.labelling import ApplicationAcceptedV1, RecognitionStatusChangedV1
from cap_shared.testing.conditional import if_match

from .conftest import Service, ok

ISO = [{"scheme": "CAP_ISO9001", "valid_from": "2025-01-01", "valid_until": "2028-12-31"}]
RSE = [{"scheme": "CAP_RSE", "valid_from": "2025-01-01", "valid_until": "2028-12-31"}]


async def setup_body(service: Service) -> dict[str, dict]:
    ok(
        await service.client.post(
            "/v1/certification-bodies",
            json={
                "id": "sgs-tuv",
                "name": "SGS TÜV Saar",
                "accreditation": "COFRAC 4-0608",
                "schemes": ["CAP_ISO9001", "CAP_RSE"],
            },
            headers=service.admin,
        ),
        201,
    )
    people = {}
    for key, quals in (("lead", ISO + RSE), ("second", ISO), ("unqualified", RSE)):
        people[key] = ok(
            await service.client.post(
                "/v1/auditors",
                json={
                    "certification_body_id": "sgs-tuv",
                    "name": f"Auditeur {key}",
                    "user_id": str(uuid.uuid4()),
                    "qualifications": quals,
                },
                headers=service.admin,
            ),
            201,
        )
    return people


async def accepted(service: Service, scheme: str = "CAP_ISO9001", key: str = "a") -> dict:
    event = ApplicationAcceptedV1(
        application_id=str(uuid.uuid4()),
        organisation_id=service.organisations[key].id,
        scheme=scheme,
        certification_body_id="sgs-tuv",
        accepted_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    with using(service.runtime.clock):  # as the worker runs it
        envelope = new_event(event, source="/cap/labelling")
        for _ in range(2):  # a redelivery opens nothing more
            async with service.runtime.db.session() as session:
                await on_application_accepted(session, envelope, event, settings=Settings())
    programmes = ok(await service.client.get("/v1/audit-programmes", headers=service.admin))["data"]
    return next(p for p in programmes if p["application_id"] == event.application_id)


async def events(service: Service, event_type: str) -> list[dict]:
    async with service.runtime.db.session() as session:
        rows = (
            (
                await session.execute(
                    sa.select(tables.outbox.c.payload)
                    .where(tables.outbox.c.event_type == event_type)
                    .order_by(tables.outbox.c.seq)
                )
            )
            .scalars()
            .all()
        )
    return [json.loads(r)["data"] for r in rows]


def team(people: dict, *keys_roles: tuple[str, str]) -> list[dict]:
    return [
        {
            "auditor_id": people[k]["id"],
            "role": r,
            "declaration": "Je déclare n'avoir aucun lien avec la structure.",
        }
        for k, r in keys_roles
    ]


async def accept_and_plan(service: Service, audit_id: str, people: dict) -> dict:
    """The body accepts the audit and plans it for one day, its lead auditor alone."""
    await step(service, audit_id, service.body(), "accept")
    plan = {
        "start_date": "2027-01-11",
        "end_date": "2027-01-11",
        "plan": "Évaluation",
        "team": team(people, ("lead", "lead")),
    }
    return ok(
        await service.client.put(
            f"/v1/audits/{audit_id}/plan",
            json=plan,
            headers=await if_match(service.client, f"/v1/audits/{audit_id}", service.body()),
        )
    )


async def step(service: Service, audit_id: str, headers: dict, action: str, **extra) -> dict:
    return ok(
        await service.client.post(
            f"/v1/audits/{audit_id}/transitions", json={"step": action, **extra}, headers=headers
        )
    )


async def test_an_iso_stage1_from_request_to_closure(service: Service) -> None:
    people = await setup_body(service)
    programme = await accepted(service)
    assert [(i["type"], i["due_by"], i["status"]) for i in programme["schedule"]] == [
        ("stage1", "2027-02-18", "in_progress"),
        ("stage2", "2027-05-19", "due"),
    ]
    (requested,) = await events(service, "audit.requested.v1")
    audit_id = requested["audit_id"]
    assert (requested["audit_type"], requested["certification_body_id"]) == ("stage1", "sgs-tuv")

    body = service.body()
    await step(service, audit_id, body, "accept")
    plan = {
        "start_date": "2027-01-11",
        "end_date": "2027-01-12",
        "plan": "Jour 1 : revue documentaire…",
        "team": team(people, ("lead", "lead"), ("second", "auditor")),
    }
    planned = ok(
        await service.client.put(
            f"/v1/audits/{audit_id}/plan",
            json=plan,
            headers=await if_match(service.client, f"/v1/audits/{audit_id}", body),
        )
    )
    assert planned["status"] == "planned"
    assert [(m["name"], m["role"]) for m in planned["team"]] == [
        ("Auditeur lead", "lead"),
        ("Auditeur second", "auditor"),
    ]
    assert (await events(service, "audit.planned.v1"))[0]["auditor_ids"] == [
        people["lead"]["id"],
        people["second"]["id"],
    ]

    lead = service.auditor(people["lead"]["user_id"])
    second = service.auditor(people["second"]["user_id"])
    refused = await service.client.post(
        f"/v1/audits/{audit_id}/transitions", json={"step": "start"}, headers=second
    )
    assert refused.status_code == 403  # the lead starts
    await step(service, audit_id, lead, "start")
    major = ok(
        await service.client.post(
            f"/v1/audits/{audit_id}/findings",
            json={
                "type": "major_nc",
                "title": "Pas de revue de direction",
                "clause": "9.3",
                "evidence": [{"title": "Entretien direction"}],
            },
            headers=second,
        ),
        201,
    )
    minor = ok(
        await service.client.post(
            f"/v1/audits/{audit_id}/findings",
            json={"type": "minor_nc", "title": "Plan de formation incomplet", "clause": "7.2"},
            headers=lead,
        ),
        201,
    )
    ok(
        await service.client.post(
            f"/v1/audits/{audit_id}/findings",
            json={"type": "strength", "title": "Accueil des salariés en parcours"},
            headers=lead,
        ),
        201,
    )
    no_target = await service.client.post(
        f"/v1/audits/{audit_id}/findings",
        json={"type": "minor_nc", "title": "Sans référence"},
        headers=lead,
    )
    assert no_target.status_code == 422
    await step(
        service,
        audit_id,
        lead,
        "submit_report",
        summary="Système en place, une NC majeure sur la revue de direction.",
    )
    (report,) = await events(service, "audit.report_submitted.v1")
    parsed = AuditReportSubmittedV1.model_validate(report)
    assert parsed.summary == {"major_nc": 1, "minor_nc": 1, "strength": 1}
    assert set(parsed.auditor_user_ids) == {people["lead"]["user_id"], people["second"]["user_id"]}

    too_early = await service.client.post(
        f"/v1/audits/{audit_id}/transitions", json={"step": "close"}, headers=lead
    )
    assert too_early.status_code == 409
    assert too_early.json()["open_major_nc"] == 1
    answer = {
        "root_cause": "Pas de calendrier",
        "correction": "Revue tenue le 2/02",
        "corrective_action": "Revue semestrielle planifiée",
        "action_due": "2027-03-31",
        "evidence": [{"title": "Compte rendu"}],
    }
    outsider = await service.client.post(
        f"/v1/findings/{major['id']}/response", json=answer, headers=service.member("b")
    )
    assert outsider.status_code == 404
    ok(
        await service.client.post(
            f"/v1/findings/{major['id']}/response", json=answer, headers=service.member()
        )
    )
    no_reason = await service.client.post(
        f"/v1/findings/{major['id']}/review", json={"decision": "send_back"}, headers=lead
    )
    assert no_reason.status_code == 409
    back = ok(
        await service.client.post(
            f"/v1/findings/{major['id']}/review",
            json={"decision": "send_back", "comment": "Joindre le compte rendu signé"},
            headers=lead,
        )
    )
    assert back["status"] == "open"
    ok(
        await service.client.post(
            f"/v1/findings/{major['id']}/response", json=answer, headers=service.member()
        )
    )
    verified = ok(
        await service.client.post(
            f"/v1/findings/{major['id']}/review", json={"decision": "verify"}, headers=lead
        )
    )
    assert verified["status"] == "verified_closed"
    ok(
        await service.client.post(
            f"/v1/findings/{minor['id']}/response", json=answer, headers=service.member()
        )
    )
    ok(
        await service.client.post(
            f"/v1/findings/{minor['id']}/review", json={"decision": "accept_plan"}, headers=second
        )
    )
    closed = await step(service, audit_id, lead, "close")
    assert closed["status"] == "closed"
    changes = await events(service, "finding.status_changed.v1")
    assert [(c["finding_id"], c["previous_status"], c["status"]) for c in changes] == [
        (major["id"], "open", "response_submitted"),
        (major["id"], "response_submitted", "open"),  # sent back
        (major["id"], "open", "response_submitted"),
        (major["id"], "response_submitted", "verified_closed"),
        (minor["id"], "open", "response_submitted"),
        (minor["id"], "response_submitted", "plan_accepted"),
    ]
    assert {(c["audit_id"], c["organisation_id"], c["scheme"]) for c in changes} == {
        (audit_id, service.organisations["a"].id, "CAP_ISO9001")
    }
    assert [c["type"] for c in changes] == ["major_nc"] * 4 + ["minor_nc"] * 2
    due = {f["finding_id"]: f["response_due"] for f in report["findings"]}
    assert due[major["id"]] is not None
    assert [c["response_due"] for c in changes] == [due[c["finding_id"]] for c in changes]

    # Closing recorded who audited, for the history: it bars nobody (ISO/IEC 17021-1 §5.2.11
    # is about consultancy), so the stage 1 team audits stage 2, as bodies staff it.
    recorded = ok(
        await service.client.get(
            f"/v1/auditors/{people['lead']['id']}/engagements", headers=service.admin
        )
    )["data"]
    assert [(e["kind"], e["audit_id"], e["role"]) for e in recorded] == [
        ("audited", audit_id, "lead")
    ]
    stage2 = ok(
        await service.client.post(
            f"/v1/audit-programmes/{programme['id']}/audits",
            json={"type": "stage2"},
            headers=service.admin,
        ),
        201,
    )
    await step(service, stage2["id"], body, "accept")
    again = ok(
        await service.client.put(
            f"/v1/audits/{stage2['id']}/plan",
            json={**plan, "start_date": "2027-03-01", "end_date": "2027-03-02"},
            headers=await if_match(service.client, f"/v1/audits/{stage2['id']}", body),
        )
    )
    assert [(m["name"], m["role"]) for m in again["team"]] == [
        ("Auditeur lead", "lead"),
        ("Auditeur second", "auditor"),
    ]


async def test_rules_refuse_out_of_order_and_unqualified_or_foreign_teams(service: Service) -> None:
    people = await setup_body(service)
    programme = await accepted(service)
    early = await service.client.post(
        f"/v1/audit-programmes/{programme['id']}/audits",
        json={"type": "stage2"},
        headers=service.admin,
    )
    assert early.status_code == 409
    surveillance = await service.client.post(
        f"/v1/audit-programmes/{programme['id']}/audits",
        json={"type": "surveillance"},
        headers=service.admin,
    )
    assert surveillance.status_code == 409
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    plan = {
        "start_date": "2027-01-11",
        "end_date": "2027-01-12",
        "plan": "Plan",
        "team": team(people, ("unqualified", "lead")),
    }
    not_yet = await service.client.put(
        f"/v1/audits/{audit_id}/plan",
        json=plan,
        headers=await if_match(service.client, f"/v1/audits/{audit_id}", service.body()),
    )
    assert not_yet.status_code == 409  # accept first
    await step(service, audit_id, service.body(), "accept")
    unqualified = await service.client.put(
        f"/v1/audits/{audit_id}/plan",
        json=plan,
        headers=await if_match(service.client, f"/v1/audits/{audit_id}", service.body()),
    )
    assert unqualified.status_code == 422
    assert unqualified.json()["type"].endswith("auditor-not-qualified")
    ok(
        await service.client.post(
            f"/v1/auditors/{people['lead']['id']}/engagements",
            json={
                "organisation_id": service.organisations["a"].id,
                "kind": "consultancy",
                "on": "2026-02-01",
            },
            headers=service.admin,
        ),
        201,
    )
    advised = await service.client.put(
        f"/v1/audits/{audit_id}/plan",
        json={**plan, "team": team(people, ("lead", "lead"))},
        headers=await if_match(service.client, f"/v1/audits/{audit_id}", service.body()),
    )
    assert advised.status_code == 409
    assert advised.json()["rule"].startswith("ISO/IEC 17021-1 §5.2.11")
    two_leads = await service.client.put(
        f"/v1/audits/{audit_id}/plan",
        json={**plan, "team": team(people, ("second", "lead"), ("unqualified", "lead"))},
        headers=await if_match(service.client, f"/v1/audits/{audit_id}", service.body()),
    )
    assert two_leads.status_code == 422
    other_body = await service.client.put(
        f"/v1/audits/{audit_id}/plan",
        json={**plan, "team": team(people, ("second", "lead"))},
        headers=service.body("bureau-veritas"),
    )
    assert other_body.status_code == 404
    read_only = await service.client.put(
        f"/v1/audits/{audit_id}/plan",
        json={**plan, "team": team(people, ("second", "lead"))},
        headers=service.body(scope="audits:read"),
    )
    assert read_only.status_code == 403
    audit = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))
    assert (audit["status"], audit["team"]) == ("accepted", [])  # nothing half-applied


async def test_who_sees_an_audit(service: Service) -> None:
    people = await setup_body(service)
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    url = f"/v1/audits/{audit_id}"
    for allowed in (
        service.admin,
        service.member(),
        service.body(),
        service.headers({"role": "facilitator", "region": "76"}),
        service.headers({"role": "committee"}),
    ):
        assert (await service.client.get(url, headers=allowed)).status_code == 200
    for denied in (
        service.member("b"),
        service.body("bureau-veritas"),
        service.auditor(people["lead"]["user_id"]),
        service.headers({"role": "facilitator", "region": "11"}),
    ):
        assert (await service.client.get(url, headers=denied)).status_code == 404
        listed = ok(await service.client.get("/v1/audits", headers=denied))["data"]
        assert audit_id not in {a["id"] for a in listed}


async def test_a_grant_starts_the_cycle_and_allows_surveillance(service: Service) -> None:
    await setup_body(service)
    programme = await accepted(service)
    event = RecognitionStatusChangedV1(
        recognition_id=str(uuid.uuid4()),
        number="CAP-ISO-2027-001",
        organisation_id=service.organisations["a"].id,
        scheme="CAP_ISO9001",
        status="active",
        effective_date=date(2027, 6, 1),
        expiry_date=date(2030, 5, 31),
        changed_at=datetime(2027, 6, 1, tzinfo=UTC),
    )
    async with service.runtime.db.session() as session:
        await on_recognition_changed(session, new_event(event, source="/cap/labelling"), event)
    updated = ok(
        await service.client.get(
            f"/v1/audit-programmes/{programme['id']}", headers=service.member()
        )
    )
    assert updated["decided_on"] == "2027-06-01"
    assert [i["type"] for i in updated["schedule"]] == [
        "stage1",
        "stage2",
        "surveillance",
        "surveillance",
        "renewal",
    ]
    assert updated["schedule"][2]["due_by"] == "2028-06-01"
    ok(
        await service.client.post(
            f"/v1/audit-programmes/{programme['id']}/audits",
            json={"type": "surveillance"},
            headers=service.admin,
        ),
        201,
    )


async def test_maturity_for_rse_and_nc_reminders_then_escalation_once(service: Service) -> None:
    people = await setup_body(service)
    await accepted(service, scheme="CAP_RSE")
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    lead = service.auditor(people["lead"]["user_id"])
    await accept_and_plan(service, audit_id, people)
    await step(service, audit_id, lead, "start")
    ok(
        await service.client.put(
            f"/v1/audits/{audit_id}/maturity",
            json={
                "levels": [
                    {"criterion_urn": "urn:coorace:referentiel:cap-rse:critere:r8", "level": 1}
                ]
            },
            headers=lead,
        )
    )
    # The checklist reads back what was evaluated; the audited structure may read it, another
    # structure may not.
    urn = "urn:coorace:referentiel:cap-rse:critere:r8"
    kept = {"criterion_urn": urn, "site_id": None, "level": 1, "not_applicable": False}
    for reader in (lead, service.member()):
        read = ok(await service.client.get(f"/v1/audits/{audit_id}/maturity", headers=reader))
        assert read == {"audit_id": audit_id, "levels": [{**kept, "comment": None}]}
    other = await service.client.get(f"/v1/audits/{audit_id}/maturity", headers=service.member("b"))
    assert other.status_code in (403, 404)
    ok(
        await service.client.post(
            f"/v1/audits/{audit_id}/findings",
            json={
                "type": "major_nc",
                "title": "Document unique absent",
                "criterion_urn": "urn:coorace:referentiel:cap-rse:critere:r8",
            },
            headers=lead,
        ),
        201,
    )
    service.runtime.clock.advance(timedelta(days=0))
    await step(service, audit_id, lead, "submit_report", summary="Évaluation initiale.")
    (report,) = await events(service, "audit.report_submitted.v1")
    assert report["evaluated_maturity"] == [
        {
            "criterion_urn": "urn:coorace:referentiel:cap-rse:critere:r8",
            "level": 1,
            "not_applicable": False,
            "site_id": None,
        }
    ]
    due = date.fromisoformat(report["findings"][0]["response_due"])
    assert due == service.runtime.clock.today() + timedelta(days=90)
    async with service.runtime.db.session() as session:
        assert await nc_deadlines(session, due - timedelta(days=30), reminder_days=15) == 0
        assert await nc_deadlines(session, due - timedelta(days=10), reminder_days=15) == 1
        assert await nc_deadlines(session, due - timedelta(days=5), reminder_days=15) == 0  # once
        assert await nc_deadlines(session, due + timedelta(days=1), reminder_days=15) == 1
        assert await nc_deadlines(session, due + timedelta(days=8), reminder_days=15) == 0
    notices = await events(service, "finding.response_due.v1")
    assert [(n["stage"], n["days"]) for n in notices] == [("reminder", 10), ("overdue", 1)]


async def test_the_signed_report_document_is_kept_and_served(service: Service) -> None:
    people = await setup_body(service)
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    lead = service.auditor(people["lead"]["user_id"])
    await accept_and_plan(service, audit_id, people)
    too_early = await service.client.put(
        f"/v1/audits/{audit_id}/report-document",
        files={"file": ("r.pdf", b"%PDF-1.7\n", "application/pdf")},
        headers=lead,
    )
    assert too_early.status_code == 409
    await step(service, audit_id, lead, "start")
    not_pdf = await service.client.put(
        f"/v1/audits/{audit_id}/report-document",
        files={"file": ("r.pdf", b"<html>", "application/pdf")},
        headers=lead,
    )
    assert not_pdf.status_code == 415
    pdf = b"%PDF-1.7\n% rapport signe\n" + b"0" * 1000
    attached = ok(
        await service.client.put(
            f"/v1/audits/{audit_id}/report-document",
            files={"file": ("rapport.pdf", pdf, "application/pdf")},
            headers=lead,
        )
    )
    import hashlib

    assert attached["report_document"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    downloaded = await service.client.get(
        f"/v1/audits/{audit_id}/report-document", headers=service.member()
    )
    assert (downloaded.status_code, downloaded.content) == (200, pdf)
    outsider = await service.client.get(
        f"/v1/audits/{audit_id}/report-document", headers=service.member("b")
    )
    assert outsider.status_code == 404


async def test_the_request_names_the_body_s_planners_only(service: Service) -> None:
    """Issue 15 item 10: who at the body hears of a request is the body's planners (auditors it
    designates, with a platform account, active), not every auditor; the event names them."""
    people = await setup_body(service)
    ok(
        await service.client.post(
            "/v1/certification-bodies",
            json={"id": "bureau-veritas", "name": "Bureau Veritas", "schemes": ["CAP_RSE"]},
            headers=service.admin,
        ),
        201,
    )

    async def auditor(body_id: str, **fields: object) -> dict:
        return ok(
            await service.client.post(
                "/v1/auditors",
                json={"certification_body_id": body_id, "name": "Planificatrice", **fields},
                headers=service.admin,
            ),
            201,
        )

    planner = await auditor("sgs-tuv", user_id=str(uuid.uuid4()), planner=True)
    assert planner["planner"] is True
    assert people["lead"]["planner"] is False  # the default
    await auditor("sgs-tuv", planner=True)  # no platform account: nobody to tell
    former = await auditor("sgs-tuv", user_id=str(uuid.uuid4()), planner=True)
    ok(
        await service.client.patch(
            f"/v1/auditors/{former['id']}", json={"active": False}, headers=service.admin
        )
    )
    await auditor("bureau-veritas", user_id=str(uuid.uuid4()), planner=True)  # another body's
    promoted = ok(
        await service.client.patch(
            f"/v1/auditors/{people['second']['id']}", json={"planner": True}, headers=service.admin
        )
    )
    assert promoted["planner"] is True
    refused = await service.client.patch(
        f"/v1/auditors/{people['lead']['id']}", json={"planner": None}, headers=service.admin
    )
    assert refused.status_code == 422
    await accepted(service)
    (requested,) = await events(service, "audit.requested.v1")
    assert requested["planner_user_ids"] == sorted(
        [planner["user_id"], people["second"]["user_id"]]
    )


async def test_an_audit_plan_is_written_on_the_copy_read(service: Service) -> None:
    """Audit plans have concurrent editors: If-Match is required (428), a stale one is 412, the
    answer's ETag is the GET's and serves the next write; If-None-Match gets 304."""
    people = await setup_body(service)
    await accepted(service)
    (requested,) = await events(service, "audit.requested.v1")
    url = f"/v1/audits/{requested['audit_id']}"
    body = service.body()
    await step(service, requested["audit_id"], body, "accept")
    read = await service.client.get(url, headers=body)
    tag = read.headers["etag"]
    assert (
        await service.client.get(url, headers={**body, "If-None-Match": tag})
    ).status_code == 304
    plan = {
        "start_date": "2027-01-11",
        "end_date": "2027-01-11",
        "plan": "Évaluation",
        "team": team(people, ("lead", "lead")),
    }
    missing = await service.client.put(url + "/plan", json=plan, headers=body)
    assert missing.status_code == 428
    assert missing.json()["type"].endswith("/precondition-required")
    planned = await service.client.put(url + "/plan", json=plan, headers={**body, "If-Match": tag})
    assert planned.status_code == 200, planned.text
    new = planned.headers["etag"]
    assert new != tag
    assert (await service.client.get(url, headers=service.admin)).headers["etag"] == new
    stale = await service.client.put(
        url + "/plan", json={**plan, "plan": "Autre"}, headers={**body, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == new
    assert (await service.client.get(url, headers=body)).json()["plan"] == "Évaluation"
    assert (
        await service.client.get(url, headers={**body, "If-None-Match": tag})
    ).status_code == 200
    replanned = await service.client.put(
        url + "/plan", json={**plan, "plan": "Jour 1"}, headers={**body, "If-Match": new}
    )
    assert replanned.status_code == 200, replanned.text
    assert replanned.json()["plan"] == "Jour 1"


async def test_bodies_and_auditors_take_if_match(service: Service) -> None:
    people = await setup_body(service)
    url = f"/v1/auditors/{people['lead']['id']}"
    listed = ok(await service.client.get("/v1/auditors", headers=service.admin))["data"]
    lead = next(a for a in listed if a["id"] == people["lead"]["id"])
    tag = etag_of(lead)
    renamed = await service.client.patch(
        url, json={"name": "Auditrice lead"}, headers={**service.admin, "If-Match": tag}
    )
    assert renamed.status_code == 200, renamed.text
    again = await service.client.patch(
        url, json={"name": "Autre"}, headers={**service.admin, "If-Match": tag}
    )
    assert again.status_code == 412
    assert again.json()["current_etag"] == renamed.headers["etag"]
    assert (
        await service.client.patch(url, json={"name": "Autre"}, headers=service.admin)
    ).status_code == 200  # optional here
    created = await service.client.post(
        "/v1/certification-bodies",
        json={"id": "afnor", "name": "AFNOR", "schemes": ["CAP_RSE"]},
        headers=service.admin,
    )
    body_tag = created.headers["etag"]
    changed = await service.client.patch(
        "/v1/certification-bodies/afnor",
        json={"name": "AFNOR Certification"},
        headers={**service.admin, "If-Match": body_tag},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == etag_of(changed.json())
    stale = await service.client.patch(
        "/v1/certification-bodies/afnor",
        json={"name": "AFNOR"},
        headers={**service.admin, "If-Match": body_tag},
    )
    assert stale.status_code == 412


async def test_the_lead_auditor_replans_the_dates_and_plan_not_the_team(service: Service) -> None:
    people = await setup_body(service)
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    lead = service.auditor(people["lead"]["user_id"])
    second = service.auditor(people["second"]["user_id"])
    url = f"/v1/audits/{audit_id}"
    first_plan = {
        "start_date": "2027-01-11",
        "end_date": "2027-01-11",
        "plan": "Évaluation",
        "team": team(people, ("lead", "lead")),
    }
    # before the body planned it, the auditor may not
    early = await service.client.put(
        f"{url}/plan", json=first_plan, headers={**lead, "if-match": '"x"'}
    )
    assert early.status_code in (403, 404)
    await accept_and_plan(service, audit_id, people)

    moved = {
        **first_plan,
        "start_date": "2027-01-18",
        "end_date": "2027-01-19",
        "plan": "Deux jours",
    }
    replanned = ok(
        await service.client.put(
            f"{url}/plan", json=moved, headers=await if_match(service.client, url, lead)
        )
    )
    assert (replanned["start_date"], replanned["plan"], replanned["status"]) == (
        "2027-01-18",
        "Deux jours",
        "planned",
    )
    for headers, body in (
        (lead, {**moved, "team": team(people, ("lead", "lead"), ("second", "auditor"))}),
    ):
        refused = await service.client.put(
            f"{url}/plan", json=body, headers=await if_match(service.client, url, headers)
        )
        assert refused.status_code == 403, refused.text
        assert "the body chooses the team" in refused.json()["detail"]
    # an auditor not on the team does not even see the audit
    outsider = await service.client.put(
        f"{url}/plan", json=moved, headers={**second, "if-match": '"x"'}
    )
    assert outsider.status_code in (403, 404)
    held = ok(await service.client.get(url, headers=service.admin))
    assert [(t["auditor_id"], t["role"]) for t in held["team"]] == [(people["lead"]["id"], "lead")]
