"""event order: per-subject versions of the events this service produces
(outbox_subject_version) and the last version each ordered handler applied
(inbox_subject_version), see docs/architecture.md#event-order

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_subject_version",
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("stream", "subject", name=op.f("pk_outbox_subject_version")),
    )
    op.create_table(
        "inbox_subject_version",
        sa.Column("handler", sa.String(length=100), nullable=False),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "handler", "stream", "subject", name=op.f("pk_inbox_subject_version")
        ),
    )


def downgrade() -> None:
    op.drop_table("inbox_subject_version")
    op.drop_table("outbox_subject_version")
