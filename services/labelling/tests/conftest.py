"""Labelling service fixtures: the service on this worker's PostgreSQL database, rolled back
(``service``), or on a database of the test module's own, committed (``runtime``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from cap_labelling import main as labelling_main
from cap_labelling.config import Settings
from cap_labelling.events import handlers
from cap_labelling.events.handlers import on_diagnostic_completed
from cap_labelling.level_rules import service as level_rules
from cap_labelling.models import Organisation, metadata
from cap_shared.clock import using, wall_now
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import AuditReportSubmittedV1, EvaluatedMaturityV1, FindingV1
from cap_shared.contracts.diagnostic import (
    CriterionScoreV1,
    DiagnosticCompletedV1,
    GroupScoreV1,
    ReferentialRef,
)
from cap_shared.contracts.registry import EventModel
from cap_shared.db.session import Database
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.runtime import ServiceRuntime
from cap_shared.testing.auth import TestIssuer
from cap_shared.testing.events import rse_evaluation
from cap_shared.testing.fixtures import PgDatabases
from cap_shared.testing.siret import make_siret

AUDIENCE = "urn:cap:labelling"

#: URN prefix of the CAP RSE criteria (the report's evaluated maturity names them).
RSE_CRITERION = "urn:coorace:referentiel:cap-rse:critere"
#: The core criteria of CAP RSE v1 (its own and those of CAP it reuses).
CORE = frozenset({"R1", "R4", "R7", "R8", "R24", "T1.1", "T2.1", "T2.2", "T3.4", "T4.1"})
#: An evaluation's criteria, every one rated (a few stand for the referential's 48).
CRITERIA: dict[str, int | None] = {"R1": 3, "R2": 3, "R8": 3, "R24": 3, "T1.1": 3, "T3.1": 2}


@dataclass
class Service:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    issuer: TestIssuer
    organisations: dict[str, Organisation] = field(default_factory=dict)

    def headers(self, *grants: Mapping[str, str]) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.issuer.token(roles=list(grants), audience=AUDIENCE)}"
        }

    @property
    def admin(self) -> dict[str, str]:
        return self.headers({"role": "admin"})

    def committee(self, subject: str = "user:committee-1") -> dict[str, str]:
        token = self.issuer.token(roles=[{"role": "committee"}], audience=AUDIENCE, subject=subject)
        return {"Authorization": f"Bearer {token}"}

    def body(self, body_id: str = "sgs-tuv", scope: str = "certifications:write") -> dict[str, str]:
        """The certification body's system (an API client acting as the body)."""
        token = self.issuer.token(
            roles=[{"role": "certification_body", "certification_body_id": body_id}],
            audience=AUDIENCE,
            subject=f"client:{body_id}-system",
            kind="client",
            scope=scope,
        )
        return {"Authorization": f"Bearer {token}"}

    def member_admin(self, key: str = "a") -> dict[str, str]:
        return self.headers({"role": "member_admin", "organisation_id": self.organisations[key].id})

    async def consent(self, application: Mapping[str, Any], *keys: str) -> dict[str, Any]:
        """Each of ``keys``' member_admin accepts its invitation to ``application``'s group:
        the application as it stands then."""
        for key in keys:
            mine = ok(
                await self.client.get(
                    "/v1/group-invitations?status=pending", headers=self.member_admin(key)
                )
            )["data"]
            (invitation,) = [i for i in mine if i["application_id"] == application["id"]]
            ok(
                await self.client.post(
                    f"/v1/group-invitations/{invitation['id']}/acceptance",
                    headers=self.member_admin(key),
                )
            )
        return dict(
            ok(await self.client.get(f"/v1/applications/{application['id']}", headers=self.admin))
        )

    async def add_organisation(self, key: str, region: str = "76") -> Organisation:
        organisation = Organisation(
            id=str(uuid.uuid4()),
            siret=make_siret(9000 + len(self.organisations)),
            name=f"Structure {key}",
            siae_types=["ACI"],
            region=region,
            region_name="Occitanie",
            registered_at=wall_now(),
        )
        async with self.runtime.db.session() as session:
            session.add(organisation)
        self.organisations[key] = organisation
        return organisation

    async def completed(
        self,
        key: str,
        completed_at: datetime,
        score: int = 600,
        facilitators: tuple[str, ...] = (),
    ) -> None:
        """A completed CAP diagnostic of ``key``, as diagnostic.completed.v1 brings it (an
        accompanied session when ``facilitators`` ran it)."""
        group = GroupScoreV1(
            group="overall",
            code="CAP",
            name="CAP",
            score=score,
            band="Confirmé",
            rated=22,
            not_applicable=0,
            total=22,
        )
        event = DiagnosticCompletedV1(
            diagnostic_id=str(uuid.uuid4()),
            organisation_id=self.organisations[key].id,
            kind="cap_session",
            facilitator_user_ids=list(facilitators),
            referential=ReferentialRef(urn="urn:coorace:referentiel:cap", code="CAP", version=1),
            completed_at=completed_at,
            overall=group,
            themes=[],
            criteria=[],
        )
        async with self.runtime.db.session() as session:
            await on_diagnostic_completed(
                session, new_event(event, source="/cap/diagnostic"), event
            )

    async def completed_rse(
        self, key: str, overall: int, subjects: Mapping[str, int | None], version: int = 1
    ) -> None:
        """A completed CAP RSE evaluation of ``key`` with its ISO 26000 core-subject scores."""
        event = rse_evaluation(
            self.organisations[key].id,
            overall,
            subjects,
            completed_at=self.runtime.clock.now(),
            version=version,
        )
        await self.deliver(event)

    async def evaluated(
        self,
        key: str,
        audit_id: str,
        overall: int,
        subjects: Mapping[str, int | None] | int,
        *,
        version: int = 1,
        criteria: Mapping[str, int | None] | None = None,
        not_applicable: tuple[str, ...] = (),
    ) -> DiagnosticCompletedV1:
        """The auditor's evaluation of ``key`` in audit ``audit_id``, as the diagnostic service
        scores it (kind audit_evaluation, one per site): its scores and its criteria (code ->
        level, None: not rated; the core ones are those of CAP RSE v1)."""
        levels = dict(CRITERIA if criteria is None else criteria)
        event = rse_evaluation(
            self.organisations[key].id,
            overall,
            subjects,
            completed_at=self.runtime.clock.now(),
            version=version,
        ).model_copy(
            update={
                "kind": "audit_evaluation",
                "audit_id": audit_id,
                "criteria": [
                    CriterionScoreV1(
                        urn=f"{RSE_CRITERION}:{code.lower()}",
                        code=code,
                        level=None if code in not_applicable else level,
                        max_level=4,
                        not_applicable=code in not_applicable,
                        core=code in CORE,
                    )
                    for code, level in {**levels, **dict.fromkeys(not_applicable)}.items()
                ],
            }
        )
        await self.deliver(event)
        return event

    async def deliver(self, event: EventModel) -> None:
        """Hand ``event`` to this service's handler, as the worker would, at the clock's time."""
        envelope = new_event(event, source="/cap/test")
        envelope = envelope.model_copy(update={"time": self.runtime.clock.now()})
        # On the service's clock, as the worker runs it.
        with using(self.runtime.clock):
            async with self.runtime.db.session() as session:
                await handlers.HANDLERS[envelope.type](session, envelope, event)

    async def report(
        self,
        key: str,
        scheme: str,
        audit_type: str,
        *,
        majors: int = 0,
        auditors: tuple[str, ...] = ("auditor-1",),
        evaluated: int = 0,
        audit_id: str | None = None,
        deliver: bool = True,
        site_ids: tuple[str, ...] = (),
    ) -> AuditReportSubmittedV1:
        """An audit report on ``key`` (with ``majors`` major nonconformities and the evaluated
        maturity of ``evaluated`` CAP RSE criteria)."""
        now = self.runtime.clock.now()
        findings = [
            FindingV1(
                finding_id=str(uuid.uuid4()),
                type="major_nc",
                title=f"NC majeure {i}",
                response_due=(now + timedelta(days=90)).date(),
            )
            for i in range(majors)
        ]
        event = AuditReportSubmittedV1(
            audit_id=audit_id or str(uuid.uuid4()),
            organisation_id=self.organisations[key].id,
            scheme=scheme,
            audit_type=audit_type,
            submitted_at=now,
            findings=findings,
            summary={"major_nc": majors} if majors else {},
            certification_body_id="sgs-tuv",
            auditor_user_ids=list(auditors),
            evaluated_maturity=[
                EvaluatedMaturityV1(criterion_urn=f"{RSE_CRITERION}:r{i + 1}", level=3)
                for i in range(evaluated)
            ],
            site_ids=[self.organisations[k].id for k in site_ids],
        )
        if deliver:
            await self.deliver(event)
        return event


