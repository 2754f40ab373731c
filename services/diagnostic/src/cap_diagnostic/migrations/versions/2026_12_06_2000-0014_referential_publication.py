"""referential publication: an imported version is offered for new diagnostics once published

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referential_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("published_by", sa.String(length=200), nullable=True))
    # Every version imported before publication existed was in use at once: it stays so.
    op.execute(
        "UPDATE referential_version SET published_at = created_at, published_by = imported_by"
    )


def downgrade() -> None:
    with op.batch_alter_table("referential_version", schema=None) as batch_op:
        batch_op.drop_column("published_by")
        batch_op.drop_column("published_at")
