"""The CAP ISO 9001 journey, end to end, through the gateway only, in both topologies: people
call it as the web front-end does (bearer tokens), the certification body's system as a body's
system does (the simulator on a real port, signed webhooks, and its API client's tokens).

An administrator registers a structure, its member_admin, the body (SGS TÜV), two of its
auditors, the body's webhook secret, API client and system; the structure completes a CAP
diagnostic (eligibility) and applies for CAP ISO 9001 with the body; the application is accepted,
the programme opens and the stage 1 request reaches the body's system, which accepts, plans and
starts it (signed webhooks); its system submits the report and closes stage 1 (API client).
Stage 2 is requested and reaches the body, which plans and runs it with another auditor, records
a minor nonconformity and submits the report; the structure answers, the body accepts the plan
and closes. A decision whose maker sat on the stage 2 team is refused (422) and changes nothing;
the body's committee then sends its decision (signed ``certification.decided``); the labelling
service records it and grants the certificate with the body's number; anyone verifies it in the
public registry, by number and by code, and downloads the certificate; the member_admin was told
each step once in the in-app feed; the programme's certification cycle starts.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from standardwebhooks.webhooks import Webhook

from cap_audit.certifier import connector
from cap_shared.clock import wall_now
from cap_shared.testing.siret import make_siret
from cap_standalone.testing import Overrides, Topology

from .steps import (
    BodySystem,
    Person,
    body_system,
    eventually,
    known_to_notifications,
    ok,
    person,
    run_job,
)

BODY = "sgs-tuv"
REGION = "76"  # Occitanie
HOLDER = "Atelier Qualité du Lauragais"
DECLARATION = (
    "Je déclare n'avoir ni conseillé ni audité cette structure au cours des deux dernières années."
)


@pytest.fixture
def topology_settings() -> Overrides:
    """The body's system runs on this machine (private addresses allowed: development only); the
    platform's public URL (the gateway's) is given to the body as its callback."""
    return {"audit": {"body_allow_private": True}}


def signed(secret: str, kind: str, **data: Any) -> tuple[bytes, dict[str, str]]:
    """A webhook of the body's system, signed the Standard Webhooks way."""
    moment = wall_now()
    raw = json.dumps({"type": kind, "timestamp": moment.isoformat(), "data": data})
    webhook_id = f"msg_{uuid.uuid4().hex}"
    return raw.encode(), {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, moment, raw),
        "content-type": "application/json",
    }


async def reaches_the_body(
    topology: Topology, admin: dict[str, str], body: BodySystem, audit_id: str
) -> dict[str, Any]:
    """The audit request is delivered to the body's system (the audit worker's
    ``body-deliveries`` job, run now); what the body's system received."""

    async def delivered() -> dict[str, Any] | None:
        await run_job(topology, "audit", "body-deliveries")
        log = ok(
            await topology.client.get(f"/v1/certification-bodies/{BODY}/deliveries", headers=admin)
        )
        return next(
            (d for d in log if d["audit_id"] == audit_id and d["status"] == "delivered"), None
        )

    delivery = await eventually(delivered, what=f"the request of audit {audit_id} delivered")
    assert delivery["attempts"] == 1, delivery
    request = body.simulator.requests[audit_id]
    assert request.reference == delivery["reference"]
    return dict(request.payload)


async def decide(body: BodySystem, **decision: Any) -> dict[str, Any]:
    """The body's certification committee decides (``POST /control/decision`` over HTTP): its
    system sends the signed ``certification.decided`` webhook; whether it was accepted."""
    async with httpx.AsyncClient(base_url=body.base) as control:
        return dict(ok(await control.post("/control/decision", json=decision)))


async def audit_status(
    client: httpx.AsyncClient, headers: dict[str, str], audit_id: str, status: str
) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        audit = ok(await client.get(f"/v1/audits/{audit_id}", headers=headers))
        return audit if audit["status"] == status else None

    return await eventually(reached, what=f"audit {audit_id} {status}")


async def step(
    client: httpx.AsyncClient, headers: dict[str, str], audit_id: str, name: str, **extra: Any
) -> dict[str, Any]:
    return dict(
        ok(
            await client.post(
                f"/v1/audits/{audit_id}/transitions", json={"step": name, **extra}, headers=headers
            )
        )
    )


