"""``make demo``: the demo loader against the standalone platform, through the gateway only — a
smaller network (six structures) loaded, then loaded again without duplicating anything, and
what it loaded checked through the API as its people would see it."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from cap_shared.testing.auth import sign_in
from cap_standalone.demo import PlatformUnreachable, load_demo
from cap_standalone.demo.network import DEFAULT_PASSWORD, PEOPLE, siret
from cap_standalone.testing import Topology

#: Three recognitions (two CAP ISO 9001, one CAP RSE), three applications (one CAP RSE file
#: waiting for the committee).
SIZE = 6


async def test_the_demo_network_loads_once_whatever_the_runs(standalone: Topology) -> None:
    client, admin = standalone.client, standalone.admin

    first = await load_demo(client, structures=SIZE, timeout=30)
    assert first.created == {
        "organisations": SIZE,
        "accounts": len(PEOPLE),
        "diagnostics": SIZE,
        "recognitions": 3,
        "applications": 3,
    }
    assert first.warnings == []
    again = await load_demo(client, structures=SIZE, timeout=30)
    assert again.created == dict.fromkeys(first.created, 0)
    assert again.organisations == first.organisations
    assert again.links["plan_id"] == first.links["plan_id"]

    organisations = (
        await client.get("/v1/organisations", params={"limit": 200}, headers=admin)
    ).json()["data"]
    assert sorted(o["siret"] for o in organisations) == sorted(siret(i) for i in range(SIZE))
    assert {o["region"] for o in organisations} == {"76"}
    users = (await client.get("/v1/users", params={"limit": 200}, headers=admin)).json()["data"]
    assert sorted(m["role"] for u in users for m in u["memberships"]) == sorted(
        ["admin", *(p.role for p in PEOPLE)]
    )

    diagnostics = (
        await client.get("/v1/diagnostics", params={"limit": 200}, headers=admin)
    ).json()["data"]
    sessions = [d for d in diagnostics if d["kind"] == "cap_session"]
    assert [d["status"] for d in sessions] == ["plan_issued"] * SIZE
    assert len({d["overall_score"] for d in sessions}) == SIZE  # varied answers
    # And Marc's evaluation of the structure whose CAP RSE file waits for the committee.
    assert [(d["kind"], d["status"]) for d in diagnostics if d not in sessions] == [
        ("audit_evaluation", "rated")
    ]

    recognitions = (await client.get("/v1/recognitions", headers=admin)).json()["data"]
    assert Counter((r["scheme"], r["status"], r["source"]) for r in recognitions) == {
        ("CAP_ISO9001", "active", "import"): 2,
        ("CAP_RSE", "active", "import"): 1,
    }
    (run,) = (await client.get("/v1/recognitions/imports", headers=admin)).json()["data"]
    assert (run["imported"], run["rejected"]) == (3, 0)
    registry = (await client.get("/v1/registry/recognitions", params={"region": "76"})).json()
    assert (len(registry["data"]), registry["next_cursor"]) == (3, None)
    code = first.links["CAP_ISO9001_code"]
    verified = await client.get(f"/v1/registry/verify/{code}")
    assert (verified.status_code, verified.json()["status"]) == (200, "active")

    applications = (await client.get("/v1/applications", headers=admin)).json()["data"]
    assert sorted((a["scheme"], a["status"]) for a in applications) == [
        ("CAP_ISO9001", "accepted"),
        ("CAP_RSE", "accepted"),
        ("CAP_RSE", "submitted"),
    ]
    # The evaluated CAP RSE application's file waits for the committee, its level computed by
    # the rule from Marc's evaluation.
    (waiting,) = (
        await client.get("/v1/decisions", params={"status": "pending"}, headers=admin)
    ).json()["data"]
    assert (waiting["id"], waiting["scheme"]) == (first.links["decision_id"], "CAP_RSE")
    assert waiting["computed_level"] == "Confirmé"
    assert again.links["decision_id"] == first.links["decision_id"]

    people = {
        p.key: await sign_in(client, p.email, DEFAULT_PASSWORD) for p in PEOPLE
    }  # every demo account signs in with the demo password
    audits = (await client.get("/v1/audits", headers=people["auditor"])).json()["data"]
    assert sorted((a["type"], a["status"]) for a in audits) == [
        ("initial", "closed"),
        ("stage1", "planned"),
    ]
    (audit,) = [a for a in audits if a["type"] == "stage1"]
    assert [(m["name"], m["role"]) for m in audit["team"]] == [("Marc Lefebvre", "lead")]

    plan = (
        await client.get(f"/v1/progress-plans/{first.links['plan_id']}", headers=people["member"])
    ).json()
    assert Counter(a["status"] for a in plan["actions"]) >= Counter(
        {"verified": 1, "in_progress": 1, "planned": 1, "proposed": 1}
    )
    feed = (await client.get("/v1/notifications", headers=people["member_admin"])).json()
    assert feed["data"], "Claire is told her structure's diagnostic is complete"

    view = (
        await client.get(
            "/v1/statistics/network",
            params={"referential": "CAP", "region": "76"},
            headers=people["facilitator"],
        )
    ).json()
    assert {k: view["totals"][k] for k in ("structures", "diagnosed", "labelled", "certified")} == {
        "structures": SIZE,
        "diagnosed": SIZE,
        "labelled": 1,
        "certified": 2,
    }
    assert first.statistics is not None
    assert first.statistics["diagnosed"] == SIZE


async def test_a_platform_that_is_not_running_is_said_so() -> None:
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9") as client:
        with pytest.raises(PlatformUnreachable, match="make run"):
            await load_demo(client, structures=1, timeout=1)
