"""the sites a report's evaluated maturity covers

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_report', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('evaluated_site_ids', sa.JSON(), server_default='[]', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('audit_report', schema=None) as batch_op:
        batch_op.drop_column('evaluated_site_ids')
