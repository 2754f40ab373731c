"""Transactional outbox: the event row is written in the business transaction; a relay publishes."""

from cap_shared.outbox.relay import OutboxRelay
from cap_shared.outbox.table import outbox_table
from cap_shared.outbox.versions import subject_version_table
from cap_shared.outbox.writer import add_event

__all__ = ["OutboxRelay", "add_event", "outbox_table", "subject_version_table"]
