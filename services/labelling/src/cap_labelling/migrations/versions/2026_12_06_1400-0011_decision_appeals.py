"""appeals against decisions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('decision_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), server_default='1', nullable=False))
    op.create_table('decision_appeal',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('modified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('decision_id', sa.String(length=36), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('scheme', sa.String(length=20), nullable=False),
    sa.Column('decision_status', sa.String(length=20), nullable=False),
    sa.Column('decision_level', sa.String(length=30), nullable=True),
    sa.Column('decision_decided_by', sa.String(length=200), nullable=True),
    sa.Column('decision_decided_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=4000), nullable=False),
    sa.Column('lodged_by', sa.String(length=200), nullable=False),
    sa.Column('lodged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome_reason', sa.String(length=2000), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decision_file.id'], name=op.f('fk_decision_appeal_decision_id_decision_file')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_appeal')),
    sa.UniqueConstraint('decision_id', 'round', name=op.f('uq_decision_appeal_decision_id_round'))
    )
    with op.batch_alter_table('decision_appeal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_appeal_decision_id'), ['decision_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('decision_appeal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_appeal_decision_id'))
    op.drop_table('decision_appeal')
    with op.batch_alter_table('decision_file', schema=None) as batch_op:
        batch_op.drop_column('round')
