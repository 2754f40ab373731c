"""auditor planner: who plans a body's audits (told of every audit requested from the body)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('auditor', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('planner', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('auditor', schema=None) as batch_op:
        batch_op.drop_column('planner')
