"""On PostgreSQL, the registry's verification is one statement on a connection of its own (no
BEGIN with the row scope, no ROLLBACK): the same answer, byte for byte, as through the reader,
under row-level security with the scope a public route has, read only, traced, 503 when the
database is down; another scope reads through the reader."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from cap_labelling.config import Settings
from cap_labelling.main import SERVICE
from cap_labelling.registry import repository
from cap_labelling.registry import service as registry
from cap_shared import telemetry
from cap_shared.db import rowsecurity
from cap_shared.problems import NotFound
from cap_shared.runtime import ServiceRuntime
from cap_shared.testing.fixtures import PgDatabases
from cap_shared.testing.tracing import spans

from .conftest import own_database
from .test_registry_inline import granted

__all__ = ["spans"]


def statements_of(engine: Any) -> list[tuple[str, bool]]:
    """Every statement ``engine`` runs from now on, and whether a transaction was open."""
    seen: list[tuple[str, bool]] = []

    @sa.event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _seen(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append((statement, conn.connection.driver_connection.is_in_transaction()))

    return seen


async def test_one_statement_outside_a_transaction_the_same_answer(
    runtime: ServiceRuntime,
) -> None:
    recognition = await granted(runtime)
    public_url = runtime.settings.public_base  # type: ignore[attr-defined]
    async with runtime.db.reader() as reader:
        expected = await registry.verification_body(
            reader, code=recognition.verification_code, public_url=public_url
        )
    engine = repository._public_engine(runtime.db)
    assert engine is not None
    seen = statements_of(engine)
    by_code = await registry.verify(
        runtime.db, code=recognition.verification_code, public_url=public_url
    )
    assert by_code == expected
    assert len(seen) == 1  # the verification's statement alone: no set_config, no BEGIN
    assert seen[0][0].lstrip().upper().startswith("SELECT")
    assert seen[0][1] is False  # outside any transaction: no ROLLBACK to send either
    by_number = await registry.verify(runtime.db, number=recognition.number, public_url=public_url)
    assert by_number == expected
    with pytest.raises(NotFound):
        await registry.verify(runtime.db, code="ZZZZ-ZZZZ-ZZZZ", public_url=public_url)

    app = SERVICE.create_app(runtime, manage_runtime=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        path = f"/v1/registry/verify/{recognition.verification_code}"
        answer = await client.get(path)
        again = await client.get(path, headers={"If-None-Match": answer.headers["etag"]})
        unknown = await client.get("/v1/registry/verify/ZZZZ-ZZZZ-ZZZZ")
    assert answer.status_code == 200
    assert answer.content == expected
    assert answer.headers["etag"] == registry.etag_of(expected)
    assert again.status_code == 304
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


async def test_public_connections_read_under_row_security_with_the_public_scope(
    runtime: ServiceRuntime,
) -> None:
    recognition = await granted(runtime)
    engine = repository._public_engine(runtime.db)
    assert engine is not None
    query = sa.text("SELECT count(*) FROM recognition WHERE verification_code = :code")
    params = {"code": recognition.verification_code}
    async with engine.connect() as connection:
        scope = await connection.scalar(sa.text("SELECT current_setting('cap.organisations')"))
        assert scope == rowsecurity.SYSTEM.organisations
        assert await connection.scalar(query, params) == 1
        # The policy is what admits the row: the same connection with no scope sees nothing.
        await connection.exec_driver_sql("SET cap.organisations = ''")
        assert await connection.scalar(query, params) == 0
        await connection.invalidate()  # never back to the pool with another scope
    async with engine.connect() as connection:
        with pytest.raises(sa.exc.DBAPIError, match="read-only"):
            await connection.execute(sa.text("DELETE FROM recognition"))


async def test_another_scope_reads_through_the_reader(runtime: ServiceRuntime) -> None:
    """Code running with a scope other than a public route's (here: a request that has not said
    who is calling) does not take the public connections: the reader scopes it, and row-level
    security hides the recognition."""
    recognition = await granted(runtime)
    public_url = runtime.settings.public_base  # type: ignore[attr-defined]
    engine = repository._public_engine(runtime.db)
    assert engine is not None
    seen = statements_of(engine)
    token = rowsecurity._request_state.set({})
    try:
        assert rowsecurity.current_scope() == rowsecurity.NOTHING
        with pytest.raises(NotFound):
            await registry.verify(
                runtime.db, code=recognition.verification_code, public_url=public_url
            )
    finally:
        rowsecurity._request_state.reset(token)
    assert seen == []


async def test_public_statements_are_traced_like_the_service_s(
    pg_databases: PgDatabases, spans: InMemorySpanExporter
) -> None:
    url = await own_database(pg_databases, __name__)
    settings = Settings()
    settings.database_url = url
    runtime = SERVICE.build_runtime(settings)  # tracing on before its engines are made
    try:
        recognition = await granted(runtime)
        public_url = runtime.settings.public_base  # type: ignore[attr-defined]
        spans.clear()
        with telemetry.tracer().start_as_current_span("GET /v1/registry/verify/{code}") as request:
            await registry.verify(
                runtime.db, code=recognition.verification_code, public_url=public_url
            )
    finally:
        await runtime.close()
    statements = [s for s in spans.get_finished_spans() if "db.statement" in (s.attributes or {})]
    assert len(statements) == 1
    assert statements[0].kind is SpanKind.CLIENT
    assert statements[0].parent is not None
    assert statements[0].parent.span_id == request.get_span_context().span_id
    assert recognition.verification_code not in str(dict(statements[0].attributes or {}))


async def test_503_when_the_database_is_down() -> None:
    settings = Settings()
    settings.database_url = "postgresql://cap@127.0.0.1:9/cap_nowhere"
    runtime = SERVICE.build_runtime(settings)
    try:
        app = SERVICE.create_app(runtime, manage_runtime=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            answer = await client.get("/v1/registry/verify/ABCD-EFGH-JKLM")
    finally:
        await runtime.close()
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert repository._public_engine(runtime.db) is not None  # it was the public engine's
