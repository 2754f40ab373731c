"""An audit's findings reach the audited organisation's progress plan, in both topologies:
the audit service publishes ``audit.report_submitted.v1`` and the diagnostic service turns each
nonconformity into a proposed action (the notifications service journals the event too)."""

from __future__ import annotations

import asyncio
import json
import uuid

from standardwebhooks.webhooks import Webhook

from cap_audit.config import Settings as AuditSettings
from cap_audit.programmes.service import on_application_accepted
from cap_shared.clock import wall_now
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import ApplicationAcceptedV1
from cap_shared.testing.auth import create_user, register_organisation
from cap_shared.testing.conditional import as_read
from cap_standalone.testing import Topology


async def test_a_major_nc_becomes_an_action_in_the_members_plan(topology: Topology) -> None:
    client, admin = topology.client, topology.admin
    organisation_id = await register_organisation(client, admin, n=902, region="84")
    member = await create_user(client, admin, role="member_admin", organisation_id=organisation_id)
    assert (
        await client.post(
            "/v1/certification-bodies",
            json={"id": "sgs-tuv", "name": "SGS TÜV", "schemes": ["CAP_ISO9001"]},
            headers=admin,
        )
    ).status_code == 201
    auditor = await client.post(
        "/v1/auditors",
        json={
            "certification_body_id": "sgs-tuv",
            "name": "Auditeur",
            "qualifications": [
                {"scheme": "CAP_ISO9001", "valid_from": "2025-01-01", "valid_until": "2030-12-31"}
            ],
        },
        headers=admin,
    )
    event = ApplicationAcceptedV1(
        application_id=str(uuid.uuid4()),
        organisation_id=organisation_id,
        scheme="CAP_ISO9001",
        certification_body_id="sgs-tuv",
        accepted_at=wall_now(),
    )
    runtime = topology.runtimes["audit"]
    async with runtime.db.session() as session:
        await on_application_accepted(
            session, new_event(event, source="/cap/labelling"), event, settings=AuditSettings()
        )
    audits: list[dict] = []
    for _ in range(300):  # the member sees it once the organisation reached the audit service
        audits = (await client.get("/v1/audits", headers=member)).json()["data"]
        if audits:
            break
        await asyncio.sleep(0.05)
    (audit,) = audits
    url = f"/v1/audits/{audit['id']}"
    # The body accepts with a signed webhook, through the gateway like any body's system.
    issued = await client.post("/v1/certification-bodies/sgs-tuv/webhook-secrets", headers=admin)
    secret = issued.json()["secret"]
    moment = wall_now()
    raw = json.dumps(
        {
            "type": "audit.accepted",
            "timestamp": moment.isoformat(),
            "data": {"audit_id": audit["id"]},
        }
    )
    webhook_id = f"msg_{uuid.uuid4().hex}"
    accepted = await client.post(
        "/v1/certifier/webhooks/sgs-tuv",
        content=raw,
        headers={
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": Webhook(secret).sign(webhook_id, moment, raw),
            "content-type": "application/json",
        },
    )
    assert accepted.status_code == 200, accepted.text
    assert (await client.get(url, headers=member)).json()["status"] == "accepted"
    plan = {
        "start_date": "2027-01-11",
        "end_date": "2027-01-12",
        "plan": "Étape 1",
        "team": [
            {
                "auditor_id": auditor.json()["id"],
                "role": "lead",
                "declaration": "Aucun lien avec la structure.",
            }
        ],
    }
    assert (
        await client.put(url + "/plan", json=plan, headers=await as_read(client, url, admin))
    ).status_code == 200
    assert (
        await client.post(url + "/transitions", json={"step": "start"}, headers=admin)
    ).status_code == 200
    finding = await client.post(
        url + "/findings",
        json={"type": "major_nc", "title": "Maîtrise des prestataires absente", "clause": "8.4"},
        headers=admin,
    )
    assert finding.status_code == 201, finding.text
    submitted = await client.post(
        url + "/transitions",
        json={"step": "submit_report", "summary": "Une NC majeure."},
        headers=admin,
    )
    assert submitted.status_code == 200, submitted.text

    actions: list[dict] = []
    for _ in range(300):
        plans = (await client.get("/v1/progress-plans", headers=member)).json().get("data")
        actions = plans[0]["actions"] if plans and isinstance(plans, list) else []
        if actions:
            break
        await asyncio.sleep(0.05)
    assert [(a["title"], a["priority"], a["source"]) for a in actions] == [
        ("Non-conformité majeure — Maîtrise des prestataires absente", "high", "audit")
    ]
    # The member answers the NC through the gateway.
    answered = await client.post(
        f"/v1/findings/{finding.json()['id']}/response",
        json={
            "root_cause": "Pas de procédure",
            "correction": "Liste des prestataires",
            "corrective_action": "Évaluation annuelle",
            "action_due": "2027-04-30",
        },
        headers=member,
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "response_submitted"
