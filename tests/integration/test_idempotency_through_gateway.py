"""Idempotency-Key through the gateway, in both topologies (the gateway's own database: SQLite
standalone, PostgreSQL distributed): a retried write is made once and answered twice, whichever
service makes it; the same key with another body is refused; keys are per caller."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from cap_shared.testing.auth import create_user, register_organisation
from cap_standalone.testing import Topology


async def open_when_known(topology: Topology, headers: dict[str, str], organisation_id: str) -> Any:
    """The organisation reaches the diagnostic service by event; retry while it is unknown."""
    for _ in range(300):
        response = await topology.client.post(
            "/v1/diagnostics",
            json={"organisation_id": organisation_id, "kind": "self_assessment"},
            headers=headers,
        )
        if response.status_code != 422:
            assert response.status_code == 201, response.text
            return response.json()
        await asyncio.sleep(0.05)
    raise AssertionError("the organisation never reached the diagnostic service")


def _items(answer: Any) -> list[dict[str, Any]]:
    body = answer.json()
    return list(body["data"] if isinstance(body, dict) else body)


async def test_a_retried_write_is_made_once(topology: Topology) -> None:
    client, admin = topology.client, topology.admin
    body_id = f"cb-{uuid.uuid4().hex[:8]}"
    created = await client.post(
        "/v1/certification-bodies",
        json={"id": body_id, "name": "Organisme", "schemes": ["CAP_ISO9001"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    auditor = {
        "certification_body_id": body_id,
        "name": "Auditrice",
        "qualifications": [
            {"scheme": "CAP_ISO9001", "valid_from": "2025-01-01", "valid_until": "2030-12-31"}
        ],
    }
    headers = {**admin, "Idempotency-Key": str(uuid.uuid4())}
    first = await client.post("/v1/auditors", json=auditor, headers=headers)
    again = await client.post("/v1/auditors", json=auditor, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    listed = await client.get("/v1/auditors", headers=admin)
    assert listed.status_code == 200, listed.text
    mine = [a for a in _items(listed) if a["certification_body_id"] == body_id]
    assert [a["id"] for a in mine] == [first.json()["id"]]  # one auditor, not two

    reused = await client.post("/v1/auditors", json={**auditor, "name": "Autre"}, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["type"].endswith("/idempotency-key-reused")
    too_long = await client.post(
        "/v1/auditors", json=auditor, headers={**admin, "Idempotency-Key": "k" * 256}
    )
    assert too_long.status_code == 400
    assert too_long.json()["type"].endswith("/invalid-idempotency-key")

    # Another caller's key is theirs: the same key from someone else runs their request.
    other_admin = await create_user(client, admin, role="admin")
    theirs = await client.post(
        "/v1/auditors",
        json=auditor,
        headers={**other_admin, "Idempotency-Key": headers["Idempotency-Key"]},
    )
    assert theirs.status_code == 201, theirs.text
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["id"] != first.json()["id"]


async def test_the_gateway_and_the_diagnostics_own_layer_take_the_same_keys(
    topology: Topology,
) -> None:
    """The diagnostic keeps its in-transaction layer; a key the gateway accepts, it accepts."""
    client, admin = topology.client, topology.admin
    organisation_id = await register_organisation(client, admin, n=917, region="76")
    member = await create_user(client, admin, role="member_admin", organisation_id=organisation_id)
    diagnostic = await open_when_known(topology, member, organisation_id)
    url = f"/v1/diagnostics/{diagnostic['id']}/transitions"
    headers = {**member, "Idempotency-Key": "abc"}  # short: the 8-character floor is gone
    started = await client.post(url, json={"action": "start"}, headers=headers)
    assert started.status_code == 200, started.text
    again = await client.post(url, json={"action": "start"}, headers=headers)
    assert again.status_code == 200, again.text  # not "already started"
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == started.json()
