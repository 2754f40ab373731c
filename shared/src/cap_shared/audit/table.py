"""The ``audit_log`` table, declared in each service's own metadata (and migrated by its Alembic).

No ``organisation_id`` column on purpose: the log is read by administrators only and appended by
any caller, so row-level security (:mod:`cap_shared.db.rowsecurity`) does not cover it; the
organisation whose record changed is ``on_behalf_of``.
"""

from __future__ import annotations

import sqlalchemy as sa

from cap_shared.db.rowsecurity import PRIVILEGES_INFO
from cap_shared.db.types import AwareDateTime

AUDIT_LOG_TABLE = "audit_log"
#: What the runtime role may do on the log: no UPDATE (docs/audit-trail.md).
AUDIT_LOG_PRIVILEGES = frozenset({"SELECT", "INSERT", "DELETE"})
_BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def audit_log_table(metadata: sa.MetaData) -> sa.Table:
    """Define ``audit_log`` in ``metadata`` (once per service)."""
    return sa.Table(
        AUDIT_LOG_TABLE,
        metadata,
        # Contiguous from 1, assigned under the service's audit lock (never a sequence: a
        # rolled-back transaction must leave no gap).
        sa.Column("seq", _BigInt, primary_key=True, autoincrement=False),
        sa.Column("occurred_at", AwareDateTime(), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("record_type", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=True),
        sa.Column("on_behalf_of", sa.String(200), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("event_id", sa.String(64), nullable=True),
        sa.Column("consumed_event_id", sa.String(64), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Index("ix_audit_log_record", "record_type", "record_id"),
        sa.Index("ix_audit_log_occurred_at", "occurred_at"),
        sa.Index("ix_audit_log_actor", "actor"),
        # The services' role appends, reads and purges (retention); it never rewrites an entry.
        info={PRIVILEGES_INFO: AUDIT_LOG_PRIVILEGES},
    )