async def complete_cap_diagnostic(
    client: httpx.AsyncClient, member: Person, organisation_id: str
) -> dict[str, Any]:
    """The structure rates every criterion of the CAP referential and completes it."""

    async def opened() -> dict[str, Any] | None:
        answer = await client.post(
            "/v1/diagnostics",
            json={"organisation_id": organisation_id, "kind": "self_assessment"},
            headers=member.headers,
        )
        if answer.status_code == 422:  # the structure has not reached the diagnostic service
            assert answer.json()["type"].endswith("/unknown-organisation"), answer.text
            return None
        return dict(ok(answer, 201))

    diagnostic = await eventually(opened, what="the structure known to the diagnostic service")
    url = f"/v1/diagnostics/{diagnostic['id']}"
    ok(await client.post(f"{url}/transitions", json={"action": "start"}, headers=member.headers))
    referential = ok(await client.get("/v1/referentials/CAP/versions/1", headers=member.headers))
    answers = [
        {"id": str(uuid.uuid4()), "criterion": c["urn"], "level": 3}
        for theme in referential["themes"]
        for c in theme["criteria"]
    ]
    ok(await client.put(f"{url}/answers", json={"answers": answers}, headers=member.headers))
    completed = ok(
        await client.post(f"{url}/transitions", json={"action": "complete"}, headers=member.headers)
    )
    assert completed["status"] == "rated", completed
    return dict(completed)


