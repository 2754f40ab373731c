"""Tenant isolation's database backstop (PostgreSQL row-level security), on a service of its own.

The app's routes forget their organisation filter on purpose: whatever they read or write, the
database admits only the rows of the caller's scope. The service connects as the runtime role
``make_database`` hands out (not the tables' owner), as a deployment does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError

from cap_shared.app import create_service_app
from cap_shared.clock import wall_now
from cap_shared.db import rowsecurity
from cap_shared.db.session import Database
from cap_shared.deps import ReaderDep, RuntimeDep, SessionDep
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.runtime import ServiceRuntime, infra_tables
from cap_shared.security import Allow, Grant, Principal, Public, Role
from cap_shared.settings import BaseServiceSettings
from cap_shared.testing.auth import TestIssuer, bearer

pytestmark = pytest.mark.postgres

metadata = sa.MetaData()
organisation = sa.Table(
    "organisation",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("region", sa.String(2), nullable=False),
)
record = sa.Table(
    "record",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("organisation_id", sa.String(36), nullable=False),
)
group_file = sa.Table(
    "group_file",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("organisation_id", sa.String(36), nullable=False),
    sa.Column("group_member_ids", sa.JSON, nullable=True),
)
notice = sa.Table(
    "notice",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("organisation_id", sa.String(36), nullable=True),
)
tables = infra_tables(metadata)

ALL_RECORDS = ["a1", "a2", "b1", "c1"]


class RecordIn(BaseModel):
    id: str
    organisation_id: str


router = APIRouter()
Anyone = Annotated[Principal, Depends(Allow(*Role))]


@router.get("/records")
async def records(_principal: Anyone, session: SessionDep) -> list[str]:
    """Every record: no organisation filter, on purpose."""
    return list((await session.execute(sa.select(record.c.id).order_by("id"))).scalars())


@router.get("/records/raw")
async def records_raw(_principal: Anyone, runtime: RuntimeDep) -> list[str]:
    """Every record through a bare connection of the engine, not a session."""
    async with runtime.db.engine.connect() as conn:
        return list((await conn.execute(sa.select(record.c.id).order_by("id"))).scalars())


@router.get("/records/reader")
async def records_reader(_principal: Anyone, reader: ReaderDep) -> list[str]:
    """Every record through the read-only connection of a hot read path, not a session."""
    return list((await reader.execute(sa.select(record.c.id).order_by("id"))).scalars())


@router.get("/public/records/reader", dependencies=[Public])
async def public_records_reader(reader: ReaderDep) -> list[str]:
    """A public route's read-only connection (the registry's verification)."""
    return list((await reader.execute(sa.select(record.c.id).order_by("id"))).scalars())


@router.post("/records", status_code=201)
async def add_record(_principal: Anyone, session: SessionDep, data: RecordIn) -> dict[str, str]:
    """Insert whatever organisation the body names: no check, on purpose."""
    await session.execute(sa.insert(record).values(**data.model_dump()))
    return data.model_dump()


@router.post("/records/{record_id}/move")
async def move_record(
    _principal: Anyone, session: SessionDep, record_id: str, data: RecordIn
) -> dict[str, int]:
    """Rewrite a record's organisation: no check, on purpose."""
    result = await session.execute(
        sa.update(record)
        .where(record.c.id == record_id)
        .values(organisation_id=data.organisation_id)
    )
    return {"updated": result.rowcount}  # type: ignore[attr-defined]


@router.get("/group-files")
async def group_files(_principal: Anyone, session: SessionDep) -> list[str]:
    """Every group file, unfiltered."""
    return list((await session.execute(sa.select(group_file.c.id).order_by("id"))).scalars())


@router.get("/notices")
async def notices(_principal: Anyone, session: SessionDep) -> list[str]:
    """Every notice, unfiltered."""
    return list((await session.execute(sa.select(notice.c.id).order_by("id"))).scalars())


