"""Revision 0008 moves former ``advised`` engagements to ``consultancy`` and back, on both
databases, and keeps a decided programme's decision as its cycle's start."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from cap_audit import main as audit_main
from cap_shared.db.session import Database
from cap_shared.migrate import downgrade, upgrade
from cap_shared.testing import services

ROWS = [
    "INSERT INTO certification_body (id, name, schemes, active, created_at) "
    "VALUES ('sgs', 'SGS', '[]', true, '2026-01-01T00:00:00+00:00')",
    "INSERT INTO auditor (id, certification_body_id, name, qualifications, active, created_at) "
    "VALUES ('a1', 'sgs', 'Auditrice', '[]', true, '2026-01-01T00:00:00+00:00')",
    'INSERT INTO engagement (id, auditor_id, organisation_id, kind, "on", recorded_by, '
    "recorded_at) VALUES ('e1', 'a1', 'o1', 'advised', '2025-03-01', 'admin', "
    "'2026-01-01T00:00:00+00:00'), ('e2', 'a1', 'o1', 'audited', '2025-04-01', 'system', "
    "'2026-01-01T00:00:00+00:00')",
    "INSERT INTO programme (id, application_id, organisation_id, group_member_ids, scheme, "
    "certification_body_id, accepted_on, decided_on, created_at) VALUES ('p1', 'app1', 'o1', "
    "'[]', 'CAP_ISO9001', 'sgs', '2025-01-10', '2025-06-15', '2026-01-01T00:00:00+00:00')",
]


async def _database(kind: str, tmp_path: Path) -> Database:
    if kind == "sqlite":
        return Database(f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    name = f"cap_t_{services.worker_id()}_audit_migration_0008"
    return Database(await services.recreate_database(name))


async def _rows(db: Database, query: str) -> list[tuple]:
    async with db.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(sa.text(query))).all()]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_advised_becomes_consultancy_and_back(kind: str, tmp_path: Path) -> None:
    db = await _database(kind, tmp_path)
    try:
        await upgrade(db, audit_main.MIGRATIONS, "0007")
        async with db.engine.begin() as conn:
            for row in ROWS:
                await conn.execute(sa.text(row))
        await upgrade(db, audit_main.MIGRATIONS)
        assert await _rows(db, "SELECT id, kind FROM engagement ORDER BY id") == [
            ("e1", "consultancy"),
            ("e2", "audited"),
        ]
        (programme,) = await _rows(db, "SELECT cycle, cycle_start FROM programme")
        assert (programme[0], str(programme[1])) == (1, "2025-06-15")
        async with db.engine.begin() as conn:  # an accompaniment of a facilitator's account
            await conn.execute(
                sa.text(
                    'INSERT INTO engagement (id, user_id, organisation_id, kind, "on", '
                    "recorded_by, recorded_at) VALUES ('e3', 'u1', 'o1', 'accompaniment', "
                    "'2025-05-01', 'system', '2026-01-01T00:00:00+00:00')"
                )
            )

        await downgrade(db, audit_main.MIGRATIONS, "0007")
        assert await _rows(db, "SELECT id, kind FROM engagement ORDER BY id") == [
            ("e1", "advised"),
            ("e2", "audited"),
        ]
    finally:
        await db.dispose()