async def test_cap_iso9001_journey(topology: Topology) -> None:
    started = time.monotonic()
    client, admin = topology.client, topology.admin
    today = await topology.today("audit")
    qualified = [
        {
            "scheme": "CAP_ISO9001",
            "valid_from": (today - timedelta(days=365)).isoformat(),
            "valid_until": (today + timedelta(days=3 * 365)).isoformat(),
        }
    ]

    # 1. The administrator registers the structure, its people, the body and its system. -------
    organisation = ok(
        await client.post(
            "/v1/organisations",
            json={
                "siret": make_siret(9001),
                "name": HOLDER,
                "siae_types": ["ACI"],
                "region": REGION,
                "delegation": "Coorace Occitanie",
            },
            headers=admin,
        ),
        201,
    )
    org = organisation["id"]
    member_admin = await person(topology, role="member_admin", name="lea", organisation_id=org)
    claire = await person(topology, role="auditor", name="claire", certification_body_id=BODY)
    marc = await person(topology, role="auditor", name="marc", certification_body_id=BODY)
    await known_to_notifications(topology, member_admin, claire, marc)
    ok(
        await client.post(
            "/v1/certification-bodies",
            json={
                "id": BODY,
                "name": "SGS TÜV Saar",
                "accreditation": "COFRAC Certification de systèmes de management n° 4-0608",
                "schemes": ["CAP_ISO9001"],
            },
            headers=admin,
        ),
        201,
    )
    auditors: dict[str, dict[str, Any]] = {}
    for key, someone, name in ((1, claire, "Claire Auditrice"), (2, marc, "Marc Auditeur")):
        auditors[f"stage{key}"] = ok(
            await client.post(
                "/v1/auditors",
                json={
                    "certification_body_id": BODY,
                    "name": name,
                    "email": someone.email,
                    "user_id": someone.id,
                    "qualifications": qualified,
                },
                headers=admin,
            ),
            201,
        )
    secret = ok(
        await client.post(f"/v1/certification-bodies/{BODY}/webhook-secrets", headers=admin), 201
    )["secret"]
    api_client = ok(
        await client.post(
            "/v1/api-clients",
            json={
                "name": "SGS TÜV — système d'audit",
                "certification_body_id": BODY,
                "scopes": ["audits:read", "audits:write"],
            },
            headers=admin,
        ),
        201,
    )
    token = ok(
        await client.post(
            "/v1/auth/token",
            data={"grant_type": "client_credentials"},
            auth=(api_client["client_id"], api_client["client_secret"]),
        )
    )
    body_api = {"Authorization": f"Bearer {token['access_token']}"}

    # The audit service's circuit breakers are per process: one left open for this body by an
    # earlier test of this worker must not hold the journey's requests back.
    connector.BREAKERS.for_key(BODY).success()
    async with body_system(
        topology, webhook_secret=secret, auditor_id=auditors["stage1"]["id"]
    ) as body:
        # The body's system accepts, plans and starts stage 1; its people carry on through its
        # API client.
        await body.control(stop_after="audit.started")
        connection = ok(
            await client.put(
                f"/v1/certification-bodies/{BODY}/connection", json=body.connection, headers=admin
            )
        )
        assert connection["callback_url"] == f"{topology.public_url}/v1/certifier/webhooks/{BODY}"

        # 2. The structure completes a CAP diagnostic and applies for CAP ISO 9001. ------------
        diagnostic = await complete_cap_diagnostic(client, member_admin, org)
        application_in = {
            "organisation_id": org,
            "scheme": "CAP_ISO9001",
            "certification_body_id": BODY,
            "motivation": "Structurer notre démarche qualité et la faire reconnaître.",
        }

        async def applied() -> dict[str, Any] | None:
            answer = await client.post(
                "/v1/applications", json=application_in, headers=member_admin.headers
            )
            if answer.status_code == 422:  # the completion has not reached the labelling yet
                assert answer.json()["type"].endswith("/not-eligible"), answer.text
                return None
            return dict(ok(answer, 201))

        application = await eventually(applied, what="the structure eligible")
        assert application["status"] == "submitted"
        assert application["eligibility"][org]["diagnostic_id"] == diagnostic["id"]
        accepted = ok(
            await client.post(
                f"/v1/applications/{application['id']}/transitions",
                json={"step": "accept"},
                headers=admin,
            )
        )
        assert accepted["status"] == "accepted"

        # 3. The programme opens; the stage 1 request reaches the body's system. ----------------
        async def programmes() -> list[dict[str, Any]]:
            return list(ok(await client.get("/v1/audit-programmes", headers=member_admin.headers)))

        (programme,) = await eventually(programmes, what="the audit programme opened")
        assert (
            programme["scheme"],
            programme["application_id"],
            programme["certification_body_id"],
        ) == ("CAP_ISO9001", application["id"], BODY)
        assert [(i["type"], i["status"]) for i in programme["schedule"]] == [
            ("stage1", "in_progress"),
            ("stage2", "due"),
        ]
        stage1 = programme["schedule"][0]["audit_id"]
        request = await reaches_the_body(topology, admin, body, stage1)
        assert (
            request["scheme"],
            request["audit_type"],
            request["due_by"],
            request["organisation"]["name"],
            request["callback_url"],
        ) == (
            "CAP_ISO9001",
            "stage1",
            programme["schedule"][0]["due_by"],
            HOLDER,
            connection["callback_url"],
        )

        # 4. Stage 1: the body's system accepts, plans, starts (its signed webhooks), then its
        # API client submits the report and closes. ---------------------------------------------
        running = await audit_status(client, member_admin.headers, stage1, "in_progress")
        assert [(m["name"], m["role"]) for m in running["team"]] == [("Claire Auditrice", "lead")]
        assert [a["id"] for a in ok(await client.get("/v1/audits", headers=body_api))] == [stage1]
        await body.control(paused=True)  # from now on the body's people act through the API
        reported = await step(
            client,
            body_api,
            stage1,
            "submit_report",
            summary="Système documenté, revue de direction tenue : prêt pour l'étape 2.",
        )
        assert (reported["status"], reported["findings"]) == ("report_submitted", {})
        assert (await step(client, body_api, stage1, "close"))["status"] == "closed"

        # 5. Stage 2: requested, delivered, planned with another auditor, a minor NC, report. ---
        stage2 = ok(
            await client.post(
                f"/v1/audit-programmes/{programme['id']}/audits",
                json={"type": "stage2"},
                headers=admin,
            ),
            201,
        )["id"]
        expected_stage2 = ok(
            await client.get(
                f"/v1/audit-programmes/{programme['id']}", headers=member_admin.headers
            )
        )["schedule"][1]
        assert (expected_stage2["audit_id"], expected_stage2["due_by"]) == (
            stage2,
            (today + timedelta(days=90)).isoformat(),  # 90 days after the closed stage 1
        )
        request = await reaches_the_body(topology, admin, body, stage2)
        assert (request["audit_type"], request["due_by"]) == ("stage2", expected_stage2["due_by"])
        await step(client, body_api, stage2, "accept")
        planned = ok(
            await client.put(
                f"/v1/audits/{stage2}/plan",
                json={
                    "start_date": today.isoformat(),
                    "end_date": today.isoformat(),
                    "plan": "Étape 2 : entretiens, visite des chantiers, revue des indicateurs.",
                    "team": [
                        {
                            "auditor_id": auditors["stage2"]["id"],
                            "role": "lead",
                            "declaration": DECLARATION,
                        }
                    ],
                },
                headers=body_api,
            )
        )
        assert (planned["status"], planned["due_by"]) == ("planned", expected_stage2["due_by"])
        await step(client, body_api, stage2, "start")
        nc = ok(
            await client.post(
                f"/v1/audits/{stage2}/findings",
                json={
                    "type": "minor_nc",
                    "title": "Indicateurs de satisfaction non suivis",
                    "description": "Les indicateurs de satisfaction ne sont pas revus chaque mois.",
                    "clause": "9.1.3",
                },
                headers=body_api,
            ),
            201,
        )
        reported = await step(
            client, body_api, stage2, "submit_report", summary="Une non-conformité mineure (9.1.3)."
        )
        assert (reported["status"], reported["findings"]) == ("report_submitted", {"minor_nc": 1})

        # 6. The structure answers; the body accepts the plan and closes stage 2. ---------------
        answered = ok(
            await client.post(
                f"/v1/findings/{nc['id']}/response",
                json={
                    "root_cause": "Personne n'était chargé du suivi des indicateurs.",
                    "correction": "Indicateurs du trimestre revus en réunion d'équipe.",
                    "corrective_action": "Revue mensuelle des indicateurs en comité de direction.",
                    "action_due": (today + timedelta(days=60)).isoformat(),
                },
                headers=member_admin.headers,
            )
        )
        assert answered["status"] == "response_submitted"
        reviewed = ok(
            await client.post(
                f"/v1/findings/{nc['id']}/review",
                json={"decision": "accept_plan", "comment": "Plan d'actions adapté."},
                headers=body_api,
            )
        )
        assert reviewed["status"] == "plan_accepted"
        assert (await step(client, body_api, stage2, "close"))["status"] == "closed"

        # The stage 2 report opened the decision file: the body decides, the file waits.
        async def pending_file() -> dict[str, Any] | None:
            files = ok(await client.get("/v1/decisions?status=pending", headers=admin))
            return next((f for f in files if f["audit_id"] == stage2), None)

        file = await eventually(pending_file, what="the decision file pending")
        assert (file["scheme"], file["application_id"], file["organisation_id"]) == (
            "CAP_ISO9001",
            application["id"],
            org,
        )

        # 7. Impartiality: nobody of the stage 2 team decides, and a refused decision changes
        # nothing. ------------------------------------------------------------------------------
        certificate_number = f"SGS-FR-{today.year}-{uuid.uuid4().int % 10_000:04d}"
        scope = "Insertion par l'activité économique : chantiers d'insertion (espaces verts)"
        decision_data = {
            "outcome": "granted",
            "decided_on": today.isoformat(),
            "certificate_number": certificate_number,
            "scope": scope,
        }
        by_committee = await decide(  # the simulator's committee, an auditor's id given
            body, audit_id=stage2, decided_by=auditors["stage2"]["id"], **decision_data
        )
        assert (by_committee["delivered"], by_committee["status"]) == (False, 422)
        for decided_by in (marc.id, "  marc AUDITEUR "):  # their account, their name
            raw, headers = signed(
                secret,
                "certification.decided",
                audit_id=stage2,
                decided_by=decided_by,
                **decision_data,
            )
            refused = await client.post(
                f"/v1/certifier/webhooks/{BODY}", content=raw, headers=headers
            )
            assert refused.status_code == 422, refused.text
            assert refused.json()["type"].endswith("/not-impartial")
        assert ok(await client.get(f"/v1/audits/{stage2}", headers=admin))["decision"] is None
        assert ok(await client.get(f"/v1/decisions/{file['id']}", headers=admin))["status"] == (
            "pending"
        )
        assert ok(await client.get(f"/v1/recognitions?organisation_id={org}", headers=admin)) == []

        # 8. The body's committee decides: a signed certification.decided webhook. --------------
        granted = await decide(
            body, audit_id=stage2, decided_by="Comité de certification SGS", **decision_data
        )
        assert (granted["delivered"], granted["status"]) == (True, 200)
        decision = ok(await client.get(f"/v1/audits/{stage2}", headers=member_admin.headers))[
            "decision"
        ]
        assert (decision["outcome"], decision["certificate_number"], decision["decided_by"]) == (
            "granted",
            certificate_number,
            "Comité de certification SGS",
        )

    # 9. The labelling service records it: the certificate, with the body's number. ------------
    async def certificates() -> list[dict[str, Any]]:
        return list(
            ok(
                await client.get(
                    f"/v1/recognitions?organisation_id={org}", headers=member_admin.headers
                )
            )
        )

    (certificate,) = await eventually(certificates, what="the certificate granted")
    assert (
        certificate["scheme"],
        certificate["status"],
        certificate["certification_body_id"],
        certificate["external_number"],
        certificate["scope"],
        certificate["level"],
        certificate["decided_on"],
        certificate["effective_date"],
    ) == (
        "CAP_ISO9001",
        "active",
        BODY,
        certificate_number,
        scope,
        None,
        today.isoformat(),
        today.isoformat(),
    )
    assert certificate["number"].startswith(f"CAPISO-{today.year}-")
    assert date.fromisoformat(certificate["expiry_date"]).year == today.year + 3
    decided = ok(await client.get(f"/v1/decisions/{file['id']}", headers=admin))
    assert (decided["status"], decided["recognition_id"], decided["decided_by"]) == (
        "granted",
        certificate["id"],
        f"{BODY}:Comité de certification SGS",
    )

    # The grant reaches the audit programme: its certification cycle starts.
    async def cycle_started() -> dict[str, Any] | None:
        current = ok(
            await client.get(
                f"/v1/audit-programmes/{programme['id']}", headers=member_admin.headers
            )
        )
        return current if current["decided_on"] else None

    programme = await eventually(cycle_started, what="the programme's cycle started")
    assert programme["decided_on"] == today.isoformat()
    assert [(i["type"], i["status"]) for i in programme["schedule"]][:3] == [
        ("stage1", "done"),
        ("stage2", "done"),
        ("surveillance", "due"),
    ]
    assert programme["schedule"][-1]["type"] == "renewal"

    # 10. Anyone verifies it in the public registry, by number and by code; the certificate. ---
    number = certificate["number"]
    by_number = ok(await client.get(f"/v1/registry/recognitions/{number}"))
    assert (
        by_number["scheme"],
        by_number["status"],
        by_number["certification_body_id"],
        by_number["external_number"],
        by_number["holder"]["name"],
        by_number["holder"]["region"],
        [c["reason_code"] for c in by_number["history"]],
    ) == ("CAP_ISO9001", "active", BODY, certificate_number, HOLDER, REGION, ["granted"])
    by_code = ok(await client.get(f"/v1/registry/verify/{certificate['verification_code']}"))
    assert by_code == by_number
    assert organisation["siret"] not in json.dumps(by_code)
    assert org not in json.dumps(by_code)
    found = ok(await client.get(f"/v1/registry/recognitions?scheme=CAP_ISO9001&region={REGION}"))
    assert [e["number"] for e in found["items"]] == [number]
    pdf = await client.get(f"/v1/registry/recognitions/{number}/certificate.pdf")
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert number in text
    assert certificate_number in text

    # 11. The member_admin was told each step once, in the in-app feed. ------------------------
    told = Counter(
        {
            "diagnostic.completed.v1": 1,
            "labelling.application.accepted.v1": 1,
            "audit.requested.v1": 2,
            "audit.planned.v1": 2,
            "audit.report_submitted.v1": 2,
            "recognition.status_changed.v1": 1,
        }
    )

    async def feed() -> Counter[str] | None:
        page = ok(await client.get("/v1/notifications?limit=100", headers=member_admin.headers))
        got = Counter(n["event_type"] for n in page["items"])
        return got if got >= told else None

    assert await eventually(feed, what="the member_admin's feed") == told
    page = ok(await client.get("/v1/notifications?limit=100", headers=member_admin.headers))
    assert {n["organisation_id"] for n in page["items"]} == {org}
    granted_notice = next(
        n for n in page["items"] if n["event_type"] == "recognition.status_changed.v1"
    )
    assert number in granted_notice["body"]

    # 12. A second decision, by a member of the team, changes nothing either. -----------------
    raw, headers = signed(
        secret,
        "certification.decided",
        audit_id=stage2,
        outcome="refused",
        decided_on=today.isoformat(),
        decided_by=auditors["stage2"]["id"],
        reason="Non-conformité non levée.",
    )
    again = await client.post(f"/v1/certifier/webhooks/{BODY}", content=raw, headers=headers)
    assert again.status_code == 409, again.text  # the body decided already
    assert ok(await client.get(f"/v1/audits/{stage2}", headers=admin))["decision"] == decision
    assert ok(await client.get(f"/v1/registry/recognitions/{number}"))["status"] == "active"

    assert time.monotonic() - started < 60
