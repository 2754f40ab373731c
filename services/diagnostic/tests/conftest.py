"""Diagnostic service fixtures: the service on this worker's PostgreSQL database, rolled back.

Callers are minted by a test issuer (the gateway is not needed to test the service's rules);
organisations are written to the read model as their registration event would.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cap_diagnostic import main as diagnostic_main
from cap_diagnostic.config import Settings
from cap_diagnostic.models import Organisation, metadata
from cap_diagnostic.referentials.service import import_library
from cap_diagnostic.resources.service import import_catalogue
from cap_shared.clock import wall_now
from cap_shared.db.session import Database
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.runtime import ServiceRuntime
from cap_shared.testing.auth import TestIssuer
from cap_shared.testing.fixtures import PgDatabases
from cap_shared.testing.siret import make_siret

#: The day the service's tests start on (its clock runs on from there).
TEST_START = datetime(2026, 11, 20, 10, tzinfo=UTC)


@dataclass
class Service:
    """A client on the diagnostic app, its runtime, and who may call it."""

    client: httpx.AsyncClient
    runtime: ServiceRuntime
    issuer: TestIssuer
    organisations: dict[str, Organisation] = field(default_factory=dict)

    def headers(self, *grants: Mapping[str, str], subject: str | None = None) -> dict[str, str]:
        token = self.issuer.token(roles=list(grants), subject=subject)
        return {"Authorization": f"Bearer {token}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.headers({"role": "admin"})

    def member(self, organisation: str = "a", role: str = "member") -> dict[str, str]:
        return self.headers({"role": role, "organisation_id": self.organisations[organisation].id})

    def facilitator(self, region: str = "52") -> dict[str, str]:
        return self.headers({"role": "facilitator", "region": region})

    async def add_organisation(
        self, key: str, *, region: str = "52", types: list[str] | None = None
    ) -> Organisation:
        organisation = Organisation(
            id=str(uuid.uuid4()),
            siret=make_siret(7000 + len(self.organisations)),
            name=f"Structure {key}",
            siae_types=types or ["ACI"],
            region=region,
            registered_at=wall_now(),
        )
        async with self.runtime.db.session() as session:
            session.add(organisation)
        self.organisations[key] = organisation
        return organisation


async def open_service(db: Database) -> tuple[httpx.AsyncClient, ServiceRuntime, TestIssuer]:
    issuer = TestIssuer()
    broker = MemoryBroker()
    await broker.start()
    runtime = diagnostic_main.build_runtime(
        Settings(), db=db, broker=broker, keys=issuer.key_source()
    )
    # The service's time starts on a fixed day whatever the wall clock says: the dates the
    # tests expect are computed from it.
    runtime.clock.set(TEST_START)
    app = diagnostic_main.create_app(runtime, manage_runtime=False)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://diagnostic")
    return client, runtime, issuer


@pytest.fixture
async def service(pg_databases: PgDatabases) -> AsyncIterator[Service]:
    """The service with the shipped referentials and two organisations (a: region 52, b: 11)."""
    url = await asyncio.to_thread(
        pg_databases.url_for, "diagnostic", diagnostic_main.MIGRATIONS, metadata
    )
    engine_db = Database(url)
    connection = await engine_db.engine.connect()
    transaction = await connection.begin()
    db = Database.bound_to(url, connection)
    async with db.session() as session:
        await import_library(session)
        await import_catalogue(session)
    client, runtime, issuer = await open_service(db)
    svc = Service(client, runtime, issuer)
    await svc.add_organisation("a", region="52")
    await svc.add_organisation("b", region="11")
    try:
        yield svc
    finally:
        await client.aclose()
        await transaction.rollback()
        await connection.close()
        await engine_db.dispose()


def answer(criterion: str, level: int | None = None, **extra: Any) -> dict[str, Any]:
    """An answer body with a fresh client-generated id."""
    return {"id": str(uuid.uuid4()), "criterion": criterion, "level": level, **extra}
