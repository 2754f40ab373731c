"""From a completed diagnostic to an audit programme, through the gateway, in both topologies:
the diagnostic's completion makes the structure eligible (labelling), its accepted application
opens the audit programme and requests the first audit (audit)."""

from __future__ import annotations

import asyncio
import uuid

from cap_shared.testing.auth import create_user, register_organisation
from cap_standalone.testing import Topology

from .test_diagnostic_through_gateway import open_when_known


async def test_an_accepted_application_opens_the_audit_programme(topology: Topology) -> None:
    client, admin = topology.client, topology.admin
    organisation_id = await register_organisation(client, admin, n=903, region="53")
    member = await create_user(client, admin, role="member_admin", organisation_id=organisation_id)
    diagnostic = await open_when_known(topology, member, organisation_id)
    url = f"/v1/diagnostics/{diagnostic['id']}"
    await client.post(url + "/transitions", json={"action": "start"}, headers=member)
    referential = (await client.get("/v1/referentials/CAP/versions/1", headers=member)).json()
    batch = [
        {"id": str(uuid.uuid4()), "criterion": c["urn"], "level": 3}
        for t in referential["themes"]
        for c in t["criteria"]
    ]
    assert (
        await client.put(url + "/answers", json={"answers": batch}, headers=member)
    ).status_code == 200
    assert (
        await client.post(url + "/transitions", json={"action": "complete"}, headers=member)
    ).status_code == 200

    application = {
        "organisation_id": organisation_id,
        "scheme": "CAP_ISO9001",
        "certification_body_id": "sgs-tuv",
    }
    for _ in range(300):  # eligible once the completion reached the labelling service
        applied = await client.post("/v1/applications", json=application, headers=member)
        if applied.status_code != 422:
            break
        await asyncio.sleep(0.05)
    assert applied.status_code == 201, applied.text
    accepted = await client.post(
        f"/v1/applications/{applied.json()['id']}/transitions",
        json={"step": "accept"},
        headers=admin,
    )
    assert accepted.status_code == 200, accepted.text

    programmes: list[dict] = []
    for _ in range(300):
        programmes = (await client.get("/v1/audit-programmes", headers=member)).json()["data"]
        if programmes:
            break
        await asyncio.sleep(0.05)
    (programme,) = programmes
    assert (programme["scheme"], programme["application_id"]) == (
        "CAP_ISO9001",
        applied.json()["id"],
    )
    assert [(i["type"], i["status"]) for i in programme["schedule"]] == [
        ("stage1", "in_progress"),
        ("stage2", "due"),
    ]
    (audit,) = (await client.get("/v1/audits", headers=member)).json()["data"]
    assert (audit["type"], audit["status"], audit["certification_body_id"]) == (
        "stage1",
        "requested",
        "sgs-tuv",
    )
