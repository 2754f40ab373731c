"""Notifications through the gateway, in both topologies: a person invited at the gateway
reaches the notifications service by event; a complaint filed in the public registry reaches the
labelling committee's feed; the live stream resumes after Last-Event-ID; preferences apply."""

from __future__ import annotations

import asyncio

from cap_shared.testing.auth import create_user, register_organisation, role_known
from cap_standalone.testing import Topology, grant_label


async def test_a_registry_complaint_reaches_the_committee_feed(topology: Topology) -> None:
    client, admin = topology.client, topology.admin
    organisation_id = await register_organisation(client, admin, n=911, region="28")
    committee = await create_user(client, admin, role="committee")
    number = await grant_label(topology, organisation_id)

    async def feed() -> list[dict]:
        response = await client.get("/v1/notifications", headers=committee)
        assert response.status_code == 200, response.text
        return list(response.json()["data"])

    before = None
    for _ in range(300):  # the granted label is told to the structure; not to the committee
        known = await client.get("/v1/preferences", headers=committee)
        if known.status_code == 200 and role_known(known.json()):
            before = await feed()
            break
        await asyncio.sleep(0.05)
    assert before is not None
    flagged = await client.post(
        f"/v1/registry/recognitions/{number}/complaints",
        json={"name": "Alex", "email": "alex@example.org", "message": "Ce label semble périmé."},
    )
    assert flagged.status_code == 201, flagged.text
    items: list[dict] = []
    for _ in range(300):  # complaint -> labelling outbox -> broker -> notifications
        items = [i for i in await feed() if i["event_type"] == "labelling.complaint.received.v1"]
        if items:
            break
        await asyncio.sleep(0.05)
    (item,) = items
    assert number in item["title"] + item["body"]
    assert "alex@example.org" not in item["title"] + item["body"]
    count = await client.get("/v1/notifications/unread-count", headers=committee)
    assert count.json()["unread"] >= 1

    # The live stream, resumed after an earlier id, sends what came later.
    topology.runtimes["notifications"].settings.stream_max_s = 0.3  # type: ignore[attr-defined]
    resumed = await client.get(
        "/v1/notifications/stream", headers={**committee, "Last-Event-ID": str(item["seq"] - 1)}
    )
    assert resumed.status_code == 200
    assert f"id: {item['seq']}" in resumed.text

    # Preferences: no more e-mail for complaints.
    changed = await client.put(
        "/v1/preferences",
        json={"events": {"labelling.complaint.received.v1": {"email": "off"}}},
        headers=committee,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"]["labelling.complaint.received.v1"]["email"] == "off"
    read = await client.post(f"/v1/notifications/{item['id']}/read", headers=committee)
    assert read.status_code == 200
