"""Notifications service fixtures: the service on this worker's PostgreSQL database, rolled back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from cap_notifications import main as notifications_main
from cap_notifications.config import Settings
from cap_notifications.events import handlers
from cap_notifications.models import Organisation, metadata
from cap_shared.clock import using, wall_now
from cap_shared.contracts import new_event
from cap_shared.contracts.identity import UserChangedV1
from cap_shared.contracts.registry import EventModel
from cap_shared.db.session import Database
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.runtime import ServiceRuntime
from cap_shared.testing.auth import TestIssuer
from cap_shared.testing.fixtures import PgDatabases

AUDIENCE = "urn:cap:notifications"


@dataclass
class Service:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    issuer: TestIssuer
    #: The app behind ``client`` (for tests that read its state or call it as ASGI).
    app: FastAPI | None = None
    organisations: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)
    #: Each person's memberships: the grants of their access token, as the gateway issues it.
    grants: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        settings = self.runtime.settings
        assert isinstance(settings, Settings)
        return settings

    def headers(self, *grants: Mapping[str, str], subject: str | None = None) -> dict[str, str]:
        token = self.issuer.token(roles=list(grants), audience=AUDIENCE, subject=subject)
        return {"Authorization": f"Bearer {token}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.headers({"role": "admin"})

    def as_person(self, key: str) -> dict[str, str]:
        """A token for a person of the directory (their user id is the token's subject, their
        memberships its grants)."""
        grants = self.grants.get(key) or [{"role": "member"}]
        return self.headers(*grants, subject=f"user:{self.people[key]}")

    async def add_organisation(self, key: str, region: str = "76") -> Organisation:
        organisation = Organisation(
            id=str(uuid.uuid4()),
            name=f"Structure {key}",
            region=region,
            registered_at=wall_now(),
        )
        async with self.runtime.db.session() as session:
            session.add(organisation)
        self.organisations[key] = organisation
        return organisation

    async def add_person(
        self, key: str, *memberships: Mapping[str, str | None], status: str = "active"
    ) -> str:
        """A person in the directory, as identity.user.changed.v1 brings them."""
        user_id = self.people.get(key) or str(uuid.uuid4())
        self.people[key] = user_id
        self.grants[key] = [{k: v for k, v in m.items() if v is not None} for m in memberships]
        await self.deliver(
            UserChangedV1(
                user_id=user_id,
                email=f"{key}@coorace.example",
                name=f"Personne {key}",
                status=status,
                memberships=[dict(m) for m in memberships],
                changed_at=self.runtime.clock.now(),
            )
        )
        return user_id

    async def deliver(self, event: EventModel, envelope_id: str | None = None) -> str:
        """Hand ``event`` to this service's handler, as the worker would; returns the event id."""
        envelope = new_event(event, source="/cap/test")
        update: dict[str, Any] = {"time": self.runtime.clock.now()}
        if envelope_id:
            update["id"] = envelope_id
        envelope = envelope.model_copy(update=update)
        # On the service's clock, as the worker runs it.
        with using(self.runtime.clock):
            async with self.runtime.db.session() as session:
                await handlers.HANDLERS[envelope.type](session, envelope, event)
        return envelope.id


@pytest.fixture
async def service(pg_databases: PgDatabases) -> AsyncIterator[Service]:
    url = await asyncio.to_thread(
        pg_databases.url_for, "notifications", notifications_main.MIGRATIONS, metadata
    )
    engine_db = Database(url)
    connection = await engine_db.engine.connect()
    transaction = await connection.begin()
    broker = MemoryBroker()
    await broker.start()
    svc = await start_service(Database.bound_to(url, connection), broker)
    try:
        yield svc
    finally:
        await svc.client.aclose()
        await transaction.rollback()
        await connection.close()
        await engine_db.dispose()


async def start_service(db: Database, broker: MemoryBroker, **settings: Any) -> Service:
    """The notifications API on ``db`` with tokens from a test issuer (``settings`` change the
    service's; SMTP mail and private webhook addresses by default), and organisations a (in
    Occitanie) and b."""
    issuer = TestIssuer()
    runtime = notifications_main.build_runtime(
        Settings(**{"mail_transport": "smtp", "webhook_allow_private": True, **settings}),
        db=db,
        broker=broker,
        keys=issuer.key_source(),
    )
    app = notifications_main.create_app(runtime, manage_runtime=False)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://notifications"
    )
    svc = Service(client, runtime, issuer, app)
    for key in ("a", "b"):
        await svc.add_organisation(key, region="76" if key == "a" else "11")
    return svc


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()
