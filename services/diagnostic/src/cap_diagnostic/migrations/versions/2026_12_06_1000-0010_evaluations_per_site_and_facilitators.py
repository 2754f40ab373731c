"""audit evaluations per (audit, site); facilitator accounts of a CAP session

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_PER_AUDIT = 'CONSTRAINT uq_diagnostic_audit_id UNIQUE (audit_id)'
ONE_PER_SITE = (
    'CONSTRAINT uq_diagnostic_audit_id_organisation_id UNIQUE (audit_id, organisation_id)'
)


def _swap_unique_on_sqlite(old: str, new: str) -> None:
    """SQLite drops a constraint only by rebuilding the table. Alembic's batch rebuild (copy,
    drop, rename) fails once answers and scores point at diagnostics (foreign keys are on, and
    cannot be turned off inside the migration's transaction); rebuilt in place instead: the rows
    kept aside, the table dropped and created again under its own name with the new constraint,
    the rows put back. Deferred, the foreign keys of the answers and scores are checked at
    commit, when every diagnostic they point at is back."""
    connection = op.get_bind()
    table = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'diagnostic'"
    ).scalar_one()
    if old not in table:
        raise RuntimeError(f'diagnostic table without {old!r}: {table}')
    indexes = [
        row[0]
        for row in connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'diagnostic' "
            'AND sql IS NOT NULL'
        )
    ]
    connection.exec_driver_sql('PRAGMA defer_foreign_keys = ON')
    connection.exec_driver_sql('CREATE TABLE _diagnostic_rows AS SELECT * FROM diagnostic')
    connection.exec_driver_sql('DROP TABLE diagnostic')
    connection.exec_driver_sql(table.replace(old, new))
    connection.exec_driver_sql('INSERT INTO diagnostic SELECT * FROM _diagnostic_rows')
    connection.exec_driver_sql('DROP TABLE _diagnostic_rows')
    for index in indexes:
        connection.exec_driver_sql(index)


def upgrade() -> None:
    # A group audit records one evaluation per audited site: unique per (audit, site).
    if op.get_bind().dialect.name == 'sqlite':
        _swap_unique_on_sqlite(ONE_PER_AUDIT, ONE_PER_SITE)
    else:
        op.drop_constraint('uq_diagnostic_audit_id', 'diagnostic', type_='unique')
        op.create_unique_constraint(
            'uq_diagnostic_audit_id_organisation_id', 'diagnostic', ['audit_id', 'organisation_id']
        )
    # Existing diagnostics name no facilitator account (an added column: no rebuild).
    op.add_column(
        'diagnostic',
        sa.Column('facilitator_accounts', sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )


def downgrade() -> None:
    # Down again, an audit keeps one evaluation: the member sites' ones are removed first (their
    # answers, scores and latest-diagnostic rows with them); the audited organisation's stays.
    diagnostic = sa.table(
        'diagnostic',
        sa.column('id', sa.String),
        sa.column('audit_id', sa.String),
        sa.column('audit_evaluation', sa.JSON),
    )
    rows = op.get_bind().execute(
        sa.select(diagnostic.c.id, diagnostic.c.audit_evaluation).where(
            diagnostic.c.audit_id.is_not(None)
        )
    ).all()
    sites = [
        row.id
        for row in rows
        if isinstance(row.audit_evaluation, dict) and row.audit_evaluation.get('site_id')
    ]
    if sites:
        for name in ('answer', 'diagnostic_score', 'latest_diagnostic'):
            dependent = sa.table(name, sa.column('diagnostic_id', sa.String))
            op.execute(dependent.delete().where(dependent.c.diagnostic_id.in_(sites)))
        op.execute(diagnostic.delete().where(diagnostic.c.id.in_(sites)))
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite drops a plain column in place (3.35+): no rebuild under the answers.
        op.get_bind().exec_driver_sql('ALTER TABLE diagnostic DROP COLUMN facilitator_accounts')
        _swap_unique_on_sqlite(ONE_PER_SITE, ONE_PER_AUDIT)
    else:
        op.drop_column('diagnostic', 'facilitator_accounts')
        op.drop_constraint('uq_diagnostic_audit_id_organisation_id', 'diagnostic', type_='unique')
        op.create_unique_constraint('uq_diagnostic_audit_id', 'diagnostic', ['audit_id'])
