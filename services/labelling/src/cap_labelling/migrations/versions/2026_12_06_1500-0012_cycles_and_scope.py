"""cycle start and certificate issue date of recognitions

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('recognition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))
    # Recognitions recorded so far: their schedule counted from the decision.
    op.execute('UPDATE recognition SET cycle_start = decided_on')
    with op.batch_alter_table('recognition', schema=None) as batch_op:
        batch_op.alter_column('cycle_start', existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('recognition', schema=None) as batch_op:
        batch_op.drop_column('issued_on')
        batch_op.drop_column('cycle_start')
