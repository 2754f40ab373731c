"""group invitations: a group's members join by consent

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-20 10:00:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_application = sa.table(
    'application',
    sa.column('id', sa.String),
    sa.column('organisation_id', sa.String),
    sa.column('group_member_ids', sa.JSON),
    sa.column('eligibility', sa.JSON),
    sa.column('status', sa.String),
    sa.column('submitted_by', sa.String),
    sa.column('created_at', sa.DateTime(timezone=True)),
)
_invitation = sa.table(
    'group_invitation',
    sa.column('id', sa.String),
    sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('application_id', sa.String),
    sa.column('organisation_id', sa.String),
    sa.column('status', sa.String),
    sa.column('invited_by', sa.String),
    sa.column('invited_at', sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table('group_invitation',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('modified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('invited_by', sa.String(length=200), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_by', sa.String(length=200), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_group_invitation_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_invitation')),
    sa.UniqueConstraint('application_id', 'organisation_id', name=op.f('uq_group_invitation_application_id_organisation_id'))
    )
    with op.batch_alter_table('group_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_invitation_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_invitation_organisation_id'), ['organisation_id'], unique=False)
    # Group applications not decided yet were enrolling their members without consent: the
    # members become invitations their member_admins answer (and the applicant no longer sees
    # their diagnostics). Accepted ones keep their group: their programmes already run.
    bind = op.get_bind()
    waiting = bind.execute(
        sa.select(_application).where(_application.c.status == 'submitted')
    ).mappings().all()
    for row in waiting:
        members = list(row['group_member_ids'] or [])
        if not members:
            continue
        for member in members:
            bind.execute(
                _invitation.insert().values(
                    id=str(uuid.uuid4()),
                    created_at=row['created_at'],
                    application_id=row['id'],
                    organisation_id=member,
                    status='pending',
                    invited_by=row['submitted_by'],
                    invited_at=row['created_at'],
                )
            )
        eligibility = dict(row['eligibility'] or {})
        bind.execute(
            _application.update()
            .where(_application.c.id == row['id'])
            .values(
                status='awaiting_consent',
                group_member_ids=[],
                eligibility={k: v for k, v in eligibility.items() if k == row['organisation_id']},
            )
        )


def downgrade() -> None:
    bind = op.get_bind()
    waiting = bind.execute(
        sa.select(_application).where(_application.c.status == 'awaiting_consent')
    ).mappings().all()
    for row in waiting:
        invited = bind.execute(
            sa.select(_invitation.c.organisation_id)
            .where(
                _invitation.c.application_id == row['id'],
                _invitation.c.status == 'pending',
            )
            .order_by(_invitation.c.invited_at, _invitation.c.organisation_id)
        ).scalars().all()
        bind.execute(
            _application.update()
            .where(_application.c.id == row['id'])
            .values(status='submitted', group_member_ids=[*(row['group_member_ids'] or []), *invited])
        )
    with op.batch_alter_table('group_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_invitation_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_group_invitation_application_id'))
    op.drop_table('group_invitation')