@router.get("/network-size")
async def network_size(_principal: Anyone, session: SessionDep) -> dict[str, int]:
    """A count across organisations (as k-anonymous statistics do), then the caller's own."""
    async with rowsecurity.across_organisations(session):
        network = (await session.execute(sa.select(sa.func.count()).select_from(record))).scalar()
    own = (await session.execute(sa.select(sa.func.count()).select_from(record))).scalar()
    return {"network": int(network or 0), "own": int(own or 0)}


@router.get("/public/records", dependencies=[Public])
async def public_records(session: SessionDep) -> list[str]:
    """A public route (a registry): not scoped to anyone's organisations."""
    return list((await session.execute(sa.select(record.c.id).order_by("id"))).scalars())


class Service:
    def __init__(self, client: httpx.AsyncClient, db: Database, issuer: TestIssuer) -> None:
        self.client = client
        self.db = db
        self.issuer = issuer

    def as_(self, *grants: dict[str, str], kind: str = "user") -> dict[str, str]:
        subject = "client:sgs" if kind == "client" else "user:u1"
        return bearer(
            self.issuer.token(
                roles=list(grants),
                audience="urn:cap:rls",
                subject=subject,
                kind=kind,
                scope="audits:read" if kind == "client" else "",
            )
        )

    async def get(self, path: str, *grants: dict[str, str], kind: str = "user") -> Any:
        response = await self.client.get(path, headers=self.as_(*grants, kind=kind))
        assert response.status_code == 200, response.text
        return response.json()


def member(organisation_id: str, role: str = "member") -> dict[str, str]:
    return {"role": role, "organisation_id": organisation_id}


