"""The CAP ISO 9001 journey, end to end, through the gateway only, in both topologies: people
call it as the web front-end does (bearer tokens), the certification body's system as a body's
system does (the simulator on a real port, signed webhooks, and its API client's tokens).

An administrator registers a structure, its member_admin, the body (SGS TÜV), two of its
auditors, the body's webhook secret, API client and system; the structure completes a CAP
diagnostic (eligibility) and applies for CAP ISO 9001 with the body; the application is accepted,
the programme opens and the stage 1 request reaches the body's system, which accepts, plans and
starts it (signed webhooks); its system submits the report and closes stage 1 (API client).

Stage 2 is requested (due 90 days after the closed stage 1) and reaches the body, which plans it
with the stage 1 lead leading again (having audited bars nothing) and a second auditor; it finds
a major and a minor nonconformity. The structure answers both, the body accepts the minor's plan;
the major is answered, not verified, so stage 2 cannot close. A decision whose maker sat on the
stage 2 team is refused (422) and changes nothing. The body's committee refuses the certificate
(signed ``certification.decided``); a second decision cannot replace it (409). Told of it, the
structure's member_admin appeals the refusal (once: a second appeal is 409); an auditor of stage
2 who is also one of the platform's admins may not decide the appeal (409 naming the rule); the
body's system overturns it with the certificate number, but the major is still open: the grant
is **held** (the file shows its open major, no certificate exists, the public registry lists
none, ``decision.held.v1`` reaches the operators, the body and the structure). The body verifies
the major: the held decision takes effect, the certificate is active from the appeal's decision
with the body's number, anyone verifies it in the public registry, by number and by code, and
downloads it; stage 2 closes; the programme's first cycle starts.

The body runs cycle 1's surveillance audits (the stage 2 minor verified at the first one, so it
does not become a major) and the renewal audit; its committee renews the certificate: the
labelling service opens cycle 2 (the previous certificate ``renewed``, the new one counted from
the previous expiry), and the programme is in cycle 2, its surveillances due (not matched with
cycle 1's audits), its renewal due before the real expiry. With the services' clocks moved
(operator routes): a year after the renewal decision nothing is due; 30 days before cycle 2's
first surveillance the structure is reminded of it, the day after it the certificate is
suspended (``surveillance_overdue``) — on cycle-2 dates — the registry shows it and the
programme shows that surveillance overdue; the body runs it late and the certificate is
restored. The member_admin was told each step once in the in-app feed.
"""

from __future__ import annotations

import io
import json
import os
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from standardwebhooks.webhooks import Webhook

from cap_audit.certifier import connector
from cap_shared.clock import wall_now
from cap_shared.contracts import schemes
from cap_shared.dates import add_months
from cap_shared.testing.conditional import as_read
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
    sign_in_again,
)

BODY = "sgs-tuv"
REGION = "76"  # Occitanie
HOLDER = "Atelier Qualité du Lauragais"
DECLARATION = (
    "Je déclare n'avoir apporté à cette structure ni conseil, ni accompagnement, ni formation "
    "au cours des deux dernières années."
)
COMMITTEE = "Comité de certification SGS"
#: The scheme's parameters, the one source the audit and labelling services read too (the
#: packaged files, or those of ``CAP_SCHEME_PARAMETERS_DIR`` as for the platform).
ISO = schemes.load(
    Path(folder) if (folder := os.environ.get("CAP_SCHEME_PARAMETERS_DIR")) else None
)["CAP_ISO9001"]


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


def surveillance_due(cycle_start: date) -> list[date]:
    """A CAP ISO 9001 cycle's surveillance due dates, counted from its start: the first within
    ``first_surveillance_months``, then one per calendar year, none in the expiry year
    (ISO/IEC 17021-1 §9.1.3.3-4)."""
    expiry = add_months(cycle_start, ISO.validity_months)
    first = add_months(cycle_start, ISO.first_surveillance_months)
    dates = [first, *(date(year, 12, 31) for year in range(first.year + 1, expiry.year))]
    return [d for d in dates if d < expiry]


