"""The audit trail across the platform, through the gateway, in both topologies: a decision
taken by a committee member signed in at the gateway is in the labelling service's log — the
member as actor, the structure on whose behalf, before and after, the request id the gateway
forwarded and the id of the event it published — read by an administrator through
``GET /v1/ops/labelling/audit-log`` (and by nobody else), with its recognition, and the chain
verified intact."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from cap_labelling.models import tables
from cap_shared.testing.auth import create_user, register_organisation
from cap_shared.testing.conditional import as_read
from cap_standalone.testing import Topology

from ..journeys.steps import ok
from .test_certification_rules_through_gateway import rse_file, user_id

LOG = "/v1/ops/labelling/audit-log"


async def published(topology: Topology, event_type: str, subject: str) -> list[str]:
    """The ids of the events of ``event_type`` about ``subject`` the labelling service wrote."""
    runtime = topology.runtimes["labelling"]
    async with runtime.db.session() as session:
        return list(
            (
                await session.execute(
                    sa.select(tables.outbox.c.event_id).where(
                        tables.outbox.c.event_type == event_type,
                        tables.outbox.c.payload.contains(subject),
                    )
                )
            ).scalars()
        )


async def entries(topology: Topology, **filters: str) -> list[dict[str, Any]]:
    return list(ok(await topology.client.get(LOG, params=filters, headers=topology.admin))["data"])


async def test_a_decision_taken_is_in_the_labelling_log_with_its_member_as_actor(
    topology: Topology,
) -> None:
    client, admin = topology.client, topology.admin
    organisation_id = await register_organisation(client, admin, n=973, region="76")
    member_admin = await create_user(
        client, admin, role="member_admin", organisation_id=organisation_id
    )
    decider = await create_user(client, admin, role="committee")
    decider_id = await user_id(topology, decider)
    file = await rse_file(topology, organisation_id)
    url = f"/v1/decisions/{file['id']}"
    assert await entries(topology, record_type="decision", record_id=file["id"]) == []

    # A refused decision (above the rule's level) appends nothing.
    above = await client.post(
        f"{url}/decide",
        json={"outcome": "confirm", "level": "Exemplaire"},
        headers=await as_read(client, url, decider),
    )
    assert above.status_code == 422, above.text
    assert await entries(topology, record_type="decision", record_id=file["id"]) == []

    request_id = uuid.uuid4().hex
    decided = ok(
        await client.post(
            f"{url}/decide",
            json={"outcome": "confirm"},
            headers={**await as_read(client, url, decider), "X-Request-ID": request_id},
        )
    )
    assert (decided["status"], decided["level"]) == ("granted", "Confirmé")

    (entry,) = await entries(topology, record_type="decision", record_id=file["id"])
    assert (entry["action"], entry["actor"], entry["actor_kind"]) == (
        "decision.taken",
        f"user:{decider_id}",
        "user",
    )
    assert entry["on_behalf_of"] == organisation_id
    assert entry["request_id"] == request_id
    assert entry["event_id"] in await published(topology, "decision.taken.v1", file["id"])
    assert entry["before"]["status"] == "pending"
    assert (entry["after"]["status"], entry["after"]["level"]) == ("granted", "Confirmé")
    assert entry["after"]["decided_by"] == f"user:{decider_id}"

    (granted,) = await entries(
        topology, record_type="recognition", record_id=decided["recognition_id"]
    )
    assert (granted["action"], granted["request_id"], granted["before"]) == (
        "recognition.granted",
        request_id,
        None,
    )
    assert granted["seq"] == entry["seq"] - 1  # the same transaction, in order
    by_actor = await entries(topology, actor=f"user:{decider_id}")
    assert [e["action"] for e in by_actor] == ["decision.taken", "recognition.granted"]

    # Operators only: neither the structure nor the member who decided read the log.
    for someone in (member_admin, decider):
        assert (await client.get(LOG, headers=someone)).status_code == 403
    verified = ok(await client.get(f"{LOG}/verification", headers=admin))
    assert verified["intact"] is True, verified
