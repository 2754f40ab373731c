"""Revision 0013: group applications not decided yet enrolled their members without consent —
their members become pending invitations (and the applicant keeps only its own eligibility);
an accepted group keeps its members. And back, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from cap_labelling import main as labelling_main
from cap_shared.db.session import Database
from cap_shared.migrate import downgrade, upgrade
from cap_shared.testing import services

AT = "2026-01-01T00:00:00+00:00"
ORGANISATIONS = (
    "INSERT INTO organisation (id, siret, name, siae_types, region, region_name, registered_at, "
    f"created_at) VALUES ('b', '1', 'B', '[]', '76', 'Occitanie', '{AT}', '{AT}')"
)


def _application(id_: str, status: str, members: list[str]) -> str:
    eligibility = json.dumps({o: {"diagnostic_id": f"d-{o}"} for o in ["b", *members]})
    return (
        "INSERT INTO application (id, organisation_id, group_member_ids, scheme, "
        "certification_body_id, status, eligibility, submitted_by, created_at) VALUES "
        f"('{id_}', 'b', '{json.dumps(members)}', 'CAP_RSE', 'sgs-tuv', '{status}', "
        f"'{eligibility}', 'user:b-admin', '{AT}')"
    )


async def _database(kind: str, tmp_path: Path) -> Database:
    if kind == "sqlite":
        return Database(f"sqlite+aiosqlite:///{tmp_path / 'labelling.db'}")
    name = f"cap_t_{services.worker_id()}_labelling_migration_0013"
    return Database(await services.recreate_database(name))


async def _rows(db: Database, query: str) -> list[tuple]:
    async with db.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(sa.text(query))).all()]


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_undecided_groups_ask_their_members_and_back(kind: str, tmp_path: Path) -> None:
    db = await _database(kind, tmp_path)
    try:
        await upgrade(db, labelling_main.MIGRATIONS, "0012")
        async with db.engine.begin() as conn:
            for row in (
                ORGANISATIONS,
                _application("waiting", "submitted", ["a", "c"]),
                _application("alone", "submitted", []),
                _application("running", "accepted", ["a"]),
            ):
                await conn.execute(sa.text(row))
        await upgrade(db, labelling_main.MIGRATIONS)
        apps = {
            r[0]: (r[1], _json(r[2]), _json(r[3]))
            for r in await _rows(
                db, "SELECT id, status, group_member_ids, eligibility FROM application"
            )
        }
        assert apps["waiting"][:2] == ("awaiting_consent", [])
        assert set(apps["waiting"][2]) == {"b"}  # type: ignore[arg-type]
        assert apps["alone"][:2] == ("submitted", [])
        assert apps["running"][:2] == ("accepted", ["a"])
        invited = await _rows(
            db,
            "SELECT application_id, organisation_id, status, invited_by FROM group_invitation "
            "ORDER BY organisation_id",
        )
        assert invited == [
            ("waiting", "a", "pending", "user:b-admin"),
            ("waiting", "c", "pending", "user:b-admin"),
        ]

        await downgrade(db, labelling_main.MIGRATIONS, "0012")
        back = {
            r[0]: (r[1], _json(r[2]))
            for r in await _rows(db, "SELECT id, status, group_member_ids FROM application")
        }
        assert back["waiting"] == ("submitted", ["a", "c"])
        assert back["running"] == ("accepted", ["a"])
    finally:
        await db.dispose()
