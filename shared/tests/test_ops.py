"""The operator routes every service has: its periodic jobs (list, run one now) and its clock
(read it; move it in development and test only)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from cap_diagnostic.main import SERVICE
from cap_shared.clock import wall_now
from cap_shared.jobs import PeriodicJob, run_once
from cap_shared.runtime import ServiceRuntime
from cap_shared.settings import Environment
from cap_shared.testing.auth import TestIssuer, bearer

AUDIENCE = "urn:cap:diagnostic"


@dataclass
class Ops:
    client: httpx.AsyncClient
    admin: dict[str, str]
    member: dict[str, str]
    runtime: ServiceRuntime


async def ops_of(tmp_path: Path, environment: Environment) -> AsyncIterator[Ops]:
    settings = SERVICE.settings()
    settings.database_url = f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}"
    settings.environment = environment
    issuer = TestIssuer()
    runtime = SERVICE.build_runtime(settings, keys=issuer.key_source())
    await runtime.migrate()
    app = SERVICE.create_app(runtime, manage_runtime=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            yield Ops(
                client,
                bearer(issuer.token(roles=[{"role": "admin"}], audience=AUDIENCE)),
                bearer(
                    issuer.token(
                        roles=[{"role": "member", "organisation_id": "o"}], audience=AUDIENCE
                    )
                ),
                runtime,
            )
    finally:
        await runtime.close()


@pytest.fixture
async def ops(tmp_path: Path) -> AsyncIterator[Ops]:
    async for value in ops_of(tmp_path, Environment.TEST):
        yield value


@pytest.fixture
async def production(tmp_path: Path) -> AsyncIterator[Ops]:
    async for value in ops_of(tmp_path, Environment.PRODUCTION):
        yield value


async def test_jobs_are_listed_and_run_now_on_the_clock_of_the_process(ops: Ops) -> None:
    listed = await ops.client.get("/ops/jobs", headers=ops.admin)
    assert listed.status_code == 200
    names = [j["name"] for j in listed.json()["data"]]
    assert "overdue-actions" in names, names
    assert names == sorted(names)
    assert all(j["interval_s"] > 0 for j in listed.json()["data"])
    paged, cursors, cursor = [], [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await ops.client.get("/ops/jobs", params=params, headers=ops.admin)).json()
        paged += [j["name"] for j in page["data"]]
        if (cursor := page["next_cursor"]) is None:
            break
        cursors.append(cursor)
    assert paged == names
    too_many = await ops.client.get("/ops/jobs", params={"limit": 201}, headers=ops.admin)
    assert too_many.status_code == 422
    assert cursors, "the service has more than one job"
    letters = await ops.client.get(
        "/ops/dead-letters", params={"cursor": cursors[0]}, headers=ops.admin
    )
    assert letters.status_code == 400
    assert letters.json()["type"].endswith("/invalid-cursor")

    moved = await ops.client.put("/ops/clock", json={"offset": "P45D"}, headers=ops.admin)
    assert moved.status_code == 200, moved.text
    assert moved.json()["offset"] == "P45D"
    assert moved.json()["adjustable"] is True
    shifted = wall_now() + timedelta(days=45)
    assert abs(datetime.fromisoformat(moved.json()["now"]) - shifted) < timedelta(minutes=1)

    run = await ops.client.post("/ops/jobs/overdue-actions/runs", headers=ops.admin)
    assert run.status_code == 200, run.text
    assert run.json()["job"] == "overdue-actions"
    assert run.json()["items"] == 0  # no plan in this database
    assert abs(datetime.fromisoformat(run.json()["ran_at"]) - shifted) < timedelta(minutes=1)

    back = await ops.client.put("/ops/clock", json={"offset": 0}, headers=ops.admin)
    assert back.json()["offset"] == "PT0S"
    read = await ops.client.get("/ops/clock", headers=ops.admin)
    assert datetime.fromisoformat(read.json()["now"]) - wall_now() < timedelta(minutes=1)
    assert read.json()["today"] == wall_now().date().isoformat()


async def test_each_job_shows_its_last_run_success_or_failure(ops: Ops) -> None:
    async def jobs() -> dict[str, dict]:
        listed = await ops.client.get("/ops/jobs", headers=ops.admin)
        assert listed.status_code == 200, listed.text
        return {j["name"]: j for j in listed.json()["data"]}

    never = (await jobs())["overdue-actions"]
    assert never["last_run_at"] is None
    assert never["last_success_at"] is None
    assert never["last_run_items"] is None

    run = await ops.client.post("/ops/jobs/overdue-actions/runs", headers=ops.admin)
    assert run.status_code == 200, run.text
    ran = (await jobs())["overdue-actions"]
    assert ran["last_run_at"] == run.json()["ran_at"]
    assert ran["last_success_at"] == run.json()["ran_at"]
    assert ran["last_run_items"] == 0
    assert ran["last_run_error"] is None
    assert ran["last_run_duration_ms"] >= 0

    # a failing run (as the worker runs it): the failure is kept, the last success too
    async def broken(session: object, context: object) -> int:
        raise RuntimeError("the plans table is locked")

    runtime = ops.runtime
    with pytest.raises(RuntimeError):
        await run_once(
            runtime.db,
            PeriodicJob("overdue-actions", broken),
            runtime.name,
            runtime.job_context(),
            runs=runtime.tables.job_runs,
        )
    failed = (await jobs())["overdue-actions"]
    assert failed["last_run_error"] == "RuntimeError: the plans table is locked"
    assert failed["last_run_items"] is None
    assert failed["last_success_at"] == run.json()["ran_at"]
    assert failed["last_run_at"] >= run.json()["ran_at"]


async def test_an_unknown_job_is_a_404_naming_the_known_ones(ops: Ops) -> None:
    answer = await ops.client.post("/ops/jobs/reminders/runs", headers=ops.admin)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert "overdue-actions" in answer.json()["jobs"]


@pytest.mark.parametrize(
    "body",
    [{"offset": "P4000D"}, {"offset": "soon"}, {}, {"offset": "P1D", "when": "now"}],
)
async def test_a_bad_clock_offset_is_a_422(ops: Ops, body: dict[str, str]) -> None:
    answer = await ops.client.put("/ops/clock", json=body, headers=ops.admin)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert (await ops.client.get("/ops/clock", headers=ops.admin)).json()["offset"] == "PT0S"


#: Offsets a client or a fuzzer may send, valid or not for the declared schema.
OFFSETS: list[object] = [
    "P45D",
    "-PT2H",
    "P1DT12H30M",
    "PT1.5S",
    "PT0S",
    "-P3660D",
    "P3659DT23H59M59.999999S",
    "P3660DT1S",
    "P4000D",
    "P1Y1D",  # issue 15 item 9: years and months have no fixed length
    "P1M",
    "P1W",
    "PT36H",
    "P0.5D",
    "P",
    "PT",
    "P1DT",
    "-PT-2H",
    "p1d",
    " P1D",
    "P\u0661D",  # an Arabic-Indic digit: \d would take it
    "1 day",
    "00:01:00",
    "",
    0,
    3600,
    -1.5,
    316224000,
    316224001,
    -316224001,
    1e300,
    True,
    None,
    [],
    {"days": 1},
]


def declared_valid(schema: dict, value: object) -> bool:
    """Whether ``value`` fits the declared offset (anyOf: a patterned string, a bounded number)."""
    for branch in schema["anyOf"]:
        if branch["type"] == "string" and isinstance(value, str):
            pattern = branch["pattern"].removeprefix("^").removesuffix("$")
            return re.fullmatch(pattern, value) is not None
        if branch["type"] == "number" and isinstance(value, int | float):
            return not isinstance(value, bool) and branch["minimum"] <= value <= branch["maximum"]
    return False


async def test_the_clock_takes_exactly_the_offsets_its_schema_declares(ops: Ops) -> None:
    """Issue 15 item 9: "P1Y1D" was taken although it fails the declared ``format: duration``;
    the schema now declares the grammar the route applies, and its answers follow it too."""
    document = (await ops.client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    offset_in = schemas["ClockUpdate"]["properties"]["offset"]
    assert "format" not in json.dumps(offset_in)
    answer = document["paths"]["/ops/clock"]["get"]["responses"]["200"]["content"]
    ref = answer["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    offset_out = schemas[ref]["properties"]["offset"]
    for value in OFFSETS:
        moved = await ops.client.put("/ops/clock", json={"offset": value}, headers=ops.admin)
        expected = 200 if declared_valid(offset_in, value) else 422
        assert moved.status_code == expected, (value, moved.text)
        if expected == 422:
            assert moved.headers["content-type"] == "application/problem+json"
            continue
        given = moved.json()["offset"]
        assert re.fullmatch(offset_out["pattern"].removeprefix("^").removesuffix("$"), given)
        again = await ops.client.put("/ops/clock", json={"offset": given}, headers=ops.admin)
        assert again.json()["offset"] == given, value  # what it gives, it takes back
    assert [
        (await ops.client.put("/ops/clock", json={"offset": v}, headers=ops.admin)).json()["offset"]
        for v in ("P1DT1H1M1.5S", 5400, -2 * 3600, "-P0D", 316224000)
    ] == ["P1DT1H1M1.5S", "PT1H30M", "-PT2H", "PT0S", "P3660D"]


async def test_only_administrators_reach_the_jobs_and_the_clock(ops: Ops) -> None:
    for method, path in (
        ("GET", "/ops/jobs"),
        ("POST", "/ops/jobs/overdue-actions/runs"),
        ("GET", "/ops/clock"),
        ("PUT", "/ops/clock"),
    ):
        kwargs = {"json": {"offset": "P1D"}} if method == "PUT" else {}
        assert (await ops.client.request(method, path, **kwargs)).status_code == 401
        forbidden = await ops.client.request(method, path, headers=ops.member, **kwargs)
        assert forbidden.status_code == 403, (method, path)


async def test_outside_development_the_clock_is_the_wall_clock(production: Ops) -> None:
    refused = await production.client.put(
        "/ops/clock", json={"offset": "P45D"}, headers=production.admin
    )
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("clock-not-adjustable")
    clock = (await production.client.get("/ops/clock", headers=production.admin)).json()
    assert (clock["offset"], clock["adjustable"]) == ("PT0S", False)
    # Running a job now is an ordinary operation there.
    run = await production.client.post("/ops/jobs/overdue-actions/runs", headers=production.admin)
    assert run.status_code == 200, run.text
