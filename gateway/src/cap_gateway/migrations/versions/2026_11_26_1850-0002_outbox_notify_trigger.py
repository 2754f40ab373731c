"""outbox notify trigger: relays in other processes are woken at commit (PostgreSQL only)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Literal SQL (not imported) so that this migration never changes once applied.
FUNCTION = """
CREATE OR REPLACE FUNCTION cap_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cap_outbox', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: one process, the relay is woken in memory
    op.execute(FUNCTION)
    op.execute(
        "CREATE TRIGGER outbox_message_notify AFTER INSERT ON outbox_message "
        "FOR EACH STATEMENT EXECUTE FUNCTION cap_outbox_notify()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS outbox_message_notify ON outbox_message")
    op.execute("DROP FUNCTION IF EXISTS cap_outbox_notify()")
