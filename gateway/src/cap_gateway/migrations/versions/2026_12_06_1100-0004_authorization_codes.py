"""Authorization codes of the sign-in for apps (OAuth 2.0 code + PKCE).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('authorization_code',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('redirect_uri', sa.String(length=500), nullable=False),
    sa.Column('code_challenge', sa.String(length=128), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('nonce', sa.String(length=200), nullable=True),
    sa.Column('auth_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('family_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_authorization_code_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorization_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_authorization_code_code_hash'))
    )
    with op.batch_alter_table('authorization_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authorization_code_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('authorization_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorization_code_user_id'))

    op.drop_table('authorization_code')
