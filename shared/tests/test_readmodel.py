"""The read-model repository and the organisation projection every service uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cap_shared.contracts.identity import OrganisationRegisteredV1
from cap_shared.db import Database
from cap_shared.readmodel import ReadModelRepository, organisation_projection
from cap_shared.testing.toy import envelope

metadata = sa.MetaData()


class Base(SQLModel):
    metadata = metadata


class Structure(Base, table=True):
    """A service's copy of a member structure: only the fields it needs."""

    id: str = Field(primary_key=True)
    name: str
    siae_types: list[str] = Field(sa_type=sa.JSON)
    region: str


class Person(Base, table=True):
    """A copy kept by version: a late event changes nothing."""

    id: str = Field(primary_key=True)
    name: str
    changed_at: datetime


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'readmodel.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield database
    await database.dispose()


def registered(name: str) -> OrganisationRegisteredV1:
    return OrganisationRegisteredV1(
        organisation_id="org-1",
        siret="12345678901234",
        name=name,
        siae_types=["ACI", "EI"],
        region="76",
        region_name="Occitanie",
        registered_at=datetime(2026, 3, 1, tzinfo=UTC),
    )


async def test_the_projection_keeps_the_declared_fields_and_a_replay_replaces_the_row(
    db: Database,
) -> None:
    handler = organisation_projection(Structure)
    async with db.session() as session:
        await handler(session, envelope(1), registered("Atelier du Lez"))
    async with db.session() as session:
        await handler(session, envelope(1), registered("Atelier du Lez (renamed)"))
    async with db.session() as session:
        rows = (await session.execute(sa.select(Structure))).scalars().all()
    assert [(r.id, r.name, r.siae_types, r.region) for r in rows] == [
        ("org-1", "Atelier du Lez (renamed)", ["ACI", "EI"], "76")
    ]


async def test_a_versioned_save_keeps_the_newest_row(db: Database) -> None:
    early = datetime(2026, 3, 1, tzinfo=UTC)
    later = datetime(2026, 3, 2, tzinfo=UTC)
    async with db.session() as session:
        people = ReadModelRepository(session, Person)
        assert await people.save_if_newer(
            Person(id="p", name="new", changed_at=later), version="changed_at"
        )
        assert not await people.save_if_newer(
            Person(id="p", name="old", changed_at=early), version="changed_at"
        )
        assert not await people.save_if_newer(
            Person(id="p", name="same time", changed_at=later), version="changed_at"
        )
    async with db.session() as session:
        stored = await ReadModelRepository(session, Person).get("p")
    assert stored is not None
    assert stored.name == "new"
