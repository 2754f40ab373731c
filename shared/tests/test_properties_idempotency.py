"""Property-based tests (Hypothesis) of ``Idempotency-Key`` (``cap_shared.idempotency``), on a
small app with the real handlers and a SQLite database (issue 15).

Properties: for any sequence of requests from two callers with a few keys and bodies, a retry
with the same key and body gets the first answer again (status, body, headers, marked replayed),
the same key with another body is a 422, keys never cross callers, and exactly one effect is
made per key; any ``Idempotency-Key`` header is used (1 to 255 printable ASCII characters, the
gateway's limits) or refused with a 400, never a 5xx; the
fingerprint is the same exactly when method, path and parsed body are.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field

from cap_shared.db.session import Database
from cap_shared.idempotency import (
    REPLAYED_HEADER,
    Idempotency,
    IdempotencyKeyHeader,
    fingerprint,
    idempotency_table,
)
from cap_shared.problems import install_problem_handlers

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
metadata = sa.MetaData()
KEYS = idempotency_table(metadata)
THINGS = sa.Table(
    "thing",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("caller", sa.String(20), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
)


class ThingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=100)
    tags: dict[str, int] = Field(default_factory=dict)


def app_on(db: Database) -> FastAPI:
    """One unsafe route using ``Idempotency`` as the services do."""
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things", status_code=201)
    async def create(
        data: ThingIn,
        request: Request,
        caller: Annotated[str, Header(alias="X-Caller")],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response:
        async with db.session() as session:
            idem = Idempotency(KEYS, session, caller, idempotency_key, fingerprint(request, data))
            if (replay := await idem.replay()) is not None:
                return replay
            made = await session.execute(sa.insert(THINGS).values(caller=caller, name=data.name))
            content = {"id": made.inserted_primary_key[0], "name": data.name}  # type: ignore[index]
            headers = {"Location": f"/things/{content['id']}", "ETag": f'"t{content["id"]}"'}
            await idem.save(201, content, headers)
        return JSONResponse(content, status_code=201, headers=headers)

    return app


@pytest.fixture
async def toy(tmp_path: Path) -> AsyncIterator[tuple[Database, httpx.AsyncClient]]:
    """The app on a SQLite file, shared by a test's examples (each uses callers of its own)."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'idempotency.db'}")
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    transport = httpx.ASGITransport(app=app_on(db))
    async with httpx.AsyncClient(transport=transport, base_url="http://toy") as client:
        yield db, client
    await db.dispose()


keys = st.from_regex(r"[A-Za-z0-9._:\-]{8,20}", fullmatch=True)
bodies = st.sampled_from(
    [
        {"name": "a"},
        {"name": "a", "tags": {}},  # the same request as the first: defaults are parsed in
        {"name": "a", "tags": {"x": 1, "y": 2}},
        {"name": "a", "tags": {"y": 2, "x": 1}},  # the same as the one before
        {"name": "b"},
    ]
)
requests = st.lists(
    st.tuples(st.sampled_from(["alice", "bob"]), st.none() | st.sampled_from(range(3)), bodies),
    min_size=1,
    max_size=12,
)


@SETTINGS
@given(key_pool=st.lists(keys, min_size=3, max_size=3, unique=True), sequence=requests)
async def test_a_retry_gets_the_first_answer_and_makes_one_effect(
    toy: tuple[Database, httpx.AsyncClient],
    key_pool: list[str],
    sequence: list[tuple[str, int | None, dict[str, Any]]],
) -> None:
    db, client = toy
    run = uuid.uuid4().hex[:8]  # this example's callers: nobody else used their keys
    first: dict[tuple[str, str], tuple[dict[str, Any], httpx.Response]] = {}
    effects = 0
    for who, index, body in sequence:
        caller, key = f"{who}-{run}", None if index is None else key_pool[index]
        headers = {"X-Caller": caller, **({"Idempotency-Key": key} if key else {})}
        answer = await client.post("/things", json=body, headers=headers)
        seen = first.get((caller, key)) if key else None
        if seen is None:
            assert answer.status_code == 201, answer.text
            assert REPLAYED_HEADER.lower() not in answer.headers
            effects += 1
            if key:
                first[(caller, key)] = (body, answer)
        elif ThingIn.model_validate(seen[0]) == ThingIn.model_validate(body):
            replayed = seen[1]
            assert answer.status_code == replayed.status_code
            assert answer.json() == replayed.json()
            for name in ("location", "etag"):
                assert answer.headers[name] == replayed.headers[name]
            assert answer.headers[REPLAYED_HEADER] == "true"
        else:
            assert answer.status_code == 422, answer.text
            assert answer.json()["type"].endswith("/idempotency-key-reused")
    async with db.session() as session:
        made = await session.execute(
            sa.select(sa.func.count()).where(THINGS.c.caller.like(f"%-{run}"))
        )
    assert made.scalar() == effects


@SETTINGS
@given(key=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300))
@example(key="x" * 255)
@example(key="x" * 256)
@example(key="short")
@example(key="a b c d e f")
@example(key="")
@example(key='""')
@example(key='"' + "q" * 255 + '"')
async def test_any_idempotency_key_header_is_used_or_a_4xx(
    toy: tuple[Database, httpx.AsyncClient], key: str
) -> None:
    _db, client = toy
    headers = {"X-Caller": f"alice-{uuid.uuid4().hex[:8]}", "Idempotency-Key": key}
    answer = await client.post("/things", json={"name": "a"}, headers=headers)
    # The gateway's limits: 1 to 255 printable ASCII characters (after HTTP's trimming),
    # optionally quoted as a Structured Field string.
    named = key.strip(" ")
    if len(named) >= 2 and named[0] == named[-1] == '"':
        named = named[1:-1]
    valid = 1 <= len(named) <= 255
    assert answer.status_code == (201 if valid else 400), answer.text
    if not valid:
        assert answer.json()["type"].endswith("/invalid-idempotency-key")
    again = await client.post("/things", json={"name": "a"}, headers=headers)
    assert again.status_code == answer.status_code
    if answer.status_code == 201:
        assert again.json() == answer.json()
        assert again.headers[REPLAYED_HEADER] == "true"


def request_for(method: str, path: str) -> Request:
    return Request(
        {"type": "http", "method": method, "path": path, "headers": [], "query_string": b""}
    )


json_objects = st.dictionaries(
    st.text(max_size=5),
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    max_size=4,
)


@settings(max_examples=100, deadline=None)
@given(
    first=st.tuples(st.sampled_from(["POST", "PUT"]), st.sampled_from(["/a", "/b"]), json_objects),
    second=st.tuples(st.sampled_from(["POST", "PUT"]), st.sampled_from(["/a", "/b"]), json_objects),
)
def test_the_fingerprint_is_the_same_exactly_when_the_request_is(
    first: tuple[str, str, dict[str, Any]], second: tuple[str, str, dict[str, Any]]
) -> None:
    (m1, p1, b1), (m2, p2, b2) = first, second
    reordered = dict(reversed(list(b2.items())))  # the order of fields does not matter
    same = fingerprint(request_for(m1, p1), b1) == fingerprint(request_for(m2, p2), reordered)
    assert same == ((m1, p1, b1) == (m2, p2, b2))
