"""The labelling decision and the public registry through the gateway, in both topologies: the
committee grants a label, anyone verifies it without signing in, the gateway's cache answers the
repeated and the conditional requests, and flagging it is rate limited per address."""

from __future__ import annotations

import asyncio
import uuid

from cap_labelling.events.handlers import HANDLERS
from cap_shared.clock import wall_now
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import AuditReportSubmittedV1
from cap_shared.contracts.registry import EventModel
from cap_shared.testing.auth import create_user, register_organisation
from cap_shared.testing.conditional import as_read
from cap_shared.testing.events import rse_evaluation
from cap_standalone.testing import Topology


async def _deliver(topology: Topology, event: EventModel) -> None:
    """Hand an event to the labelling service's handler, once the organisation is known there."""
    envelope = new_event(event, source="/cap/test")
    runtime = topology.runtimes["labelling"]
    for _ in range(300):
        try:
            async with runtime.db.session() as session:
                await HANDLERS[envelope.type](session, envelope, event)
            return
        except Exception:  # the organisation has not reached the labelling service yet
            await asyncio.sleep(0.05)
    raise AssertionError("the labelling service never learnt about the organisation")


async def test_a_granted_label_is_verified_through_the_gateway(topology: Topology) -> None:
    client, admin = topology.client, topology.admin
    organisation_id = await register_organisation(client, admin, n=907, region="84")
    committee = await create_user(client, admin, role="committee")
    now = wall_now()
    audit_id = str(uuid.uuid4())
    # The auditor's evaluation of the audit, as the diagnostic service scores it.
    await _deliver(
        topology,
        rse_evaluation(organisation_id, 800, 650, completed_at=now).model_copy(
            update={"kind": "audit_evaluation", "audit_id": audit_id}
        ),
    )
    await _deliver(
        topology,
        AuditReportSubmittedV1(
            audit_id=audit_id,
            organisation_id=organisation_id,
            scheme="CAP_RSE",
            audit_type="initial",
            submitted_at=now,
            certification_body_id="sgs-tuv",
            auditor_user_ids=["user:auditrice"],
        ),
    )
    (file,) = [
        f
        for f in (await client.get("/v1/decisions?status=pending", headers=committee)).json()[
            "data"
        ]
        if f["organisation_id"] == organisation_id
    ]
    assert file["computed_level"] == "Exemplaire"
    decided = await client.post(
        f"/v1/decisions/{file['id']}/decide",
        json={"outcome": "confirm"},
        headers=await as_read(client, f"/v1/decisions/{file['id']}", committee),
    )
    assert decided.status_code == 200, decided.text
    recognition = (
        await client.get(f"/v1/recognitions/{decided.json()['recognition_id']}", headers=committee)
    ).json()

    # Anyone verifies it, without signing in.
    url = f"/v1/registry/verify/{recognition['verification_code']}"
    first = await client.get(url)
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["level"]) == ("active", "Exemplaire")
    assert first.json()["holder"]["region"] == "84"
    etag = first.headers["etag"]
    # Repeated: from the gateway's cache (it says how old its copy is).
    again = await client.get(url)
    assert again.status_code == 200
    assert "age" in again.headers
    assert again.json() == first.json()
    conditional = await client.get(url, headers={"If-None-Match": etag})
    assert conditional.status_code == 304
    assert conditional.headers["etag"] == etag
    # Signed-in callers are never served from the shared cache.
    private = await client.get(url, headers=committee)
    assert private.status_code == 200
    assert "age" not in private.headers
    found = await client.get("/v1/registry/recognitions?region=84&level=Exemplaire")
    assert [e["number"] for e in found.json()["data"]] == [recognition["number"]]
    pdf = await client.get(f"/v1/registry/recognitions/{recognition['number']}/certificate.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert (await client.get("/v1/registry/verify/ZZZZ-ZZZZ-ZZZZ")).status_code == 404

    # Flagging it: ten reports an hour per address, then 429 with Retry-After.
    flag = f"/v1/registry/recognitions/{recognition['number']}/complaints"
    body = {"name": "Alex", "email": "alex@example.org", "message": "Signalement de test."}
    statuses = [(await client.post(flag, json=body)).status_code for _ in range(11)]
    assert statuses == [201] * 10 + [429]
    complaints = (await client.get("/v1/complaints", headers=committee)).json()["data"]
    assert len([c for c in complaints if c["number"] == recognition["number"]]) == 10
