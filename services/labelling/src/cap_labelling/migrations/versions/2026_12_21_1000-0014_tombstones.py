"""tombstones: deletions remembered for delta sync (?updated_since=)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-21 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'tombstone',
        sa.Column('resource', sa.String(length=64), nullable=False),
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('organisation_id', sa.String(length=36), nullable=True),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('resource', 'id', name=op.f('pk_tombstone')),
    )
    op.create_index(
        'ix_tombstone_resource_deleted_at', 'tombstone', ['resource', 'deleted_at', 'id']
    )


def downgrade() -> None:
    op.drop_index('ix_tombstone_resource_deleted_at', table_name='tombstone')
    op.drop_table('tombstone')
