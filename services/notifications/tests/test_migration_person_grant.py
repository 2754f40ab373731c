"""Migration 0011 on a database that holds people: their memberships become grants, so the
people known before it are still found by the fan-out; and back down, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from cap_notifications import main as notifications_main
from cap_shared.db.session import Database
from cap_shared.migrate import downgrade, upgrade
from cap_shared.testing import services

NOW = "'2026-11-20 10:00:00+00:00'"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_people_known_before_get_their_grants(kind: str, tmp_path: Path) -> None:
    name = f"cap_t_{services.worker_id()}_notifications_0011"
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'n.db'}"
        if kind == "sqlite"
        else await services.recreate_database(name)
    )
    migrations = notifications_main.build_runtime().migrations
    db = Database(url)
    try:
        await upgrade(db, migrations, "0010")
        async with db.engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO person (id, email, name, status, memberships, changed_at) VALUES "
                    "('p1', 'a@x', 'A', 'active', '[{\"role\": \"member_admin\", "
                    '"organisation_id": "o1", "region": null, '
                    '"certification_body_id": null}, {"role": "facilitator", '
                    f'"region": "76"}}]\', {NOW}), '
                    f"('p2', 'b@x', 'B', 'disabled', '[]', {NOW})"
                )
            )
        await upgrade(db, migrations)
        async with db.engine.begin() as connection:
            rows = (
                await connection.execute(
                    sa.text(
                        "SELECT person_id, position, role, organisation_id, region, "
                        "certification_body_id FROM person_grant ORDER BY person_id, position"
                    )
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            ("p1", 0, "member_admin", "o1", None, None),
            ("p1", 1, "facilitator", None, "76", None),
        ]
        await downgrade(db, migrations, "0010")
        async with db.engine.begin() as connection:
            tables = await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
        assert "person_grant" not in tables
        assert "person" in tables
    finally:
        await db.dispose()
        if kind == "postgresql":
            await services.drop_database(name)
