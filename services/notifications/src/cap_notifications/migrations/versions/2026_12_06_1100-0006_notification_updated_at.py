"""notification updated_at: the feed's delta sync (updated_since)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    # A notification changed only when it was read.
    op.execute(sa.text('UPDATE notification SET updated_at = coalesce(read_at, created_at)'))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(
            'ix_notification_user_updated', ['user_id', 'updated_at', 'id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_updated')
        batch_op.drop_column('updated_at')
