"""A diagnostic as the front-ends run it, through the gateway, in both topologies: a member of a
newly registered structure opens a self-assessment, rates every criterion, completes it; the
completion event leaves the outbox and reaches the labelling service (eligibility), and the
mobile overview shows the score."""

from __future__ import annotations

import asyncio
import json
import uuid

import sqlalchemy as sa

from cap_shared.contracts.diagnostic import DiagnosticCompletedV1
from cap_shared.testing.auth import create_user, register_organisation
from cap_standalone.testing import Topology


async def open_when_known(
    topology: Topology, headers: dict[str, str], organisation_id: str
) -> dict:
    """The organisation reaches the diagnostic service by event; retry while it is unknown."""
    for _ in range(300):
        response = await topology.client.post(
            "/v1/diagnostics",
            json={"organisation_id": organisation_id, "kind": "self_assessment"},
            headers=headers,
        )
        if response.status_code != 422:
            assert response.status_code == 201, response.text
            return dict(response.json())
        assert response.json()["type"].endswith("unknown-organisation")
        await asyncio.sleep(0.05)
    raise AssertionError("the organisation never reached the diagnostic service")


async def test_a_member_completes_a_self_assessment_and_sees_it_on_the_overview(
    topology: Topology,
) -> None:
    client = topology.client
    organisation_id = await register_organisation(client, topology.admin, n=901, region="76")
    member = await create_user(
        client, topology.admin, role="member_admin", organisation_id=organisation_id
    )
    diagnostic = await open_when_known(topology, member, organisation_id)
    url = f"/v1/diagnostics/{diagnostic['id']}"
    assert (
        await client.post(url + "/transitions", json={"action": "start"}, headers=member)
    ).status_code == 200
    referential = (await client.get("/v1/referentials/CAP/versions/1", headers=member)).json()
    batch = [
        {"id": str(uuid.uuid4()), "criterion": c["urn"], "level": 2}
        for theme in referential["themes"]
        for c in theme["criteria"]
    ]
    rated = await client.put(
        url + "/answers", json={"answers": batch}, headers={**member, "If-Match": '"r2"'}
    )
    assert rated.status_code == 200, rated.text
    completed = await client.post(url + "/transitions", json={"action": "complete"}, headers=member)
    assert completed.status_code == 200, completed.text
    assert (completed.json()["overall_score"], completed.json()["overall_band"]) == (
        500,
        "Progression",
    )

    runtime = topology.runtimes["diagnostic"]
    outbox = runtime.tables.outbox
    for _ in range(200):  # the relay publishes it
        async with runtime.db.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(outbox.c.payload, outbox.c.published_at).where(
                        outbox.c.event_type == "diagnostic.completed.v1"
                    )
                )
            ).first()
        if row is not None and row.published_at is not None:
            break
        await asyncio.sleep(0.05)
    assert row is not None
    assert row.published_at is not None
    event = DiagnosticCompletedV1.model_validate(json.loads(row.payload)["data"])
    assert (event.organisation_id, event.overall.score) == (organisation_id, 500)

    # The labelling service keeps it for eligibility (its own read model, exactly once).
    labelling = topology.runtimes["labelling"]
    projected = labelling.tables.outbox.metadata.tables["completed_diagnostic"]
    for _ in range(200):
        async with labelling.db.engine.connect() as conn:
            rows = (await conn.execute(sa.select(projected))).mappings().all()
        if rows:
            break
        await asyncio.sleep(0.05)
    assert [(r["diagnostic_id"], r["overall_score"], r["referential_code"]) for r in rows] == [
        (diagnostic["id"], 500, "CAP")
    ]

    # One structure in its region: the network view shows nothing about it (k-anonymity).
    network = await client.get("/v1/statistics/network", headers=topology.admin)
    assert network.status_code == 200, network.text
    cell = next(c for c in network.json()["by_region_and_type"] if c["region"] == "76")
    assert cell["suppressed"] is True
    found = await client.get("/v1/resources", params={"q": "accompagnement"}, headers=member)
    assert found.status_code == 200
    assert found.json()["data"]

    overview = await client.get("/v1/me/overview", headers=member)
    part = overview.json()["parts"]["diagnostic"]
    assert part["status"] == "ok"
    assert part["data"]["latest_diagnostic"]["overall_score"] == 500
    admin_overview = await client.get("/v1/me/overview", headers=topology.admin)
    assert admin_overview.json()["parts"]["diagnostic"]["status"] == "not_applicable"
