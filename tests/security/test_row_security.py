"""Tenant isolation's database backstop in every part of the platform (distributed topology).

Each part's ``migrate`` gives every table with an organisation column the row-level security
policy, owns the tables, and leaves its runtime role DML only; a real service's route that
forgets its organisation filter still returns its caller's rows only. The mechanism itself is
tested in ``shared/tests/security/test_row_security.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlmodel import col

from cap_diagnostic import main as diagnostic_main
from cap_diagnostic.models import Recognition
from cap_shared.clock import wall_now
from cap_shared.db import rowsecurity
from cap_shared.deps import SessionDep
from cap_shared.security import Allow, Principal, Role
from cap_shared.testing import services
from cap_shared.testing.auth import TestIssuer, bearer
from cap_standalone.platform import PARTS

pytestmark = pytest.mark.postgres


def organisation_columns(metadata: sa.MetaData) -> dict[str, set[str]]:
    """Columns whose name says they hold an organisation, per table."""
    return {
        t.name: {c.name for c in t.columns if "organisation" in c.name or "structure" in c.name}
        for t in metadata.tables.values()
    }


@pytest.mark.parametrize("part", sorted(PARTS))
async def test_every_table_with_an_organisation_column_is_under_the_policy(
    part: str, make_database: Any, pg_databases: Any
) -> None:
    runtime = PARTS[part].build_runtime(PARTS[part].settings())
    metadata = runtime.tables.outbox.metadata
    await make_database("postgresql", part, runtime.migrations, metadata)
    # A tenant column named otherwise would escape the policy: name it organisation_id.
    named = {t: cols for t, cols in organisation_columns(metadata).items() if cols}
    assert all(cols == {"organisation_id"} for cols in named.values()), named
    covered = {c.table for c in rowsecurity.covered_tables(metadata)}
    assert covered == set(named)

    owner = await asyncpg.connect(
        pg_databases.owner_url_for(part, runtime.migrations, metadata).replace(
            "postgresql+asyncpg", "postgresql"
        )
    )
    try:
        policies = {
            r["tablename"]
            for r in await owner.fetch(
                "SELECT tablename FROM pg_policies WHERE policyname = $1", rowsecurity.POLICY
            )
        }
        enabled = {
            r["relname"]
            for r in await owner.fetch(
                "SELECT relname FROM pg_class WHERE relrowsecurity AND relkind = 'r'"
            )
        }
        assert policies == enabled == covered
        role = services.APP_ROLE
        owned = await owner.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1",
            role,
        )
        assert owned == []
        privileges = await owner.fetch(
            "SELECT DISTINCT table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = $1",
            role,
        )
        by_table: dict[str, set[str]] = {}
        for row in privileges:
            by_table.setdefault(row["table_name"], set()).add(row["privilege_type"])
        assert by_table == {
            name: set(rowsecurity.table_privileges(t)) for name, t in metadata.tables.items()
        }
        assert by_table["audit_log"] == {"SELECT", "INSERT", "DELETE"}  # never rewritten
        attributes = await owner.fetchrow(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
            "WHERE rolname = $1",
            role,
        )
        assert tuple(attributes) == (False, False, False, False)
    finally:
        await owner.close()


# A route of the real diagnostic service that forgets its organisation filter ------------------
class RecognitionIn(BaseModel):
    organisation_id: str


forgetful = APIRouter(prefix="/v1/test-forgetful")
Reader = Annotated[Principal, Depends(Allow(*Role))]


@forgetful.get("/recognitions")
async def every_recognition(_principal: Reader, session: SessionDep) -> list[str]:
    """Every recognition's organisation: no filter, on purpose."""
    rows = await session.execute(sa.select(col(Recognition.organisation_id)))
    return sorted(rows.scalars())


@forgetful.post("/recognitions", status_code=201)
async def add_recognition(_principal: Reader, session: SessionDep, data: RecognitionIn) -> None:
    """A recognition for whatever organisation the body names: no check, on purpose."""
    session.add(recognition(data.organisation_id))


def recognition(organisation_id: str) -> Recognition:
    today = dt.date(2026, 1, 1)
    return Recognition(
        id=str(uuid.uuid4()),
        organisation_id=organisation_id,
        scheme="CAP_RSE",
        status="active",
        number=f"N-{uuid.uuid4().hex[:6]}",
        effective_date=today,
        expiry_date=today,
        changed_at=wall_now(),
    )


async def test_a_service_route_that_forgets_its_filter_serves_its_callers_rows_only(
    make_database: Any,
) -> None:
    definition = diagnostic_main.SERVICE
    metadata = definition.tables.outbox.metadata
    db = await make_database("postgresql", "diagnostic", definition.migrations, metadata)
    async with db.session() as session:  # as a consumer writes its read model: the system's scope
        session.add_all([recognition("org-a"), recognition("org-a"), recognition("org-b")])
    issuer = TestIssuer()
    with_test_route = type(definition)(
        **{**definition.__dict__, "routers": [*definition.routers, forgetful]}
    )
    runtime = with_test_route.build_runtime(db=db, keys=issuer.key_source())
    app = with_test_route.create_app(runtime, manage_runtime=False)

    def as_(*grants: dict[str, str]) -> dict[str, str]:
        return bearer(issuer.token(roles=list(grants), audience="urn:cap:diagnostic"))

    member_a = as_({"role": "member_admin", "organisation_id": "org-a"})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://diagnostic") as client:
        url = "/v1/test-forgetful/recognitions"
        assert (await client.get(url, headers=member_a)).json() == ["org-a", "org-a"]
        admin = as_({"role": "admin"})
        assert (await client.get(url, headers=admin)).json() == ["org-a", "org-a", "org-b"]
        refused = await client.post(url, json={"organisation_id": "org-b"}, headers=member_a)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        accepted = await client.post(url, json={"organisation_id": "org-a"}, headers=member_a)
        assert accepted.status_code == 201
        assert (await client.get(url, headers=admin)).json() == ["org-a"] * 3 + ["org-b"]
