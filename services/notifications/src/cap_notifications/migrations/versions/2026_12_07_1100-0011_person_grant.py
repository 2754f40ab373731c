"""person grant: each person's memberships as indexed rows, so the fan-out loads only the
people an event can concern (issue 22) instead of every active person

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PERSON = sa.table("person", sa.column("id", sa.String()), sa.column("memberships", sa.JSON()))
_FIELDS = ("role", "organisation_id", "region", "certification_body_id")


def upgrade() -> None:
    grant = op.create_table(
        "person_grant",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("organisation_id", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("certification_body_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("person_id", "position", name=op.f("pk_person_grant")),
    )
    op.create_index(
        "ix_person_grant_organisation_role", "person_grant", ["organisation_id", "role"]
    )
    op.create_index("ix_person_grant_role_region", "person_grant", ["role", "region"])
    # The people already known: their memberships, as the projection now writes them.
    rows = []
    for person_id, memberships in op.get_bind().execute(sa.select(_PERSON.c.id, _PERSON.c.memberships)):
        for position, membership in enumerate(memberships or ()):
            if not isinstance(membership, dict):
                continue
            rows.append(
                {
                    "person_id": person_id,
                    "position": position,
                    **{
                        k: None if membership.get(k) is None else str(membership[k])
                        for k in _FIELDS
                    },
                }
            )
    if rows:
        op.bulk_insert(grant, rows)


def downgrade() -> None:
    op.drop_index("ix_person_grant_role_region", table_name="person_grant")
    op.drop_index("ix_person_grant_organisation_role", table_name="person_grant")
    op.drop_table("person_grant")
