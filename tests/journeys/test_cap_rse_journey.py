"""The CAP RSE journey, end to end, through the gateway only (as the web front-end calls it), in
both topologies, against a real outside world: the certification body's system (the simulator,
on a real port), an SMTP server and a webhook subscriber.

An administrator registers a structure and its people; the region's facilitator runs the one-day
CAP diagnostic with the structure (progress plan, recommended resources, PDF report); the
structure applies for the CAP RSE label (eligible thanks to that diagnostic), the application
is accepted and the structure assesses itself on CAP RSE; the audit programme opens and the audit
request reaches the body's system, which plans the audit with a signed webhook; the auditor
records the findings (one major nonconformity) and evaluates the CSR criteria only, leaving the
CAP ones to the self-assessment; the structure answers the nonconformity and the auditor
verifies it. The level comes from the third party only: the committee's confirmation is refused
(409 ``evaluation-incomplete`` naming the CAP criteria the auditor did not rate) and nothing is
granted; the committee defers; a new initial evaluation is requested through the programme and
the body plans it with the same lead auditor (having audited bars nothing), who evaluates every
criterion; its report replaces the one the file rests on, and the level rule reads the
auditor's ISO 26000 scores — Confirmé by the points, capped at Progression by a core criterion
rated 1, not the self-assessment's Exemplaire; the committee (not the auditor, even one sitting
on the committee) grants the label at that level; anyone verifies it in the public registry;
people were told in-app and by e-mail, and a subscribed system by webhook; the findings are in
the progress plan. Eighteen months later (controllable clocks) the follow-up has not been run:
the label is suspended the day after it was due, which the registry shows; the follow-up is
then requested, planned with the same lead auditor, and its report restores the label.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from cap_shared.contracts import schemes
from cap_shared.dates import add_months
from cap_shared.testing.conditional import as_read
from cap_shared.testing.siret import make_siret
from cap_standalone.testing import Topology

from .steps import (
    SmtpSink,
    WebhookReceiver,
    answers,
    body_system,
    event_types,
    eventually,
    known_to_notifications,
    local_world_settings,
    ok,
    person,
    run_job,
    sign_in_again,
    text_of,
)

BODY = "sgs-tuv"
REGION = "76"  # Occitanie
RSE = "urn:coorace:referentiel:cap-rse:critere"
#: The scheme's parameters, the one source the audit and labelling services read too (the
#: packaged files, or those of ``CAP_SCHEME_PARAMETERS_DIR`` as for the platform).
RSE_SCHEME = schemes.load(
    Path(folder) if (folder := os.environ.get("CAP_SCHEME_PARAMETERS_DIR")) else None
)["CAP_RSE"]


def maturity(levels: dict[str, int]) -> dict[str, Any]:
    """The auditor's evaluated maturity, one level per criterion URN (R8 with a comment)."""
    return {
        "levels": [
            {"criterion_urn": urn, "level": level}
            | ({"comment": "DUERP ancien"} if urn == f"{RSE}:r8" else {})
            for urn, level in levels.items()
        ]
    }


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()


@pytest.fixture
def topology_settings(smtp_sink: SmtpSink) -> dict[str, dict[str, Any]]:
    """The platform of this journey sends its e-mail to the sink and may call local systems."""
    return local_world_settings(smtp_port=smtp_sink.port)


