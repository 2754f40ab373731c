"""The distributed topology with replicas (:class:`cap_standalone.processes.ProcessPlatform`,
two of every process): requests reach both gateways and both API processes of a service; a
periodic job runs once per interval between two workers and its reminder goes out once; a
rate limit holds across the two gateways (their counters are shared in Redis)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from cap_shared.testing import services
from cap_shared.testing.auth import register_organisation, sign_in
from cap_standalone.processes import ProcessPlatform

# One platform (32 processes) for the module's tests, on the module's event loop.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.replicas,
    pytest.mark.timeout(900),
    pytest.mark.asyncio(loop_scope="module"),
]

#: The diagnostic workers run their reminders job every second (an hour in production).
INTERVAL_S = 1.0
SETTINGS = {"diagnostic": {"job_intervals_s": {"overdue-actions": INTERVAL_S}}}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ProcessPlatform]:
    platform = ProcessPlatform(tmp_path_factory.mktemp("replicas") / "logs", SETTINGS, replicas=2)
    await platform.start()
    try:
        yield platform
    except BaseException:
        print(platform.log_tails())
        raise
    finally:
        await platform.stop()


async def samples(url: str, metric: str) -> list[tuple[dict[str, str], float]]:
    """The samples of ``metric`` a process's ``/metrics`` (on its ops port) gives."""
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.get(f"{url}/metrics")
    assert answer.status_code == 200, f"{url}/metrics: {answer.status_code}"
    return [
        (s.labels, s.value)
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
        if s.name == metric
    ]


async def requests_served(url: str, route: str | None = None) -> float:
    """How many requests the process whose ops port is ``url`` served (on ``route``), probes
    aside."""
    return sum(
        value
        for labels, value in await samples(url, "cap_http_requests_total")
        # Not the probes, nor the services' fetches of the gateway's keys.
        if labels.get("route") not in {"/healthz", "/readyz"}
        and not labels.get("route", "").startswith("/.well-known")
        and route in (None, labels.get("route"))
    )


async def test_requests_reach_both_gateways_and_both_api_replicas(
    platform: ProcessPlatform,
) -> None:
    gateways, apis = platform.ops_urls("gateway"), platform.ops_urls("diagnostic")
    before = [await requests_served(u) for u in gateways]
    before += [await requests_served(u, "/v1/referentials") for u in apis]
    async with httpx.AsyncClient(base_url=platform.url, timeout=30) as client:
        admin = await sign_in(client)
        for _ in range(20):  # through the front, as any client: one address
            answer = await client.get("/v1/referentials", headers=admin)
            assert answer.status_code == 200, answer.text
    after = [await requests_served(u) for u in gateways]
    after += [await requests_served(u, "/v1/referentials") for u in apis]
    served = [round(b - a) for a, b in zip(before, after, strict=True)]
    print(f"requests per gateway, per diagnostic API: {served}")
    by_gateway, by_api = served[:2], served[2:]
    # The sign-in and 20 reads over two gateways (and what the gateways ask of each other: at
    # least 21); the 20 reads over the two diagnostic APIs.
    assert sum(by_gateway) >= 21, served
    assert sum(by_api) == 20, served
    assert min(by_gateway) >= 5, f"one gateway got almost nothing: {by_gateway}"
    assert min(by_api) >= 5, f"one API replica got almost nothing: {by_api}"


async def test_a_rate_limit_holds_across_the_two_gateways(platform: ProcessPlatform) -> None:
    """Ten sign-in attempts per account and minute (the gateway's default): the attempts go to
    one gateway then the other, and the eleventh is refused whichever gateway gets it."""
    gateways = platform.replica_urls("gateway")
    email = f"nobody.{uuid.uuid4().hex[:8]}@coorace.example"
    statuses = []
    async with httpx.AsyncClient(timeout=30) as http:
        for n in range(12):
            answer = await http.post(
                f"{gateways[n % 2]}/v1/auth/token",
                data={"grant_type": "password", "username": email, "password": "wrong"},
            )
            statuses.append(answer.status_code)
    refused = [s for s in statuses if s == 429]
    # Per gateway (memory counters) each would let ten through: none of the twelve refused.
    assert statuses[:10].count(429) == 0, statuses
    assert statuses[10:] == [429, 429], statuses
    assert len(refused) == 2


