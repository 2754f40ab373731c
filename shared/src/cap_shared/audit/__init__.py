"""The audit trail: every change to a regulated record appends, in the same transaction, an
entry to its service's hash-chained ``audit_log`` (docs/audit-trail.md)."""

from cap_shared.audit.canonical import GENESIS, canonical_json, entry_hash
from cap_shared.audit.loaded import record_if_changed
from cap_shared.audit.log import AuditEntry, current_actor, record_change
from cap_shared.audit.table import AUDIT_LOG_TABLE, audit_log_table

__all__ = [
    "AUDIT_LOG_TABLE",
    "GENESIS",
    "AuditEntry",
    "audit_log_table",
    "canonical_json",
    "current_actor",
    "entry_hash",
    "record_change",
    "record_if_changed",
]