@pytest.fixture
async def service(make_database: Any) -> AsyncIterator[Service]:
    db = await make_database("postgresql", "rls", None, metadata)
    async with db.session() as session:  # outside any request: the system's scope
        await session.execute(
            sa.insert(organisation),
            [{"id": "a", "region": "11"}, {"id": "b", "region": "11"}, {"id": "c", "region": "84"}],
        )
        await session.execute(
            sa.insert(record),
            [{"id": i, "organisation_id": i[0]} for i in ALL_RECORDS],
        )
        await session.execute(
            sa.insert(group_file),
            [
                {"id": "ga", "organisation_id": "a", "group_member_ids": ["c"]},
                {"id": "gb", "organisation_id": "b", "group_member_ids": []},
                {"id": "gn", "organisation_id": "b", "group_member_ids": None},
            ],
        )
        await session.execute(
            sa.insert(notice),
            [{"id": "n-a", "organisation_id": "a"}, {"id": "n-none", "organisation_id": None}],
        )
    issuer = TestIssuer()
    broker = MemoryBroker()
    await broker.start()
    runtime = ServiceRuntime(
        settings=BaseServiceSettings(service_name="rls"),
        tables=tables,
        migrations=Path(__file__).parent,
        db=db,
        broker=broker,
        keys=issuer.key_source(),
    )
    app = create_service_app(
        runtime, title="rls", description="rls", routers=[router], manage_runtime=False
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        yield Service(c, db, issuer)
    await broker.close()


async def test_a_query_that_forgets_its_filter_returns_only_the_callers_organisations(
    service: Service,
) -> None:
    assert await service.get("/records", member("a")) == ["a1", "a2"]
    assert await service.get("/records", member("b", "member_admin")) == ["b1"]
    assert await service.get("/records", member("a"), member("c", "member_admin")) == [
        "a1",
        "a2",
        "c1",
    ]
    facilitator_11 = {"role": "facilitator", "region": "11"}
    assert await service.get("/records", facilitator_11) == ["a1", "a2", "b1"]
    assert await service.get("/records", member("c"), facilitator_11) == ALL_RECORDS
    assert await service.get("/records", {"role": "member"}) == []  # no organisation at all
    assert await service.get("/records/raw", member("a")) == ["a1", "a2"]  # not a session
    assert await service.get("/records/reader", member("a")) == ["a1", "a2"]  # a reader


@pytest.mark.parametrize(
    ("grant", "kind"),
    [
        ({"role": "admin"}, "user"),
        ({"role": "committee"}, "user"),
        ({"role": "auditor", "certification_body_id": "sgs"}, "user"),
        ({"role": "certification_body", "certification_body_id": "sgs"}, "client"),
    ],
)
async def test_roles_that_read_across_organisations_see_every_row(
    service: Service, grant: dict[str, str], kind: str
) -> None:
    """Their scope is the service layer's (certification body, committee...), not the database's."""
    assert await service.get("/records", grant, kind=kind) == ALL_RECORDS
    # a member who also holds such a role is not narrowed either
    assert await service.get("/records", member("a"), grant, kind=kind) == ALL_RECORDS


async def test_public_routes_and_system_code_see_every_row(service: Service) -> None:
    response = await service.client.get("/public/records")
    assert response.status_code == 200
    assert response.json() == ALL_RECORDS
    assert (await service.client.get("/public/records/reader")).json() == ALL_RECORDS
    async with service.db.session() as session:  # a consumer, a relay, a job
        rows = (await session.execute(sa.select(record.c.id).order_by("id"))).scalars().all()
        assert rows == ALL_RECORDS
        await session.execute(sa.update(record).where(record.c.id == "b1").values(id="b9"))
    assert await service.get("/records", member("b")) == ["b9"]


async def test_an_insert_for_another_organisation_is_refused(service: Service) -> None:
    headers = service.as_(member("a", "member_admin"))
    refused = await service.client.post(
        "/records", json={"id": "x", "organisation_id": "b"}, headers=headers
    )
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "request_id" in refused.json()
    accepted = await service.client.post(
        "/records", json={"id": "a3", "organisation_id": "a"}, headers=headers
    )
    assert accepted.status_code == 201, accepted.text
    assert await service.get("/records", {"role": "admin"}) == ["a1", "a2", "a3", "b1", "c1"]


async def test_a_row_cannot_be_moved_into_or_out_of_reach(service: Service) -> None:
    headers = service.as_(member("a"))
    # another organisation's row is not there for an update
    moved = await service.client.post(
        "/records/b1/move", json={"id": "b1", "organisation_id": "a"}, headers=headers
    )
    assert moved.json() == {"updated": 0}
    # an own row cannot be handed to another organisation
    handed = await service.client.post(
        "/records/a1/move", json={"id": "a1", "organisation_id": "b"}, headers=headers
    )
    assert handed.status_code == 403
    assert await service.get("/records", {"role": "admin"}) == ALL_RECORDS


async def test_group_files_are_read_by_every_member_of_the_group(service: Service) -> None:
    """A group's file names the applicant and, in a JSON list, the other members."""
    assert await service.get("/group-files", member("a")) == ["ga"]
    assert await service.get("/group-files", member("c")) == ["ga"]  # a member of a's group
    assert await service.get("/group-files", member("b")) == ["gb", "gn"]
    assert await service.get("/group-files", {"role": "facilitator", "region": "84"}) == ["ga"]


async def test_rows_of_no_organisation_are_everyones(service: Service) -> None:
    assert await service.get("/notices", member("b")) == ["n-none"]
    assert await service.get("/notices", member("a")) == ["n-a", "n-none"]


async def test_a_route_may_lift_the_scope_for_a_block_only(service: Service) -> None:
    assert await service.get("/network-size", member("a")) == {"network": 4, "own": 2}


async def test_lifting_a_scope_that_is_lifted_already_costs_no_round_trip(
    service: Service,
) -> None:
    from cap_shared.testing.statements import counting

    with counting(service.db.engine) as sent:
        assert await service.get("/network-size", {"role": "admin"}) == {"network": 4, "own": 4}
    # The BEGIN's own scope (sent with it), the two counts: no set_config around the block.
    assert not [s for s in sent.sent if "set_config" in s and not s.startswith("BEGIN")], sent
    with counting(service.db.engine) as sent:
        assert await service.get("/network-size", member("a")) == {"network": 4, "own": 2}
    assert len([s for s in sent.sent if "set_config" in s]) >= 2, sent  # lifted, restored


async def test_a_transaction_that_says_nothing_sees_no_tenant_row(service: Service) -> None:
    """Fail closed: a connection that did not go through the platform's engine sets no scope."""
    import asyncpg

    url = service.db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetch("SELECT id FROM record") == []
        assert len(await conn.fetch("SELECT id FROM organisation")) == 3
    finally:
        await conn.close()
    # The platform's bare connections (relay, probes) are system code: every row.
    async with service.db.engine.connect() as raw:
        assert len((await raw.execute(sa.select(record.c.id))).all()) == len(ALL_RECORDS)


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE record DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE record NO FORCE ROW LEVEL SECURITY",
        "ALTER TABLE record ADD COLUMN x integer",
        f"DROP POLICY {rowsecurity.POLICY} ON record",
        "CREATE POLICY everything ON record USING (true)",
        "DROP TABLE record",
        "TRUNCATE record",
        "ALTER TABLE record OWNER TO CURRENT_USER",
        "CREATE TABLE intruder (id integer)",
        "SET ROLE postgres",
    ],
)
async def test_the_runtime_role_cannot_alter_drop_or_disable_the_policy(
    service: Service, statement: str
) -> None:
    async with service.db.engine.connect() as conn:
        with pytest.raises(DBAPIError, match=r"must be owner|permission denied"):
            await conn.exec_driver_sql(statement)