async def test_a_periodic_job_runs_once_per_interval_across_two_workers(
    platform: ProcessPlatform,
) -> None:
    """Both diagnostic workers attempt the reminders job every second; between them it runs
    about once a second (not twice), and a reminder due today goes out once."""
    workers = [p for p in platform.processes if (p.part, p.role) == ("diagnostic", "worker")]
    assert len(workers) == 2
    probes = [w.ops for w in workers]

    async def attempts() -> dict[str, float]:
        counts = {"ran": 0.0, "skipped": 0.0, "failed": 0.0}
        for url in probes:
            for labels, value in await samples(url, "cap_job_runs_total"):
                if labels["job"] == "overdue-actions":
                    counts[labels["outcome"]] += value
        return counts

    async with httpx.AsyncClient(base_url=platform.url, timeout=30) as client:
        admin = await sign_in(client)
        action = await action_due_in_a_week(client, admin)

        start, before = time.monotonic(), await attempts()
        await asyncio.sleep(8)
        after, elapsed = await attempts(), time.monotonic() - start
    ran, skipped = after["ran"] - before["ran"], after["skipped"] - before["skipped"]
    print(f"reminders job: {ran:.0f} run(s), {skipped:.0f} skipped in {elapsed:.1f} s")
    assert after["failed"] == 0, after
    # Once per interval between them: at most one run per elapsed interval (+1 at the edge);
    # every worker running it would be about twice that.
    assert 1 <= ran <= elapsed / INTERVAL_S + 1, (ran, skipped, elapsed)
    assert skipped >= 1, "the other worker's attempts were skipped, not run"

    # The reminder (action.due_soon.v1, a week ahead of the due date) went out once.
    conn = await asyncpg.connect(services.database_url(platform.database("diagnostic")))
    try:
        reminders = await conn.fetchval(
            "SELECT count(*) FROM outbox_message WHERE event_type = 'action.due_soon.v1'"
            " AND payload::jsonb -> 'data' ->> 'action_id' = $1",
            action["id"],
        )
    finally:
        await conn.close()
    assert reminders == 1


async def action_due_in_a_week(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    """A progress plan (a self-assessment, rated, its plan issued) and an action due in seven
    days on the diagnostic service's clock (the day its reminder goes out)."""
    organisation_id = await register_organisation(client, admin, n=4242, region="76")
    body = {
        "organisation_id": organisation_id,
        "kind": "self_assessment",
        "session_date": (await today(client, admin)).isoformat(),
        "facilitator": "Animatrice régionale",
        "participants": [{"category": "staff", "role": "Directrice"}],
    }
    deadline = time.monotonic() + 60
    while True:  # the structure reaches the diagnostic service by event
        opened = await client.post("/v1/diagnostics", json=body, headers=admin)
        if opened.status_code == 201 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert opened.status_code == 201, opened.text
    url = f"/v1/diagnostics/{opened.json()['id']}"
    referential = (await client.get("/v1/referentials/CAP/versions/1", headers=admin)).json()
    batch = [
        {"id": str(uuid.uuid4()), "criterion": c["urn"], "level": 1}
        for theme in referential["themes"]
        for c in theme["criteria"]
    ]
    for step in ("start", "answers", "complete", "issue_plan"):
        if step == "answers":
            done = await client.put(f"{url}/answers", json={"answers": batch}, headers=admin)
        else:
            done = await client.post(f"{url}/transitions", json={"action": step}, headers=admin)
        assert done.status_code == 200, f"{step}: {done.text}"
    (plan,) = (await client.get("/v1/progress-plans", headers=admin)).json()["data"]
    read = await client.get(f"/v1/progress-plans/{plan['id']}", headers=admin)
    due = await today(client, admin) + timedelta(days=7)
    created = await client.post(
        f"/v1/progress-plans/{plan['id']}/actions",
        json={"title": "Former l'équipe", "due_date": due.isoformat()},
        headers={**admin, "If-Match": read.headers["etag"]},
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


async def today(client: httpx.AsyncClient, admin: dict[str, str]) -> date:
    """Today on the diagnostic service's clock."""
    clock = await client.get("/v1/ops/diagnostic/clock", headers=admin)
    assert clock.status_code == 200, clock.text
    return date.fromisoformat(clock.json()["today"])