@pytest.fixture
async def service(pg_databases: PgDatabases) -> AsyncIterator[Service]:
    url = await asyncio.to_thread(
        pg_databases.url_for, "labelling", labelling_main.MIGRATIONS, metadata
    )
    engine_db = Database(url)
    connection = await engine_db.engine.connect()
    transaction = await connection.begin()
    issuer = TestIssuer()
    broker = MemoryBroker()
    await broker.start()
    runtime = labelling_main.build_runtime(
        Settings(), db=Database.bound_to(url, connection), broker=broker, keys=issuer.key_source()
    )
    app = labelling_main.create_app(runtime, manage_runtime=False)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://labelling")
    svc = Service(client, runtime, issuer)
    async with runtime.db.session() as session:
        await level_rules.seed(session)  # the data step `migrate` runs after the migrations
    for key in ("a", "b", "c"):
        await svc.add_organisation(key)
    try:
        yield svc
    finally:
        await client.aclose()
        await transaction.rollback()
        await connection.close()
        await engine_db.dispose()


async def own_database(pg_databases: PgDatabases, module: str) -> str:
    """The runtime role's URL of a migrated database of test module ``module``'s own."""
    key = "labelling_" + module.rsplit(".", 1)[-1].removeprefix("test_")
    return await asyncio.to_thread(pg_databases.url_for, key, labelling_main.MIGRATIONS, metadata)


@pytest.fixture
async def runtime(
    pg_databases: PgDatabases, request: pytest.FixtureRequest
) -> AsyncIterator[ServiceRuntime]:
    """The service on a PostgreSQL database of the test module's own, as the runtime role
    (row-level security applies), rows committed: what another connection (a concurrent
    transaction, the registry's public one) reads. A module on SQLite overrides it."""
    settings = Settings()
    settings.database_url = await own_database(pg_databases, request.module.__name__)
    runtime = labelling_main.SERVICE.build_runtime(settings)
    try:
        yield runtime
    finally:
        await runtime.close()


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()
