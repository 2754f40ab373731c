"""level rules as stored data, criteria of completed diagnostics

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('level_rule',
    sa.Column('referential_code', sa.String(length=40), nullable=False),
    sa.Column('referential_version', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=60), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('referential_code', 'referential_version', 'revision', name=op.f('pk_level_rule'))
    )
    with op.batch_alter_table('completed_diagnostic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('criteria', sa.JSON(), server_default='[]', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('completed_diagnostic', schema=None) as batch_op:
        batch_op.drop_column('criteria')
    op.drop_table('level_rule')
