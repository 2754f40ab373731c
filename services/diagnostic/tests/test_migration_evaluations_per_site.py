"""Migration 0010 on a database that holds data: an audit's evaluation with its answers and
scores goes up to one evaluation per (audit, site) and back down, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from cap_diagnostic import main as diagnostic_main
from cap_shared.db.session import Database
from cap_shared.migrate import downgrade, upgrade
from cap_shared.testing import services

NOW = "'2026-11-20 10:00:00+00:00'"


def _diagnostic(diagnostic_id: str, organisation_id: str, site: str) -> str:
    return (
        "INSERT INTO diagnostic (id, organisation_id, referential_id, kind, status, title, "
        "participants, revision, created_by, migrations, audit_id, audit_evaluation, created_at) "
        f"VALUES ('{diagnostic_id}', '{organisation_id}', 'r1', 'audit_evaluation', 'rated', 't', "
        f"'[]', 1, 'audit:A1', '[]', 'A1', '{{\"site_id\": {site}}}', {NOW})"
    )


def _answer(diagnostic_id: str) -> str:
    return (
        "INSERT INTO answer (id, diagnostic_id, criterion_urn, not_applicable, evidence, "
        f"updated_by, created_at) VALUES ('a-{diagnostic_id}', '{diagnostic_id}', 'urn:c', "
        f"false, '[]', 'audit:A1', {NOW})"
    )


async def _rows(db: Database, query: str) -> list[tuple[object, ...]]:
    async with db.engine.begin() as connection:
        return [tuple(r) for r in (await connection.execute(sa.text(query))).all()]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_evaluations_with_answers_migrate_up_and_down(kind: str, tmp_path: Path) -> None:
    name = f"cap_t_{services.worker_id()}_diagnostic_0010"
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"
        if kind == "sqlite"
        else await services.recreate_database(name)
    )
    migrations = diagnostic_main.build_runtime().migrations
    db = Database(url)
    try:
        await upgrade(db, migrations, "0009")
        async with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO organisation (id, siret, name, siae_types, region, registered_at, "
                f"created_at) VALUES ('o1', '12345678901234', 'A', '[]', '52', {NOW}, {NOW}), "
                f"('o2', '12345678901235', 'B', '[]', '52', {NOW}, {NOW})",
                "INSERT INTO referential_version (id, urn, code, version, name, status, "
                "published_on, document, created_at) VALUES ('r1', 'urn:x', 'CAP_RSE', 1, 'X', "
                f"'draft', '2026-01-01', '{{}}', {NOW})",
                _diagnostic("d1", "o1", "null"),
                _answer("d1"),
                'INSERT INTO diagnostic_score (diagnostic_id, "group", code, score) '
                "VALUES ('d1', 'overall', 'CAP_RSE', 500)",
            ):
                await connection.execute(sa.text(statement))

        # Up: the evaluation, its answer and score stay; a second site of the audit fits.
        await upgrade(db, migrations)
        async with db.engine.begin() as connection:
            await connection.execute(sa.text(_diagnostic("d2", "o2", '"o2"')))
            await connection.execute(sa.text(_answer("d2")))
        assert await _rows(db, "SELECT id FROM diagnostic ORDER BY id") == [("d1",), ("d2",)]
        assert await _rows(db, "SELECT diagnostic_id FROM diagnostic_score") == [("d1",)]
        with pytest.raises(sa.exc.IntegrityError):  # still once per (audit, site)
            async with db.engine.begin() as connection:
                await connection.execute(sa.text(_diagnostic("d3", "o2", '"o2"')))

        # Down: one evaluation per audit again, the audited organisation's.
        await downgrade(db, migrations, "0009")
        assert await _rows(db, "SELECT id, audit_id FROM diagnostic") == [("d1", "A1")]
        assert await _rows(db, "SELECT id FROM answer") == [("a-d1",)]
        with pytest.raises(sa.exc.IntegrityError):
            async with db.engine.begin() as connection:
                await connection.execute(sa.text(_diagnostic("d4", "o2", '"o2"')))
    finally:
        await db.dispose()
        if kind == "postgresql":
            await services.drop_database(name)
