"""Audit service fixtures: the service on this worker's PostgreSQL database, rolled back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import yaml

from cap_audit import main as audit_main
from cap_audit.config import Settings
from cap_audit.models import Organisation, metadata
from cap_shared.clock import wall_now
from cap_shared.contracts import schemes
from cap_shared.db.session import Database
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.runtime import ServiceRuntime
from cap_shared.testing.auth import TestIssuer
from cap_shared.testing.fixtures import PgDatabases
from cap_shared.testing.siret import make_siret

AUDIENCE = "urn:cap:audit"


#: The day the service's tests start on (its clock runs on from there).
TEST_START = datetime(2026, 11, 20, 10, tzinfo=UTC)


@dataclass
class Service:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    issuer: TestIssuer
    organisations: dict[str, Organisation] = field(default_factory=dict)

    def headers(
        self,
        *grants: Mapping[str, str],
        subject: str | None = None,
        kind: str = "user",
        scope: str = "",
    ) -> dict[str, str]:
        token = self.issuer.token(
            roles=list(grants), subject=subject, audience=AUDIENCE, kind=kind, scope=scope
        )
        return {"Authorization": f"Bearer {token}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.headers({"role": "admin"})

    def member(self, organisation: str = "a") -> dict[str, str]:
        return self.headers(
            {"role": "member_admin", "organisation_id": self.organisations[organisation].id}
        )

    def body(
        self, body_id: str = "sgs-tuv", scope: str = "audits:read audits:write"
    ) -> dict[str, str]:
        return self.headers(
            {"role": "certification_body", "certification_body_id": body_id},
            subject=f"client:{body_id}",
            kind="client",
            scope=scope,
        )

    def auditor(self, user_id: str, body_id: str = "sgs-tuv") -> dict[str, str]:
        return self.headers(
            {"role": "auditor", "certification_body_id": body_id}, subject=f"user:{user_id}"
        )

    async def add_organisation(self, key: str, region: str = "76") -> Organisation:
        organisation = Organisation(
            id=str(uuid.uuid4()),
            siret=make_siret(8000 + len(self.organisations)),
            name=f"Structure {key}",
            region=region,
            registered_at=wall_now(),
        )
        async with self.runtime.db.session() as session:
            session.add(organisation)
        self.organisations[key] = organisation
        return organisation


async def open_service(db: Database, tmp_path: Any) -> Service:
    issuer = TestIssuer()
    broker = MemoryBroker()
    await broker.start()
    runtime = audit_main.build_runtime(
        Settings(files_dir=str(tmp_path / "files")), db=db, broker=broker, keys=issuer.key_source()
    )
    # The service's time starts on a fixed day whatever the wall clock says: the dates the
    # tests expect are computed from it.
    runtime.clock.set(TEST_START)
    app = audit_main.create_app(runtime, manage_runtime=False)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://audit")
    svc = Service(client, runtime, issuer)
    await svc.add_organisation("a", "76")
    await svc.add_organisation("b", "11")
    return svc


@pytest.fixture
async def service(pg_databases: PgDatabases, tmp_path: Any) -> AsyncIterator[Service]:
    """The service in one transaction rolled back at the end (one connection: no concurrency)."""
    url = await asyncio.to_thread(pg_databases.url_for, "audit", audit_main.MIGRATIONS, metadata)
    engine_db = Database(url)
    connection = await engine_db.engine.connect()
    transaction = await connection.begin()
    svc = await open_service(Database.bound_to(url, connection), tmp_path)
    try:
        yield svc
    finally:
        await svc.client.aclose()
        await transaction.rollback()
        await connection.close()
        await engine_db.dispose()


@pytest.fixture
async def live_service(make_database: Any, tmp_path: Any) -> AsyncIterator[Service]:
    """The service on a pool of real connections, committed data (emptied first): for tests
    where another party calls the service while the test works."""
    db = await make_database("postgresql", "audit-live", audit_main.MIGRATIONS, metadata)
    svc = await open_service(db, tmp_path)
    try:
        yield svc
    finally:
        await svc.client.aclose()


def use_parameters(service: Service, directory: Any, scheme: str, **changes: Any) -> None:
    """Run ``service`` on the packaged scheme parameters with ``changes`` to one scheme's,
    copied into ``directory`` (as ``CAP_SCHEME_PARAMETERS_DIR`` would point it)."""
    for name in schemes.SCHEMES:
        data = yaml.safe_load((schemes.PACKAGED / f"{name}.yaml").read_text(encoding="utf-8"))
        if name == scheme:
            data.update(changes)
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    settings = Settings(files_dir=str(directory / "files"), scheme_parameters_dir=directory)
    service.runtime.settings = settings


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()
