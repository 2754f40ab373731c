"""The audit trail as operators use it, through the gateway on both topologies: every service
lists and verifies its log at /v1/ops/<service>/audit-log, the anchor job writes the head
outside the database, and SQL tampering is named by the route and by ``cap-gateway
audit-verify`` (exit status 1)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from cap_shared.db.session import Database
from cap_shared.testing.auth import register_organisation
from cap_shared.testing.fixtures import PgDatabases
from cap_standalone.platform import PARTS
from cap_standalone.testing import Overrides, Topology

SERVICES = ("gateway", "diagnostic", "audit", "labelling", "notifications")


@pytest.fixture
def topology_settings(tmp_path: Path) -> Overrides:
    return {name: {"audit_anchor_dir": str(tmp_path / "anchors")} for name in PARTS}


async def ops(topology: Topology, service: str, path: str) -> dict:
    response = await topology.client.get(f"/v1/ops/{service}/{path}", headers=topology.admin)
    assert response.status_code == 200, response.text
    return response.json()


async def audit_verify(topology: Topology, anchors: Path) -> tuple[int, str]:
    """``cap-gateway audit-verify`` on the gateway's database, as an operator runs it."""
    url = topology.runtimes["gateway"].db.url.render_as_string(hide_password=False)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cap_gateway",
        "audit-verify",
        env={
            **os.environ,
            "GATEWAY_DATABASE_URL": url,
            "GATEWAY_AUDIT_ANCHOR_DIR": str(anchors),
            "GATEWAY_LOG_LEVEL": "WARNING",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode() + err.decode()


async def test_operators_read_verify_and_catch_tampering_through_the_gateway(
    topology: Topology, tmp_path: Path, pg_databases: PgDatabases
) -> None:
    anchors = tmp_path / "anchors"
    organisation_id = await register_organisation(topology.client, topology.admin, n=7)
    for service in SERVICES:
        assert isinstance((await ops(topology, service, "audit-log"))["data"], list)
        verification = await ops(topology, service, "audit-log/verification")
        assert verification["intact"] is True, (service, verification)
        assert verification["service"] == service

    log = (await ops(topology, "gateway", "audit-log?record_type=organisation"))["data"]
    assert [(e["action"], e["record_id"]) for e in log] == [
        ("organisation.registered", organisation_id)
    ]
    head = (await ops(topology, "gateway", "audit-log?limit=1"))["data"][0]

    ran = await topology.client.post(
        "/v1/ops/gateway/jobs/audit-anchor/runs", headers=topology.admin
    )
    assert ran.status_code == 200, ran.text
    # One new anchor, or none when the platform's own periodic run (at start-up, or later on
    # a busy machine) already anchored this head: either way the head is anchored now.
    assert ran.json()["items"] in (0, 1)
    assert f'"seq":{head["seq"]}' in (anchors / "gateway.jsonl").read_text().splitlines()[-1]
    anchored = await ops(topology, "gateway", "audit-log/verification")
    assert anchored["latest_anchor"]["seq"] == head["seq"]
    assert anchored["anchors_checked"] >= 1
    status, output = await audit_verify(topology, anchors)
    assert status == 0, output
    assert "intact" in output

    # Tampering with SQL: the first entry altered, the head deleted (only the anchor knows).
    # As the tables' owner: the services' role may not UPDATE the log.
    db = topology.runtimes["gateway"].db
    owner = (
        Database(pg_databases.owner_urls["gateway"], pool_size=1, max_overflow=0)
        if db.dialect == "postgresql"
        else db
    )
    try:
        async with owner.engine.begin() as conn:
            await conn.exec_driver_sql("UPDATE audit_log SET actor = 'user:nobody' WHERE seq = 1")
            await conn.exec_driver_sql(f"DELETE FROM audit_log WHERE seq = {head['seq']}")
    finally:
        if owner is not db:
            await owner.dispose()
    broken = await ops(topology, "gateway", "audit-log/verification")
    assert broken["intact"] is False
    assert [(p["kind"], p["seq"]) for p in broken["problems"]] == [
        ("altered", 1),
        ("truncated", head["seq"]),
    ]
    assert broken["first_bad"]["seq"] == 1
    status, output = await audit_verify(topology, anchors)
    assert status == 1, output
    assert "first bad entry 1 (altered)" in output
    assert f"truncated at {head['seq']}" in output
