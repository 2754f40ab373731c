"""majors before certification: held decisions, sites of nonconformities, a new stage 2

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage2_required_on', sa.Date(), nullable=True))
    with op.batch_alter_table('nonconformity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_id', sa.String(length=36), nullable=True))
    with op.batch_alter_table('decision_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('decision_file', schema=None) as batch_op:
        batch_op.drop_column('held')
    with op.batch_alter_table('nonconformity', schema=None) as batch_op:
        batch_op.drop_column('site_id')
    with op.batch_alter_table('audit_report', schema=None) as batch_op:
        batch_op.drop_column('stage2_required_on')