async def test_cap_rse_journey(
    topology: Topology, smtp_sink: SmtpSink, webhook_receiver: WebhookReceiver
) -> None:
    client, admin = topology.client, topology.admin
    today = await topology.today("audit")

    # 1. The administrator registers the structure and its people. ------------------------------
    siret = make_siret(4242)
    organisation = ok(
        await client.post(
            "/v1/organisations",
            json={
                "siret": siret,
                "name": "Atelier Solidaire du Lauragais",
                "siae_types": ["ACI", "AI"],
                "region": REGION,
                "delegation": "Coorace Occitanie",
            },
            headers=admin,
        ),
        201,
    )
    org = organisation["id"]
    member_admin = await person(topology, role="member_admin", name="claire", organisation_id=org)
    member = await person(topology, role="member", name="karim", organisation_id=org)
    facilitator = await person(topology, role="facilitator", name="ines", region=REGION)
    committee = await person(topology, role="committee", name="paul")
    auditor = await person(topology, role="auditor", name="sophie", certification_body_id=BODY)
    everyone = (member_admin, member, facilitator, committee, auditor)
    await known_to_notifications(topology, *everyone)
    # The structure's director wants her e-mails at once, whatever the hour (no quiet hours).
    ok(
        await client.put(
            "/v1/preferences", json={"quiet_hours": None}, headers=member_admin.headers
        )
    )

    # What crosses services is polled: the probes this journey uses more than once.
    async def in_status(audit_url: str, status: str) -> dict[str, Any] | None:
        current = ok(await client.get(audit_url, headers=member_admin.headers))
        return dict(current) if current["status"] == status else None

    async def delivered(audit_id: str) -> list[dict[str, Any]]:
        """The body's system got the audit request (the delivery job run now)."""
        await run_job(topology, "audit", "body-deliveries")
        listed = ok(await client.get(f"/v1/certification-bodies/{BODY}/deliveries", headers=admin))[
            "data"
        ]
        return [d for d in listed if d["audit_id"] == audit_id and d["status"] == "delivered"]

    async def evaluation_of(audit_id: str) -> dict[str, Any] | None:
        """The auditor's evaluation of the structure in an audit, as the diagnostic service
        recorded it."""
        listed = ok(
            await client.get(f"/v1/diagnostics?organisation_id={org}", headers=member_admin.headers)
        )
        found = [
            d
            for d in listed["data"]
            if d["kind"] == "audit_evaluation" and d["audit_id"] == audit_id
        ]
        return found[0] if found else None

    async def pending_file(audit_id: str) -> dict[str, Any] | None:
        """The structure's pending file once it rests on the report of ``audit_id``, reads the
        auditor's evaluation and knows the major verified (the report, the scores and the
        verification reach the labelling service separately)."""
        files = ok(await client.get("/v1/decisions?status=pending", headers=committee.headers))[
            "data"
        ]
        mine = [f for f in files if f["organisation_id"] == org and f["audit_id"] == audit_id]
        inputs = mine[0]["evaluation"]["members"][org] if mine else {}
        ready = inputs.get("source") == "audit_evaluation" and inputs.get("open_major_nc") == 0
        return mine[0] if ready else None

    async def feed_of(someone: Any) -> set[str]:
        feed = ok(await client.get("/v1/notifications?limit=100", headers=someone.headers))
        return event_types(feed)

    async def director_told_of(*, changes: int, overdue: int) -> bool:
        """The director's feed has ``changes`` label changes and ``overdue`` overdue notices."""
        feed = ok(await client.get("/v1/notifications?limit=100", headers=member_admin.headers))
        items = feed["data"]
        told = [i for i in items if i["event_type"] == "recognition.status_changed.v1"]
        late = [
            i
            for i in items
            if i["event_type"] == "label.surveillance_due.v1" and "en retard" in i["title"]
        ]
        return len(told) == changes and len(late) == overdue

    async def called(status: str, at_least: int = 1) -> list[Any]:
        """The subscribed system's calls about the label becoming ``status``."""
        await run_job(topology, "notifications", "webhook-deliveries")
        calls = [
            d
            for d in webhook_receiver.on("/cap/labels")
            if json.loads(d.body)["data"]["status"] == status
        ]
        return calls if len(calls) >= at_least else []

    async def follow_up_of(programme_id: str) -> list[dict[str, Any]]:
        """The follow-up the audit programme expects (once the decision reached it)."""
        current = ok(
            await client.get(f"/v1/audit-programmes/{programme_id}", headers=member.headers)
        )
        return [i for i in current["schedule"] if i["type"] == "follow_up"]

    # The certification body, its auditor, and its system connected to the platform.
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
    auditor_record = ok(
        await client.post(
            "/v1/auditors",
            json={
                "certification_body_id": BODY,
                "name": "Sophie Auditrice",
                "email": auditor.email,
                "user_id": auditor.id,
                # She plans the body's audits: told of the request before any assignment.
                "planner": True,
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
    secret = ok(
        await client.post(f"/v1/certification-bodies/{BODY}/webhook-secrets", headers=admin), 201
    )["secret"]
    # A system subscribed to label changes (e.g. the federation's directory).
    subscription = ok(
        await client.post(
            "/v1/webhook-subscriptions",
            json={
                "name": "Annuaire Coorace",
                "url": webhook_receiver.url("/cap/labels"),
                "event_types": ["recognition.status_changed.v1"],
            },
            headers=admin,
        ),
        201,
    )
    webhook_receiver.secrets["/cap/labels"] = subscription["secret"]

    async with body_system(
        topology, webhook_secret=secret, auditor_id=auditor_record["id"]
    ) as body:
        # The body plans the audit; its auditor then works on the platform.
        await body.control(stop_after="audit.planned")
        connection = ok(
            await client.put(
                f"/v1/certification-bodies/{BODY}/connection",
                json=body.connection,
                headers=admin,
            )
        )
        assert connection["callback_url"] == f"{topology.public_url}/v1/certifier/webhooks/{BODY}"

        # 2. The facilitator runs the one-day CAP diagnostic with the structure. -----------------
        session = {
            "organisation_id": org,
            "kind": "cap_session",
            "session_date": today.isoformat(),
            "facilitator": "Inès, animatrice Coorace Occitanie",
            "participants": [
                {"category": "staff", "role": "Directrice"},
                {"category": "staff", "role": "Chargé d'insertion"},
                {"category": "employee_in_pathway"},
            ],
        }

        async def opened() -> dict[str, Any] | None:
            answer = await client.post("/v1/diagnostics", json=session, headers=facilitator.headers)
            if answer.status_code == 422 and answer.json()["type"].endswith("unknown-organisation"):
                return None  # the structure reaches the diagnostic service by event
            return dict(ok(answer, 201))

        diagnostic = await eventually(opened, what="the CAP diagnostic opens")
        cap = f"/v1/diagnostics/{diagnostic['id']}"
        for action in ("schedule", "start"):
            ok(
                await client.post(
                    f"{cap}/transitions", json={"action": action}, headers=facilitator.headers
                )
            )
        cap_referential = ok(
            await client.get("/v1/referentials/CAP/versions/1", headers=facilitator.headers)
        )
        ok(
            await client.put(
                f"{cap}/answers",
                json={"answers": answers(cap_referential, 2)},
                headers=facilitator.headers,
            )
        )
        completed = ok(
            await client.post(
                f"{cap}/transitions", json={"action": "complete"}, headers=facilitator.headers
            )
        )
        assert (completed["status"], completed["overall_score"], completed["overall_band"]) == (
            "rated",
            500,
            "Progression",
        )
        ok(
            await client.post(
                f"{cap}/transitions", json={"action": "issue_plan"}, headers=facilitator.headers
            )
        )

        # 3. The progress plan, the recommended resources and the PDF report. --------------------
        (plan,) = ok(await client.get("/v1/progress-plans", headers=member.headers))["data"]
        assert plan["organisation_id"] == org
        assert plan["actions"]
        assert {a["source"] for a in plan["actions"]} == {"diagnostic"}
        recommendations = ok(await client.get(f"{cap}/recommendations", headers=member.headers))
        assert recommendations["gaps"]
        assert recommendations["resources"]
        report = await client.get(f"{cap}/report.pdf", headers=member_admin.headers)
        assert report.status_code == 200, report.text
        assert report.headers["content-type"].startswith("application/pdf")
        assert report.content.startswith(b"%PDF")

        # 4. The structure applies for the CAP RSE label: eligible thanks to the diagnostic. -----
        application = {
            "organisation_id": org,
            "scheme": "CAP_RSE",
            "certification_body_id": BODY,
            "motivation": "Formaliser notre démarche RSE et la faire reconnaître.",
        }

        async def applied() -> dict[str, Any] | None:
            answer = await client.post(
                "/v1/applications", json=application, headers=member_admin.headers
            )
            if answer.status_code == 422 and answer.json()["type"].endswith("not-eligible"):
                return None  # the completion reaches the labelling service by event
            return dict(ok(answer, 201))

        applied_for = await eventually(applied, what="the structure is eligible")
        assert applied_for["status"] == "submitted"

        # 5. The administrator accepts it. --------------------------------------------------------
        accepted = ok(
            await client.post(
                f"/v1/applications/{applied_for['id']}/transitions",
                json={"step": "accept"},
                headers=admin,
            )
        )
        assert accepted["status"] == "accepted"

        # 6. The structure assesses itself on CAP RSE before the evaluation (domain 7.6 C). -----
        rse = ok(
            await client.post(
                "/v1/diagnostics",
                json={
                    "organisation_id": org,
                    "referential_code": "CAP_RSE",
                    "kind": "self_assessment",
                },
                headers=member_admin.headers,
            ),
            201,
        )
        rse_url = f"/v1/diagnostics/{rse['id']}"
        ok(
            await client.post(
                f"{rse_url}/transitions", json={"action": "start"}, headers=member_admin.headers
            )
        )
        # The CAP answers are offered again on the criteria CAP RSE reuses; the CSR ones are rated.
        suggestions = ok(await client.get(f"{rse_url}/suggestions", headers=member_admin.headers))[
            "data"
        ]
        assert {s["from_diagnostic"] for s in suggestions} == {diagnostic["id"]}
        carried = [
            {
                "id": str(uuid.uuid4()),
                "criterion": s["criterion"],
                "level": s["level"],
                "carried_from": s["from_diagnostic"],
            }
            for s in suggestions
        ]
        rse_referential = ok(
            await client.get("/v1/referentials/CAP_RSE/versions/1", headers=member_admin.headers)
        )
        csr = answers(rse_referential, 4, only=RSE)
        assert len(csr) == 26
        ok(
            await client.put(
                f"{rse_url}/answers", json={"answers": carried + csr}, headers=member_admin.headers
            )
        )
        rse_done = ok(
            await client.post(
                f"{rse_url}/transitions", json={"action": "complete"}, headers=member_admin.headers
            )
        )
        # CAP criteria at 2 of 4, CSR criteria at 4 of 4: 766 overall, 1000 in every core
        # subject. On its own, the rule would give Exemplaire; the auditor will see otherwise.
        assert (rse_done["status"], rse_done["overall_score"]) == ("rated", 766)

        # 7. The programme opens and the audit request reaches the body's system. ----------------
        async def programme_opened() -> list[dict[str, Any]]:
            return list(
                ok(await client.get("/v1/audit-programmes", headers=member.headers))["data"]
            )

        (programme,) = await eventually(programme_opened, what="the audit programme opens")
        assert (programme["scheme"], programme["application_id"]) == (
            "CAP_RSE",
            applied_for["id"],
        )
        (audit,) = ok(await client.get("/v1/audits", headers=member_admin.headers))["data"]
        assert (audit["type"], audit["certification_body_id"]) == ("initial", BODY)
        # Requested; on separate processes the audit worker's own run of the delivery job may
        # already have sent it, and the body accepted and planned it.
        assert audit["status"] in ("requested", "accepted", "planned")
        url = f"/v1/audits/{audit['id']}"

        (delivery,) = await eventually(
            lambda: delivered(audit["id"]), what="the audit request reaches the body"
        )
        assert delivery["reference"] == "SIM-00001"
        assert audit["id"] in body.simulator.requests

        # 8. The body accepts and plans the audit (signed webhooks, through the gateway). --------
        await eventually(lambda: in_status(url, "planned"), what="the body plans the audit")
        # Assigned, the auditor now sees the audit.
        planned_audit = ok(await client.get(url, headers=auditor.headers))
        assert [(m["auditor_id"], m["role"]) for m in planned_audit["team"]] == [
            (auditor_record["id"], "lead")
        ]
        sent = [w["payload"]["type"] for w in body.simulator.requests[audit["id"]].webhooks]
        assert sent == ["audit.accepted", "audit.planned"]

        # 9. The auditor runs the audit: findings, evaluated maturity, the report. ---------------
        ok(await client.post(f"{url}/transitions", json={"step": "start"}, headers=auditor.headers))
        major = ok(
            await client.post(
                f"{url}/findings",
                json={
                    "type": "major_nc",
                    "title": "Document unique d'évaluation des risques non mis à jour",
                    "description": "Le DUERP n'a pas été révisé depuis 2021 ; les chantiers "
                    "espaces verts n'y figurent pas.",
                    "criterion_urn": f"{RSE}:r8",
                    "evidence": [{"title": "DUERP 2021"}],
                },
                headers=auditor.headers,
            ),
            201,
        )
        for finding in (
            {
                "type": "observation",
                "title": "Bilan carbone non partagé avec les salariés",
                "criterion_urn": f"{RSE}:r13",
            },
            {
                "type": "strength",
                "title": "Partenariats solides avec les entreprises du territoire",
                "criterion_urn": f"{RSE}:r23",
            },
        ):
            ok(await client.post(f"{url}/findings", json=finding, headers=auditor.headers), 201)
        # The auditor evaluates the CSR criteria only — at 3 of 4, the DUERP (R8) at 1, the
        # local partnerships (R23) at 4 — and leaves the CAP ones to the structure's own
        # ratings, as auditors did before the third-party rule.
        csr_evaluated = {c["criterion"]: 3 for c in csr} | {f"{RSE}:r8": 1, f"{RSE}:r23": 4}
        ok(
            await client.put(
                f"{url}/maturity", json=maturity(csr_evaluated), headers=auditor.headers
            )
        )
        submitted = ok(
            await client.post(
                f"{url}/transitions",
                json={
                    "step": "submit_report",
                    "summary": "Démarche RSE engagée ; une non-conformité majeure (santé et "
                    "sécurité au travail).",
                },
                headers=auditor.headers,
            )
        )
        assert submitted["status"] == "report_submitted"
        assert submitted["findings"] == {"major_nc": 1, "observation": 1, "strength": 1}

        # 10. The structure answers the nonconformity; the auditor verifies it. -------------------
        answered = ok(
            await client.post(
                f"/v1/findings/{major['id']}/response",
                json={
                    "root_cause": "Pas de responsable désigné pour la mise à jour du DUERP",
                    "correction": "DUERP révisé avec les encadrants techniques",
                    "corrective_action": "Revue annuelle du DUERP inscrite au plan de prévention",
                    "action_due": (today + timedelta(days=60)).isoformat(),
                    "evidence": [
                        {"title": "DUERP révisé", "url": "https://intranet.example/duerp"}
                    ],
                },
                headers=member_admin.headers,
            )
        )
        assert answered["status"] == "response_submitted"
        verified = ok(
            await client.post(
                f"/v1/findings/{major['id']}/review",
                json={"decision": "verify", "comment": "DUERP révisé vu sur place."},
                headers=auditor.headers,
            )
        )
        assert verified["status"] == "verified_closed"
        closed = ok(
            await client.post(f"{url}/transitions", json={"step": "close"}, headers=auditor.headers)
        )
        assert closed["status"] == "closed"

        # 11. The auditor's evaluation, recorded by the diagnostic service: the CAP criteria
        # stay unrated (nothing is taken from the self-assessment); the structure reads it. ----
        cap_codes = {
            c["code"]
            for theme in rse_referential["themes"]
            for c in theme["criteria"]
            if not c["urn"].startswith(RSE)
        }
        assert len(cap_codes) == 22
        first_evaluation = await eventually(
            lambda: evaluation_of(audit["id"]), what="the first audit evaluation is recorded"
        )
        ratings = first_evaluation["audit_evaluation"]["ratings"]
        assert (len(ratings["auditor"]), set(ratings["unrated"])) == (26, cap_codes)
        assert first_evaluation["allowed_actions"] == []
        # It is the auditor's record: the structure cannot change it.
        refused = await client.put(
            f"/v1/diagnostics/{first_evaluation['id']}/answers",
            json={"answers": answers(rse_referential, 4, only=f"{RSE}:r8")},
            headers=member_admin.headers,
        )
        assert refused.status_code == 409, refused.text

        # 12. No decision without the auditor's evaluation of every criterion: the committee's
        # confirmation is refused, naming what is missing; nothing is granted; it defers. -------
        file = await eventually(
            lambda: pending_file(audit["id"]), what="the decision file reads the evaluation"
        )
        assert (file["scheme"], file["computed_level"]) == ("CAP_RSE", None)
        assert {
            m: set(v["unrated_criteria"]) for m, v in file["evaluation"]["incomplete"].items()
        } == {org: cap_codes}
        decide = f"/v1/decisions/{file['id']}/decide"
        incomplete = await client.post(
            decide,
            json={"outcome": "confirm"},
            headers=await as_read(client, decide.removesuffix("/decide"), committee.headers),
        )
        assert incomplete.status_code == 409, incomplete.text
        problem = incomplete.json()
        assert problem["type"].endswith("evaluation-incomplete")
        assert problem["audit_id"] == audit["id"]
        assert {m: set(v["unrated_criteria"]) for m, v in problem["missing"].items()} == {
            org: cap_codes
        }
        assert (
            ok(await client.get(f"/v1/recognitions?organisation_id={org}", headers=admin))["data"]
            == []
        )
        deferred = ok(
            await client.post(
                decide,
                json={
                    "outcome": "defer",
                    "reason": "Le niveau se décide sur l'évaluation de tous les critères par "
                    "l'auditeur : nouvelle évaluation demandée.",
                },
                headers=await as_read(client, decide.removesuffix("/decide"), committee.headers),
            )
        )
        assert (deferred["status"], deferred["steps"][-1]["step"]) == ("deferred", "defer")

        # 13. A new initial evaluation, through the programme; the body plans it with the same
        # lead auditor (having audited bars nothing), who this time evaluates every criterion. --
        again = ok(
            await client.post(
                f"/v1/audit-programmes/{programme['id']}/audits",
                json={"type": "initial"},
                headers=admin,
            ),
            201,
        )
        assert (again["type"], again["cycle"], again["certification_body_id"]) == (
            "initial",
            1,
            BODY,
        )
        (delivery,) = await eventually(
            lambda: delivered(again["id"]), what="the new evaluation reaches the body"
        )
        assert delivery["reference"] == "SIM-00002"
        second = f"/v1/audits/{again['id']}"
        await eventually(lambda: in_status(second, "planned"), what="the body plans it again")
        replanned = ok(await client.get(second, headers=auditor.headers))
        assert [(m["auditor_id"], m["role"]) for m in replanned["team"]] == [
            (auditor_record["id"], "lead")
        ]
        sent = [w["payload"]["type"] for w in body.simulator.requests[again["id"]].webhooks]
        assert sent == ["audit.accepted", "audit.planned"]
        # Her first audit is in her history (kind "audited"): it bars nothing.
        history = ok(
            await client.get(f"/v1/auditors/{auditor_record['id']}/engagements", headers=admin)
        )["data"]
        assert [(e["kind"], e["audit_id"], e["role"]) for e in history] == [
            ("audited", audit["id"], "lead")
        ]
        ok(
            await client.post(
                f"{second}/transitions", json={"step": "start"}, headers=auditor.headers
            )
        )
        # Every criterion now: the CAP ones at 2 (as the structure rated them), the CSR ones as
        # before.
        evaluated = {c["criterion"]: c["level"] for c in carried} | csr_evaluated
        ok(
            await client.put(
                f"{second}/maturity", json=maturity(evaluated), headers=auditor.headers
            )
        )
        resubmitted = ok(
            await client.post(
                f"{second}/transitions",
                json={
                    "step": "submit_report",
                    "summary": "Évaluation de l'ensemble des critères CAP et RSE ; DUERP révisé.",
                },
                headers=auditor.headers,
            )
        )
        assert (resubmitted["status"], resubmitted["findings"]) == ("report_submitted", {})
        ok(
            await client.post(
                f"{second}/transitions", json={"step": "close"}, headers=auditor.headers
            )
        )

        # 14. Its evaluation has every criterion; the file now rests on the new report. ----------
        evaluation = await eventually(
            lambda: evaluation_of(again["id"]), what="the second audit evaluation is recorded"
        )
        assert (evaluation["status"], evaluation["overall_score"]) == ("rated", 624)
        ratings = evaluation["audit_evaluation"]["ratings"]
        assert (len(ratings["auditor"]), ratings["unrated"]) == (48, [])
        assert evaluation["audit_evaluation"]["self_assessment_id"] == rse["id"]

        # The rule on the auditor's scores: Confirmé by the points (501-700, every subject >= 350,
        # 6.2 and 6.4 >= 400), capped at Progression by the core criterion R8 (health and safety)
        # rated 1; not the self-assessment's Exemplaire.
        expected_level = "Progression"
        file = await eventually(
            lambda: pending_file(again["id"]), what="the decision file reads the new evaluation"
        )
        assert (file["id"], file["audit_id"], file["computed_level"]) == (
            deferred["id"],
            again["id"],
            expected_level,
        )
        assert "incomplete" not in file["evaluation"]
        # The level rule read the auditor's evaluation's ISO 26000 scores (diagnostic.completed.v1).
        inputs = file["evaluation"]["members"][org]
        assert (inputs["source"], inputs["diagnostic_id"], inputs["audit_id"]) == (
            "audit_evaluation",
            evaluation["id"],
            again["id"],
        )
        assert (inputs["overall_score"], inputs["open_major_nc"]) == (624, 0)
        assert inputs["core_subjects"] == {
            **dict.fromkeys(("6.2", "6.3", "6.5", "6.6", "6.7"), 750),
            "6.4": 625,  # the DUERP at 1
            "6.8": 800,  # the partnerships at 4
        }
        assert (inputs["band"], inputs["level"]) == ("Confirmé", expected_level)
        assert inputs["reasons"] == [
            "Exemplaire: overall score 624 below 701",
            "core criterion R8 at 1: the level is capped at Progression",
        ]
        assert (inputs["rule"]["referential_code"], inputs["rule"]["referential_version"]) == (
            "CAP_RSE",
            1,
        )

        # 15. The committee grants the label at the computed level — not the auditor. ----------
        # The auditor also sits on the committee: still, whoever audited the file does not decide.
        ok(
            await client.post(
                f"/v1/users/{auditor.id}/memberships", json={"role": "committee"}, headers=admin
            ),
            201,
        )
        await sign_in_again(topology, auditor)
        partial = await client.post(
            decide,
            json={"outcome": "confirm"},
            headers=await as_read(client, decide.removesuffix("/decide"), auditor.headers),
        )
        assert partial.status_code == 403, partial.text
        assert partial.json()["type"].endswith("not-impartial")
        decided = ok(
            await client.post(
                decide,
                json={"outcome": "confirm", "scope": "Ensemble des activités d'insertion"},
                headers=await as_read(client, decide.removesuffix("/decide"), committee.headers),
            )
        )
        assert (decided["status"], decided["level"], decided["audit_id"]) == (
            "granted",
            expected_level,
            again["id"],
        )
        recognition = ok(
            await client.get(
                f"/v1/recognitions/{decided['recognition_id']}", headers=member_admin.headers
            )
        )
        assert (recognition["status"], recognition["level"], recognition["scheme"]) == (
            "active",
            expected_level,
            "CAP_RSE",
        )
        decided_on = date.fromisoformat(decided["decided_on"])
        assert (
            recognition["expiry_date"]
            == add_months(decided_on, RSE_SCHEME.validity_months).isoformat()
        )

        # 16. Anyone verifies it in the public registry, by the code printed on the certificate.
        verify = f"/v1/registry/verify/{recognition['verification_code']}"
        public = ok(await client.get(verify))
        assert (public["number"], public["status"], public["level"]) == (
            recognition["number"],
            "active",
            expected_level,
        )
        assert public["holder"]["name"] == "Atelier Solidaire du Lauragais"
        assert siret not in json.dumps(public)  # public facts only
        assert org not in json.dumps(public)

        # 17. People were told: in the feed, by e-mail; the subscribed system by webhook. -------
        told = {
            "diagnostic.completed.v1",
            "labelling.application.accepted.v1",
            "audit.requested.v1",
            "audit.planned.v1",
            "audit.report_submitted.v1",
            "recognition.status_changed.v1",
        }

        async def director_told() -> set[str] | None:
            seen = await feed_of(member_admin)
            return seen if told <= seen else None

        await eventually(director_told, what=f"the director's feed has {sorted(told)}")

        async def auditor_told() -> set[str] | None:
            seen = await feed_of(auditor)
            return seen if {"audit.requested.v1", "audit.planned.v1"} <= seen else None

        await eventually(auditor_told, what="the auditor's feed")

        async def committee_told() -> set[str] | None:
            seen = await feed_of(committee)
            return seen if "labelling.decision.opened.v1" in seen else None

        await eventually(committee_told, what="the committee's feed")

        async def mailed() -> list[Any]:
            await run_job(topology, "notifications", "mail-deliveries")
            return [
                m for m in smtp_sink.to(member_admin.email) if recognition["number"] in text_of(m)
            ]

        (mail,) = await eventually(
            mailed, what="the e-mail about the label reaches the SMTP server"
        )
        assert mail["Subject"] == (
            f"Label CAP RSE attribué (niveau {expected_level}) — Atelier Solidaire du Lauragais"
        )
        subjects = {str(m["Subject"]) for m in smtp_sink.to(member_admin.email)}
        assert {
            "Diagnostic CAP terminé — Atelier Solidaire du Lauragais",
            "Candidature au label CAP RSE acceptée — Atelier Solidaire du Lauragais",
            "Évaluation initiale demandée (label CAP RSE) — Atelier Solidaire du Lauragais",
        } <= subjects, subjects

        (hook,) = await eventually(lambda: called("active"), what="the webhook about the grant")
        assert hook.verified is True
        assert json.loads(hook.body)["data"]["number"] == recognition["number"]

        # 18. The audits' findings are actions of the structure's progress plan. ---------------
        async def in_plan() -> list[dict[str, Any]]:
            (current,) = ok(await client.get("/v1/progress-plans", headers=member.headers))["data"]
            return [a for a in current["actions"] if a["source"] == "audit"]

        from_audit = await eventually(in_plan, what="the findings reach the progress plan")
        assert sorted((a["title"], a["priority"], a["status"]) for a in from_audit) == [
            (f"Non-conformité majeure — {major['title']}", "high", "proposed"),
            ("Observation — Bilan carbone non partagé avec les salariés", "low", "proposed"),
        ]

        # 19. The follow-up is due `follow_up_months` after the decision; nobody requested it:
        # the day after (no grace), the label is suspended and the registry says so. ----------
        due = add_months(decided_on, RSE_SCHEME.follow_up_months)
        assert recognition["next_surveillance_due"] == due.isoformat()
        # The audit programme expects the same follow-up.
        (follow_up,) = await eventually(
            lambda: follow_up_of(programme["id"]), what="the programme's follow-up"
        )
        assert (follow_up["due_by"], follow_up["status"], follow_up["audit_id"]) == (
            due.isoformat(),
            "due",
            None,
        )
        last_day = due + timedelta(days=RSE_SCHEME.surveillance_grace_days)
        late = last_day + timedelta(days=1)

        async def move_to(day: date) -> None:
            """The audit and labelling services' clocks (their API processes') on ``day``."""
            for service in ("labelling", "audit"):
                await topology.shift_clock(service, day - await topology.today(service))

        # On its last day the label is still active; the day after, the daily job suspends it.
        await move_to(last_day)
        await run_job(topology, "labelling", "recognition-lifecycle")
        still = ok(
            await client.get(f"/v1/recognitions/{recognition['id']}", headers=member_admin.headers)
        )
        assert still["status"] == "active"
        await move_to(late)
        await run_job(topology, "labelling", "recognition-lifecycle")
        suspended = ok(
            await client.get(f"/v1/recognitions/{recognition['id']}", headers=member_admin.headers)
        )
        assert (suspended["status"], suspended["suspension_cause"]) == (
            "suspended",
            "surveillance_overdue",
        )
        assert (suspended["history"][-1]["on"], suspended["history"][-1]["reason_code"]) == (
            late.isoformat(),
            "surveillance_overdue",
        )
        # The public answer is cached by the gateway for up to a minute; a reload goes through.
        fresh = ok(await client.get(verify, headers={"Cache-Control": "no-cache"}))
        assert (fresh["status"], fresh["history"][-1]["reason_code"]) == (
            "suspended",
            "surveillance_overdue",
        )
        by_number = ok(await client.get(f"/v1/registry/recognitions/{recognition['number']}"))
        assert by_number["status"] == "suspended"
        (hook,) = await eventually(
            lambda: called("suspended"), what="the webhook about the suspension"
        )
        assert hook.verified is True
        await eventually(
            lambda: director_told_of(changes=2, overdue=1),
            what="the director is told of the suspension",
        )

        async def committee_told_of_suspension() -> bool:
            return "recognition.status_changed.v1" in await feed_of(committee)

        await eventually(
            committee_told_of_suspension, what="the committee is told of the suspension"
        )
        (follow_up,) = await follow_up_of(programme["id"])
        assert (follow_up["due_by"], follow_up["status"]) == (due.isoformat(), "overdue")

        # 20. The follow-up is requested now (the label is suspended, still in force); the body
        # accepts it and it is planned with the same lead auditor: having audited the two
        # initial evaluations bars nothing. ---------------------------------------------------
        await body.control(stop_after="audit.accepted")
        requested = ok(
            await client.post(
                f"/v1/audit-programmes/{programme['id']}/audits",
                json={"type": "follow_up"},
                headers=admin,
            ),
            201,
        )
        assert (requested["type"], requested["due_by"], requested["cycle"]) == (
            "follow_up",
            due.isoformat(),
            1,
        )
        (delivery,) = await eventually(
            lambda: delivered(requested["id"]), what="the follow-up request reaches the body"
        )
        assert delivery["reference"] == "SIM-00003"
        third = f"/v1/audits/{requested['id']}"
        await eventually(lambda: in_status(third, "accepted"), what="the body accepts it")
        sent = [w["payload"]["type"] for w in body.simulator.requests[requested["id"]].webhooks]
        assert sent == ["audit.accepted"]
        on_site = late + timedelta(days=7)
        planned_follow_up = ok(
            await client.put(
                f"{third}/plan",
                json={
                    "start_date": on_site.isoformat(),
                    "end_date": on_site.isoformat(),
                    "plan": "Suivi à 18 mois : plan de prévention, DUERP, bilan carbone.",
                    "team": [
                        {
                            "auditor_id": auditor_record["id"],
                            "role": "lead",
                            "declaration": "Auditrice des évaluations initiales ; ni conseil, "
                            "ni accompagnement, ni formation donnés à la structure.",
                        }
                    ],
                },
                headers=await as_read(client, third, admin),
            )
        )
        assert planned_follow_up["status"] == "planned"
        assert [(m["auditor_id"], m["role"]) for m in planned_follow_up["team"]] == [
            (auditor_record["id"], "lead")
        ]
        history = ok(
            await client.get(f"/v1/auditors/{auditor_record['id']}/engagements", headers=admin)
        )["data"]
        assert sorted((e["kind"], e["audit_id"], e["role"]) for e in history) == sorted(
            [("audited", audit["id"], "lead"), ("audited", again["id"], "lead")]
        )

        # 21. On the day, the same lead runs the follow-up; its report restores the label. ----
        await move_to(on_site)
        for step, extra in (
            ("start", {}),
            (
                "submit_report",
                {"summary": "Suivi : DUERP revu chaque année, plan de prévention suivi."},
            ),
            ("close", {}),
        ):
            ok(
                await client.post(
                    f"{third}/transitions", json={"step": step, **extra}, headers=auditor.headers
                )
            )

        async def restored() -> dict[str, Any] | None:
            current = ok(
                await client.get(
                    f"/v1/recognitions/{recognition['id']}", headers=member_admin.headers
                )
            )
            return dict(current) if current["status"] == "active" else None

        back = await eventually(restored, what="the follow-up report restores the label")
        # The history is ordered by date: on separate processes the worker that applies the
        # report keeps the wall clock (only the API's is moved), so its place is not asserted.
        changes = [(h["from_status"], h["to_status"], h["reason_code"]) for h in back["history"]]
        assert ("suspended", "active", "surveillance_done") in changes
        assert (back["level"], back["expiry_date"], back["suspension_cause"]) == (
            expected_level,
            recognition["expiry_date"],
            None,
        )
        assert back["next_surveillance_due"] is None  # the cycle's one follow-up is done
        fresh = ok(await client.get(verify, headers={"Cache-Control": "no-cache"}))
        assert fresh["status"] == "active"
        assert "surveillance_done" in {h["reason_code"] for h in fresh["history"]}
        (follow_up,) = await follow_up_of(programme["id"])
        assert (follow_up["audit_id"], follow_up["status"]) == (requested["id"], "done")
        (_, hook) = await eventually(
            lambda: called("active", at_least=2), what="the webhook about the restoration"
        )
        assert hook.verified is True
        await eventually(
            lambda: director_told_of(changes=3, overdue=1),
            what="the director is told the label is restored",
        )
