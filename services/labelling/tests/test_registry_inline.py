"""On a SQLite file (``make run``, the benchmark), the registry's verification reads on the event
loop's own thread (no aiosqlite thread): the same answer, byte for byte, as through the reader;
read only; through the reader when SQLite's lock is not had at once."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from cap_labelling import rules
from cap_labelling.config import Settings
from cap_labelling.main import SERVICE
from cap_labelling.models import Organisation
from cap_labelling.recognitions import service as recognitions
from cap_labelling.registry import repository
from cap_labelling.registry import service as registry
from cap_shared import telemetry
from cap_shared.clock import wall_now
from cap_shared.contracts import schemes
from cap_shared.problems import NotFound
from cap_shared.runtime import ServiceRuntime
from cap_shared.testing.siret import make_siret
from cap_shared.testing.tracing import spans

__all__ = ["spans"]

_sirets = itertools.count(7100)


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[ServiceRuntime]:
    settings = Settings()
    settings.database_url = f"sqlite+aiosqlite:///{tmp_path / 'labelling.db'}"
    runtime = SERVICE.build_runtime(settings)
    await runtime.migrate()
    try:
        yield runtime
    finally:
        await runtime.close()


async def granted(runtime: ServiceRuntime) -> Any:
    """One structure and its active CAP RSE label, committed (a SIRET of its own: the
    PostgreSQL tests share their database)."""
    async with runtime.db.session() as session:
        organisation = Organisation(
            id=str(uuid.uuid4()),
            siret=make_siret(next(_sirets)),
            name="Atelier d'insertion des Deux Rives",
            siae_types=["ACI"],
            region="84",
            region_name="Auvergne-Rhône-Alpes",
            registered_at=wall_now(),
        )
        session.add(organisation)
        await session.flush()
        return await recognitions.grant(
            session,
            organisation_id=organisation.id,
            group_member_ids=[],
            scheme=rules.Scheme.CAP_RSE,
            level="Confirmé",
            scope="Ensemble des activités",
            certification_body_id="sgs-tuv",
            external_number=None,
            decision_id=None,
            cycle=rules.initial_cycle(wall_now().date(), schemes.load()["CAP_RSE"]),
            actor="test",
            now=wall_now(),
        )


async def test_the_same_answer_as_through_the_reader(runtime: ServiceRuntime) -> None:
    recognition = await granted(runtime)
    public_url = runtime.settings.public_base  # type: ignore[attr-defined]
    async with runtime.db.reader() as reader:
        expected = await registry.verification_body(
            reader, code=recognition.verification_code, public_url=public_url
        )
    inline = await registry.verify(
        runtime.db, code=recognition.verification_code, public_url=public_url
    )
    by_number = await registry.verify(runtime.db, number=recognition.number, public_url=public_url)
    assert inline == by_number == expected
    assert repository._inline_engine(runtime.db) is not None  # it did read inline
    with pytest.raises(NotFound):
        await registry.verify(runtime.db, code="ZZZZ-ZZZZ-ZZZZ", public_url=public_url)
    app = SERVICE.create_app(runtime, manage_runtime=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        answer = await client.get(f"/v1/registry/verify/{recognition.verification_code}")
        unknown = await client.get("/v1/registry/verify/ZZZZ-ZZZZ-ZZZZ")
    assert answer.status_code == 200
    assert answer.content == expected
    assert answer.headers["etag"] == registry.etag_of(expected)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


async def test_inline_reads_cannot_write(runtime: ServiceRuntime) -> None:
    engine = repository._inline_engine(runtime.db)
    assert engine is not None
    with engine.connect() as connection, pytest.raises(sa.exc.OperationalError, match="readonly"):
        connection.exec_driver_sql("DELETE FROM recognition")


async def test_through_the_reader_when_the_lock_is_not_had(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    recognition = await granted(runtime)
    public_url = runtime.settings.public_base  # type: ignore[attr-defined]
    expected = await registry.verify(
        runtime.db, code=recognition.verification_code, public_url=public_url
    )
    engine = repository._inline_engine(runtime.db)
    assert engine is not None

    def locked(*_args: Any, **_kwargs: Any) -> Any:
        raise sa.exc.OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(engine, "connect", locked)
    assert (
        await registry.verify(runtime.db, code=recognition.verification_code, public_url=public_url)
        == expected
    )

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise sa.exc.OperationalError("SELECT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(engine, "connect", broken)
    with pytest.raises(sa.exc.OperationalError):  # any other failure is not hidden
        await registry.verify(runtime.db, code=recognition.verification_code, public_url=public_url)


async def test_inline_statements_are_traced_like_the_service_s(
    tmp_path: Path, spans: InMemorySpanExporter
) -> None:
    """Tracing on: the inline read is a SQL span under the request's, as through the reader."""
    settings = Settings()
    settings.database_url = f"sqlite+aiosqlite:///{tmp_path / 'traced.db'}"
    runtime = SERVICE.build_runtime(settings)
    await runtime.migrate()
    try:
        recognition = await granted(runtime)
        public_url = runtime.settings.public_base  # type: ignore[attr-defined]
        assert repository._inline_engine(runtime.db) is not None  # read inline
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