async def test_turning_row_security_off_errors_instead_of_showing_rows(service: Service) -> None:
    async with service.db.session() as session:
        await session.execute(sa.text("SET LOCAL row_security = off"))
        with pytest.raises(DBAPIError, match="row-level security"):
            await session.execute(sa.select(record.c.id))


async def test_scope_of_principals() -> None:
    def principal(*grants: Grant, kind: str = "user") -> Principal:
        return Principal("user:u", kind, grants, "c", "t", wall_now())

    assert rowsecurity.scope_of(
        principal(Grant(Role.MEMBER, organisation_id="b"), Grant(Role.MEMBER_ADMIN, "a"))
    ) == rowsecurity.RowScope("a,b", "")
    assert rowsecurity.scope_of(
        principal(Grant(Role.FACILITATOR, region="84"), Grant(Role.FACILITATOR, region="11"))
    ) == rowsecurity.RowScope("", "11,84")
    assert rowsecurity.scope_of(principal(Grant(Role.MEMBER, organisation_id="a,b"))) == (
        rowsecurity.RowScope("", "")
    )
    for role in (Role.ADMIN, Role.COMMITTEE, Role.AUDITOR):
        assert rowsecurity.scope_of(principal(Grant(Role.MEMBER, "a"), Grant(role))) == (
            rowsecurity.SYSTEM
        )
    client = principal(Grant(Role.CERTIFICATION_BODY, certification_body_id="x"), kind="client")
    assert rowsecurity.scope_of(client) == rowsecurity.SYSTEM


async def test_applying_again_changes_nothing(service: Service, pg_databases: Any) -> None:
    """A migrate with nothing to do rewrites no policy (so takes no lock) and no grant."""
    owner = Database(pg_databases.owner_url_for("rls", None, metadata))
    try:
        async with owner.engine.begin() as conn:
            assert await conn.run_sync(rowsecurity.apply_policies, metadata) == []
            before = (
                await conn.exec_driver_sql("SELECT relname, relacl::text FROM pg_class")
            ).all()
            role = service.db.url.username
            await conn.run_sync(lambda sync: rowsecurity.grant(sync, metadata, role))
            after = (await conn.exec_driver_sql("SELECT relname, relacl::text FROM pg_class")).all()
            assert sorted(before) == sorted(after)
            await conn.exec_driver_sql(f"COMMENT ON POLICY {rowsecurity.POLICY} ON record IS 'old'")
            assert await conn.run_sync(rowsecurity.apply_policies, metadata) == ["record"]
            await conn.rollback()
    finally:
        await owner.dispose()