async def reaches_the_body(
    topology: Topology, admin: dict[str, str], body: BodySystem, audit_id: str
) -> dict[str, Any]:
    """The audit request is delivered to the body's system (the audit worker's
    ``body-deliveries`` job, run now); what the body's system received."""

    async def delivered() -> dict[str, Any] | None:
        await run_job(topology, "audit", "body-deliveries")
        log = ok(
            await topology.client.get(f"/v1/certification-bodies/{BODY}/deliveries", headers=admin)
        )["data"]
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


async def body_runs(
    client: httpx.AsyncClient,
    *,
    admin: dict[str, str],
    body_api: dict[str, str],
    programme_id: str,
    audit_type: str,
    on: date,
    team: list[dict[str, str]],
    summary: str,
    on_site: Callable[[str], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """The body runs the programme's next ``audit_type`` audit: an admin requests it from the
    body, whose system accepts, plans it (one day, ``on``, with ``team``), starts it, does
    ``on_site`` (e.g. verifies an earlier finding), submits the report and closes it through
    its API client. The closed audit."""
    requested = ok(
        await client.post(
            f"/v1/audit-programmes/{programme_id}/audits",
            json={"type": audit_type},
            headers=admin,
        ),
        201,
    )
    audit_id = requested["id"]
    assert (requested["type"], requested["status"]) == (audit_type, "requested")
    await step(client, body_api, audit_id, "accept")
    planned = ok(
        await client.put(
            f"/v1/audits/{audit_id}/plan",
            json={
                "start_date": on.isoformat(),
                "end_date": on.isoformat(),
                "plan": f"Audit ({audit_type}) : revue de direction, processus, indicateurs.",
                "team": team,
            },
            headers=await as_read(client, f"/v1/audits/{audit_id}", body_api),
        )
    )
    assert planned["status"] == "planned", planned
    await step(client, body_api, audit_id, "start")
    if on_site is not None:
        await on_site(audit_id)
    reported = await step(client, body_api, audit_id, "submit_report", summary=summary)
    assert (reported["status"], reported["findings"]) == ("report_submitted", {}), reported
    closed = await step(client, body_api, audit_id, "close")
    assert closed["status"] == "closed", closed
    return closed


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


async def feed_of(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Someone's in-app feed (the latest 100 notices)."""
    return list(ok(await client.get("/v1/notifications?limit=100", headers=headers))["data"])


async def test_cap_iso9001_journey(topology: Topology) -> None:
    client, admin = topology.client, topology.admin
    today = await topology.today("audit")
    qualified = [
        {
            "scheme": "CAP_ISO9001",
            "valid_from": (today - timedelta(days=365)).isoformat(),
            "valid_until": (today + timedelta(days=7 * 365)).isoformat(),  # through cycle 2
        }
    ]

    # 1. The administrator registers the structure, its people, the body and its system. -----------
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
    for key, someone, name in (
        ("claire", claire, "Claire Auditrice"),
        ("marc", marc, "Marc Auditeur"),
    ):
        auditors[key] = ok(
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
    lead = {"auditor_id": auditors["claire"]["id"], "role": "lead", "declaration": DECLARATION}
    second = {"auditor_id": auditors["marc"]["id"], "role": "auditor", "declaration": DECLARATION}
    secret = ok(
        await client.post(f"/v1/certification-bodies/{BODY}/webhook-secrets", headers=admin), 201
    )["secret"]
    api_client = ok(
        await client.post(
            "/v1/api-clients",
            json={
                "name": "SGS TÜV — système d'audit",
                "certification_body_id": BODY,
                # Its audits, and the appeals against its decisions.
                "scopes": ["audits:read", "audits:write", "certifications:write"],
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
        topology, webhook_secret=secret, auditor_id=auditors["claire"]["id"]
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

        # 2. The structure completes a CAP diagnostic and applies for CAP ISO 9001. ----------------
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

        # 3. The programme opens; the stage 1 request reaches the body's system. -------------------
        async def programmes() -> list[dict[str, Any]]:
            return list(
                ok(await client.get("/v1/audit-programmes", headers=member_admin.headers))["data"]
            )

        (programme,) = await eventually(programmes, what="the audit programme opened")
        programme_url = f"/v1/audit-programmes/{programme['id']}"
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
        # API client submits the report and closes. ------------------------------------------------
        running = await audit_status(client, member_admin.headers, stage1, "in_progress")
        assert [(m["name"], m["role"]) for m in running["team"]] == [("Claire Auditrice", "lead")]
        assert [a["id"] for a in ok(await client.get("/v1/audits", headers=body_api))["data"]] == [
            stage1
        ]
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

        # 5. Stage 2: requested, delivered, led again by the stage 1 lead (having audited bars
        # nothing) with a second auditor; a major and a minor nonconformity; the report. -----------
        stage2 = ok(
            await client.post(f"{programme_url}/audits", json={"type": "stage2"}, headers=admin),
            201,
        )["id"]
        expected_stage2 = ok(await client.get(programme_url, headers=member_admin.headers))[
            "schedule"
        ][1]
        assert (expected_stage2["audit_id"], expected_stage2["due_by"]) == (
            stage2,
            (today + timedelta(days=ISO.stage2_within_days)).isoformat(),  # after stage 1
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
                    "team": [lead, second],
                },
                headers=await as_read(client, f"/v1/audits/{stage2}", body_api),
            )
        )
        assert (planned["status"], planned["due_by"]) == ("planned", expected_stage2["due_by"])
        assert [(m["name"], m["role"]) for m in planned["team"]] == [
            ("Claire Auditrice", "lead"),
            ("Marc Auditeur", "auditor"),
        ]
        await step(client, body_api, stage2, "start")
        major = ok(
            await client.post(
                f"/v1/audits/{stage2}/findings",
                json={
                    "type": "major_nc",
                    "title": "Maîtrise des chantiers non démontrée",
                    "description": "Aucun enregistrement des contrôles de fin de chantier "
                    "depuis six mois.",
                    "clause": "8.5.1",
                },
                headers=body_api,
            ),
            201,
        )
        minor = ok(
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
            client,
            body_api,
            stage2,
            "submit_report",
            summary="Une non-conformité majeure (8.5.1), une mineure (9.1.3).",
        )
        assert (reported["status"], reported["findings"]) == (
            "report_submitted",
            {"major_nc": 1, "minor_nc": 1},
        )

        # 6. The structure answers both; the body accepts the minor's plan. The major is
        # answered, not verified: stage 2 does not close. ------------------------------------------
        for finding, root_cause in (
            (major, "Les contrôles de fin de chantier n'avaient pas de support."),
            (minor, "Personne n'était chargé du suivi des indicateurs."),
        ):
            answered = ok(
                await client.post(
                    f"/v1/findings/{finding['id']}/response",
                    json={
                        "root_cause": root_cause,
                        "correction": "Enregistrements repris pour les chantiers en cours.",
                        "corrective_action": "Revue mensuelle en comité de direction.",
                        "action_due": (today + timedelta(days=60)).isoformat(),
                    },
                    headers=member_admin.headers,
                )
            )
            assert answered["status"] == "response_submitted"
        reviewed = ok(
            await client.post(
                f"/v1/findings/{minor['id']}/review",
                json={"decision": "accept_plan", "comment": "Plan d'actions adapté."},
                headers=body_api,
            )
        )
        assert reviewed["status"] == "plan_accepted"
        not_closed = await client.post(
            f"/v1/audits/{stage2}/transitions", json={"step": "close"}, headers=body_api
        )
        assert not_closed.status_code == 409, not_closed.text
        assert not_closed.json()["open_major_nc"] == 1

        # The stage 2 report opened the decision file: the body decides, the file waits.
        async def pending_file() -> dict[str, Any] | None:
            files = ok(await client.get("/v1/decisions?status=pending", headers=admin))["data"]
            return next((f for f in files if f["audit_id"] == stage2), None)

        file = await eventually(pending_file, what="the decision file pending")
        file_url = f"/v1/decisions/{file['id']}"
        assert (file["scheme"], file["application_id"], file["organisation_id"]) == (
            "CAP_ISO9001",
            application["id"],
            org,
        )

        # 7. Impartiality: nobody of the stage 2 team decides, and a refused decision changes
        # nothing. ---------------------------------------------------------------------------------
        certificate_number = f"SGS-FR-{today.year}-{uuid.uuid4().int % 10_000:04d}"
        scope = "Insertion par l'activité économique : chantiers d'insertion (espaces verts)"
        decision_data = {
            "outcome": "granted",
            "decided_on": today.isoformat(),
            "certificate_number": certificate_number,
            "scope": scope,
        }
        by_committee = await decide(  # the simulator's committee, an auditor's id given
            body, audit_id=stage2, decided_by=auditors["marc"]["id"], **decision_data
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
        assert ok(await client.get(file_url, headers=admin))["status"] == "pending"
        assert (
            ok(await client.get(f"/v1/recognitions?organisation_id={org}", headers=admin))["data"]
            == []
        )

        # 8. The body's committee refuses (a signed certification.decided webhook); it cannot
        # take it back by another webhook: the appeal is the way. ----------------------------------
        refusal_reason = (
            "Non-conformité majeure (8.5.1) : la maîtrise des chantiers n'est pas démontrée."
        )
        refusal = await decide(
            body,
            audit_id=stage2,
            outcome="refused",
            decided_on=today.isoformat(),
            decided_by=COMMITTEE,
            reason=refusal_reason,
        )
        assert (refusal["delivered"], refusal["status"]) == (True, 200)
        recorded = ok(await client.get(f"/v1/audits/{stage2}", headers=member_admin.headers))[
            "decision"
        ]
        assert (
            recorded["outcome"],
            recorded["reason"],
            recorded["decided_by"],
            recorded["open_major_nc"],
        ) == ("refused", refusal_reason, COMMITTEE, 1)
        again = await decide(body, audit_id=stage2, decided_by=COMMITTEE, **decision_data)
        assert (again["delivered"], again["status"]) == (False, 409)  # the body decided already

        async def refused_file() -> dict[str, Any] | None:
            current = ok(await client.get(file_url, headers=admin))
            return current if current["status"] == "refused" else None

        refused_decision = await eventually(refused_file, what="the refusal recorded")
        assert (
            refused_decision["reason"],
            refused_decision["decided_on"],
            refused_decision["decided_by"],
            refused_decision["recognition_id"],
        ) == (refusal_reason, today.isoformat(), f"{BODY}:{COMMITTEE}", None)

        # 9. The structure, told of the refusal and its reason, appeals it within the appeal
        # period; once. ------------------------------------------------------------------------
        async def told_refused() -> list[dict[str, Any]]:
            items = await feed_of(client, member_admin.headers)
            return [n for n in items if n["event_type"] == "certification.decided.v1"]

        (refused_notice,) = await eventually(told_refused, what="the structure told of it")
        assert "refusée" in refused_notice["title"], refused_notice
        assert refusal_reason.rstrip(".") in refused_notice["body"], refused_notice
        appeal_reason = (
            "Les contrôles de fin de chantier sont enregistrés depuis l'audit : registres joints."
        )
        appeal = ok(
            await client.post(
                f"{file_url}/appeal", json={"reason": appeal_reason}, headers=member_admin.headers
            ),
            201,
        )
        assert (appeal["status"], appeal["decision_status"], appeal["lodged_by"]) == (
            "lodged",
            "refused",
            member_admin.subject,
        )
        twice = await client.post(
            f"{file_url}/appeal", json={"reason": appeal_reason}, headers=member_admin.headers
        )
        assert twice.status_code == 409, twice.text
        assert twice.json()["type"].endswith("/already-appealed")

        # 10. The appeal is decided by someone who took no part: not Marc, of the stage 2 team, who
        # is also one of the platform's admins; the body's system overturns the refusal, with the
        # certificate number. The major is still open: the grant is held. --------------------------
        ok(
            await client.post(
                f"/v1/users/{marc.id}/memberships", json={"role": "admin"}, headers=admin
            ),
            201,
        )
        await sign_in_again(topology, marc)
        overturn = {
            "outcome": "overturned",
            "reason": "Les enregistrements produits démontrent la maîtrise des chantiers.",
            "certificate_number": certificate_number,
            "scope": scope,
        }
        partial = await client.post(
            f"{file_url}/appeal/decision",
            json=overturn,
            headers=await as_read(client, file_url, marc.headers),
        )
        assert partial.status_code == 409, partial.text
        assert partial.json()["type"].endswith("/conflict-of-interest")
        assert partial.json()["rule"].startswith("ISO/IEC 17021-1 §9.7")
        held = ok(
            await client.post(
                f"{file_url}/appeal/decision",
                json=overturn,
                headers=await as_read(client, file_url, body_api),
            )
        )
        held_until = add_months(today, ISO.major_verification_months)  # after stage 2's last day
        assert (held["status"], held["recognition_id"], held["round"]) == ("held", None, 2)
        assert (
            held["hold"]["certificate_number"],
            held["hold"]["decided_on"],
            held["hold"]["held_until"],
            [(m["finding_id"], m["status"]) for m in held["hold"]["open_majors"]],
        ) == (
            certificate_number,
            today.isoformat(),
            held_until.isoformat(),
            [(major["id"], "response_submitted")],
        )
        assert [(a["status"], a["decided_by"]) for a in held["appeals"]] == [
            ("overturned", f"client:{api_client['client_id']}")
        ]
        assert (
            ok(await client.get(f"/v1/recognitions?organisation_id={org}", headers=admin))["data"]
            == []
        )
        search = f"/v1/registry/recognitions?scheme=CAP_ISO9001&region={REGION}"
        assert ok(await client.get(search))["data"] == []

        async def told_held(headers: dict[str, str]) -> list[dict[str, Any]]:
            items = await feed_of(client, headers)
            return [n for n in items if n["event_type"] == "decision.held.v1"]

        for who, headers in (
            ("an admin", admin),
            ("the body's auditor", claire.headers),
            ("the member_admin", member_admin.headers),
        ):
            (notice,) = await eventually(
                lambda h=headers: told_held(h), what=f"{who} told of the hold"
            )
            assert held_until.strftime("%d/%m/%Y") in notice["body"], notice

        # 11. The body verifies the major: the held decision takes effect. -------------------------
        verified = ok(
            await client.post(
                f"/v1/findings/{major['id']}/review",
                json={"decision": "verify", "comment": "Registres de chantier vus, complets."},
                headers=body_api,
            )
        )
        assert verified["status"] == "verified_closed"

        async def certificates() -> list[dict[str, Any]]:
            return list(
                ok(
                    await client.get(
                        f"/v1/recognitions?organisation_id={org}", headers=member_admin.headers
                    )
                )["data"]
            )

        (certificate,) = await eventually(certificates, what="the held decision takes effect")
        expiry = add_months(today, ISO.validity_months)
        assert (
            certificate["scheme"],
            certificate["status"],
            certificate["certification_body_id"],
            certificate["external_number"],
            certificate["scope"],
            certificate["level"],
            certificate["decided_on"],
            certificate["effective_date"],
            certificate["cycle_start"],
            certificate["expiry_date"],
            certificate["next_surveillance_due"],
        ) == (
            "CAP_ISO9001",
            "active",
            BODY,
            certificate_number,
            scope,
            None,
            today.isoformat(),
            today.isoformat(),
            today.isoformat(),
            expiry.isoformat(),
            surveillance_due(today)[0].isoformat(),
        )
        assert certificate["number"].startswith(f"CAPISO-{today.year}-")
        decided = ok(await client.get(file_url, headers=admin))
        assert (
            decided["status"],
            decided["recognition_id"],
            decided["hold"]["open_majors"],
        ) == ("granted", certificate["id"], [])
        assert [s["step"] for s in decided["steps"]][-2:] == ["held", "majors_verified"]
        # Every major verified, every minor with an accepted plan: stage 2 closes.
        assert (await step(client, body_api, stage2, "close"))["status"] == "closed"

        # The grant reaches the audit programme: its first certification cycle starts.
        async def cycle_started() -> dict[str, Any] | None:
            current = ok(await client.get(programme_url, headers=member_admin.headers))
            return current if current["cycle_start"] else None

        programme = await eventually(cycle_started, what="the programme's cycle started")
        cycle1 = surveillance_due(today)
        assert (
            programme["cycle"],
            programme["decided_on"],
            programme["cycle_start"],
            programme["expiry_date"],
        ) == (1, today.isoformat(), today.isoformat(), expiry.isoformat())
        assert [(i["type"], i["status"], i["due_by"]) for i in programme["schedule"]] == [
            ("stage1", "done", programme["schedule"][0]["due_by"]),
            ("stage2", "done", expected_stage2["due_by"]),
            *(("surveillance", "due", d.isoformat()) for d in cycle1),
            ("renewal", "due", (expiry - timedelta(days=ISO.renewal_lead_days)).isoformat()),
        ]

        # 12. Anyone verifies it in the public registry, by number and by code; the certificate. ---
        number = certificate["number"]
        fresh = {"Cache-Control": "no-cache"}  # the gateway caches public answers for a minute
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
        found = ok(await client.get(search, headers=fresh))
        assert [e["number"] for e in found["data"]] == [number]
        pdf = await client.get(f"/v1/registry/recognitions/{number}/certificate.pdf")
        assert pdf.status_code == 200, pdf.text
        assert pdf.headers["content-type"] == "application/pdf"
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert number in text
        assert certificate_number in text

        # 13. Cycle 1: the body runs the surveillance audits, then the renewal audit. --------------
        async def verify_the_minor(_audit_id: str) -> None:
            # At the first surveillance the body verifies the stage 2 minor's actions (a minor not
            # verified by the next audit's report would become a major).
            closed_minor = ok(
                await client.post(
                    f"/v1/findings/{minor['id']}/review",
                    json={"decision": "verify", "comment": "Indicateurs revus chaque mois depuis."},
                    headers=body_api,
                )
            )
            assert (closed_minor["status"], closed_minor["type"]) == ("verified_closed", "minor_nc")

        cycle1_audits = []
        for i, due in enumerate(cycle1):
            audit = await body_runs(
                client,
                admin=admin,
                body_api=body_api,
                programme_id=programme["id"],
                audit_type="surveillance",
                on=today,
                team=[lead],  # the same lead: having audited bars nothing
                summary=f"Surveillance {i + 1} : système maintenu, aucune non-conformité.",
                on_site=verify_the_minor if i == 0 else None,
            )
            assert (audit["cycle"], audit["due_by"]) == (1, due.isoformat())
            cycle1_audits.append(audit["id"])

        async def surveillances_counted() -> dict[str, Any] | None:
            current = ok(
                await client.get(
                    f"/v1/recognitions/{certificate['id']}", headers=member_admin.headers
                )
            )
            return current if current["next_surveillance_due"] is None else None

        await eventually(surveillances_counted, what="cycle 1's surveillances counted")
        renewal = await body_runs(
            client,
            admin=admin,
            body_api=body_api,
            programme_id=programme["id"],
            audit_type="renewal",
            on=today,
            team=[lead, second],
            summary="Renouvellement : système efficace sur le cycle, aucune non-conformité.",
        )
        assert (renewal["cycle"], renewal["due_by"]) == (
            1,
            (expiry - timedelta(days=ISO.renewal_lead_days)).isoformat(),
        )
        programme = ok(await client.get(programme_url, headers=member_admin.headers))
        assert [(i["type"], i["status"], i["audit_id"]) for i in programme["schedule"][2:]] == [
            *(("surveillance", "done", a) for a in cycle1_audits),
            ("renewal", "done", renewal["id"]),
        ]

        # 14. The body's committee renews the certificate: cycle 2 starts at the previous expiry. --
        async def renewal_file() -> dict[str, Any] | None:
            files = ok(await client.get("/v1/decisions?status=pending", headers=admin))["data"]
            return next((f for f in files if f["audit_id"] == renewal["id"]), None)

        file2 = await eventually(renewal_file, what="the renewal file pending")
        assert (file2["kind"], file2["renews_id"]) == ("renewal", certificate["id"])
        renewed_number = f"{certificate_number}-2"
        await reaches_the_body(topology, admin, body, renewal["id"])
        renewed = await decide(
            body,
            audit_id=renewal["id"],
            outcome="granted",
            decided_on=today.isoformat(),
            decided_by=COMMITTEE,
            certificate_number=renewed_number,
        )
        assert (renewed["delivered"], renewed["status"]) == (True, 200)

        async def cycle2_certificate() -> dict[str, Any] | None:
            by_status = {c["status"]: c for c in await certificates()}
            return by_status.get("active") if "renewed" in by_status else None

        current = await eventually(cycle2_certificate, what="the certificate renewed")
        previous = ok(await client.get(f"/v1/recognitions/{certificate['id']}", headers=admin))
        cycle2_start, cycle2_expiry = expiry, add_months(expiry, ISO.validity_months)
        cycle2 = surveillance_due(cycle2_start)
        assert (previous["status"], previous["renewed_by_id"]) == ("renewed", current["id"])
        assert (
            current["previous_id"],
            current["external_number"],
            current["scope"],
            current["decided_on"],
            current["effective_date"],
            current["cycle_start"],
            current["expiry_date"],
            current["next_surveillance_due"],
        ) == (
            certificate["id"],
            renewed_number,
            scope,
            today.isoformat(),
            today.isoformat(),
            cycle2_start.isoformat(),  # the previous expiry, not the renewal decision
            cycle2_expiry.isoformat(),
            cycle2[0].isoformat(),
        )
        found = ok(await client.get(search, headers=fresh))
        assert [e["number"] for e in found["data"]] == [current["number"]]
        old = ok(await client.get(f"/v1/registry/recognitions/{number}", headers=fresh))
        assert (old["status"], [c["reason_code"] for c in old["history"]]) == (
            "renewed",
            ["granted", "renewed"],
        )

        # The programme is in cycle 2: its surveillances are due (cycle 1's audits count for
        # cycle 1 only), its renewal before the real expiry.
        async def in_cycle2() -> dict[str, Any] | None:
            got = ok(await client.get(programme_url, headers=member_admin.headers))
            return got if got["cycle"] == 2 else None

        programme = await eventually(in_cycle2, what="the programme in cycle 2")
        assert (programme["cycle_start"], programme["expiry_date"], programme["decided_on"]) == (
            cycle2_start.isoformat(),
            cycle2_expiry.isoformat(),
            today.isoformat(),
        )
        assert [
            (i["type"], i["status"], i["due_by"], i["cycle"]) for i in programme["schedule"]
        ] == [
            *(("surveillance", "due", d.isoformat(), 2) for d in cycle2),
            (
                "renewal",
                "due",
                (cycle2_expiry - timedelta(days=ISO.renewal_lead_days)).isoformat(),
                2,
            ),
        ]

        # 15. Cycle 2's surveillance on the clock: reminders and suspension on cycle-2 dates. ------
        async def lifecycle_on(day: date) -> dict[str, Any]:
            """The labelling service's clock on ``day``, its recognition-lifecycle job run now; the
            cycle-2 certificate then."""
            await topology.shift_clock("labelling", day - await topology.today("labelling"))
            await run_job(topology, "labelling", "recognition-lifecycle")
            return dict(
                ok(
                    await client.get(
                        f"/v1/recognitions/{current['id']}", headers=member_admin.headers
                    )
                )
            )

        # A year after the renewal decision (when a cycle counted from it would want its first
        # surveillance) nothing is due.
        later = await lifecycle_on(
            add_months(today, ISO.first_surveillance_months) + timedelta(days=1)
        )
        assert (later["status"], later["next_surveillance_due"]) == (
            "active",
            cycle2[0].isoformat(),
        )
        # 30 days before cycle 2's first surveillance the structure is reminded of it.
        reminded = await lifecycle_on(cycle2[0] - timedelta(days=30))
        assert reminded["status"] == "active"

        async def surveillance_notices(count: int) -> list[dict[str, Any]] | None:
            items = await feed_of(client, member_admin.headers)
            notices = [n for n in items if n["event_type"] == "label.surveillance_due.v1"]
            return notices if len(notices) >= count else None

        (upcoming,) = await eventually(lambda: surveillance_notices(1), what="the reminder")
        assert cycle2[0].strftime("%d/%m/%Y") in upcoming["title"], upcoming
        # The day after it (no grace: surveillance_grace_days), the certificate is suspended.
        overdue_on = cycle2[0] + timedelta(days=ISO.surveillance_grace_days + 1)
        suspended = await lifecycle_on(overdue_on)
        assert (
            suspended["status"],
            suspended["suspension_cause"],
            suspended["suspended_on"],
            suspended["history"][-1]["reason_code"],
        ) == ("suspended", "surveillance_overdue", overdue_on.isoformat(), "surveillance_overdue")
        public = ok(
            await client.get(f"/v1/registry/verify/{current['verification_code']}", headers=fresh)
        )
        assert (public["status"], public["history"][-1]["reason_code"]) == (
            "suspended",
            "surveillance_overdue",
        )
        notices = await eventually(lambda: surveillance_notices(2), what="the overdue notice")
        assert sorted(
            ("en retard" in n["title"], cycle2[0].strftime("%d/%m/%Y") in n["body"])
            for n in notices
        ) == [
            (False, True),
            (True, True),
        ]
        # The audit programme, on the same day, sees the same surveillance overdue.
        await topology.shift_clock("audit", overdue_on - await topology.today("audit"))
        programme = ok(await client.get(programme_url, headers=member_admin.headers))
        first = programme["schedule"][0]
        assert (first["type"], first["due_by"], first["status"]) == (
            "surveillance",
            cycle2[0].isoformat(),
            "overdue",
        )
        # The body runs the missed surveillance: the certificate is restored.
        late = await body_runs(
            client,
            admin=admin,
            body_api=body_api,
            programme_id=programme["id"],
            audit_type="surveillance",
            on=overdue_on,
            team=[lead],
            summary="Surveillance (cycle 2) : système maintenu, aucune non-conformité.",
        )
        assert (late["cycle"], late["due_by"]) == (2, cycle2[0].isoformat())

        async def restored() -> dict[str, Any] | None:
            got = ok(
                await client.get(f"/v1/recognitions/{current['id']}", headers=member_admin.headers)
            )
            return got if got["status"] == "active" else None

        back = await eventually(restored, what="the certificate restored by the surveillance")
        # (On separate processes the worker that restores it keeps the wall clock: the
        # restoration's date is not the moved one, so only the reasons are compared.)
        assert (
            back["suspension_cause"],
            back["next_surveillance_due"],
            sorted(h["reason_code"] for h in back["history"]),
        ) == (
            None,
            cycle2[1].isoformat(),
            ["renewed", "surveillance_done", "surveillance_overdue"],
        )
        public = ok(
            await client.get(f"/v1/registry/verify/{current['verification_code']}", headers=fresh)
        )
        assert public["status"] == "active"

        # 16. The member_admin was told each step once, in the in-app feed. ------------------------
        told = Counter(
            {
                "diagnostic.completed.v1": 1,
                "labelling.application.accepted.v1": 1,
                # stage 1, stage 2, cycle 1's surveillances, the renewal, cycle 2's surveillance
                "audit.requested.v1": 4 + len(cycle1),
                "audit.planned.v1": 4 + len(cycle1),
                "audit.report_submitted.v1": 4 + len(cycle1),
                "certification.decided.v1": 1,  # the refusal (grants: their certificate)
                "decision.appeal_lodged.v1": 1,
                "decision.appeal_decided.v1": 1,
                "decision.held.v1": 1,
                # granted; renewed (the new certificate, the previous one); suspended; restored
                "recognition.status_changed.v1": 5,
                "label.surveillance_due.v1": 2,
            }
        )

        async def feed() -> Counter[str] | None:
            got = Counter(n["event_type"] for n in await feed_of(client, member_admin.headers))
            return got if got >= told else None

        assert await eventually(feed, what="the member_admin's feed") == told
        items = await feed_of(client, member_admin.headers)
        assert {n["organisation_id"] for n in items} == {org}
        changes = [n["body"] for n in items if n["event_type"] == "recognition.status_changed.v1"]
        assert any(number in body for body in changes)
        assert any(current["number"] in body for body in changes)
