"""delivery trace context: the W3C traceparent/tracestate of the span that queued an e-mail
or a webhook delivery, so its sending continues the request's trace (docs/operations.md#traces)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("email_message", "webhook_delivery")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("traceparent", sa.Text(), nullable=True))
            batch_op.add_column(sa.Column("tracestate", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("tracestate")
            batch_op.drop_column("traceparent")
