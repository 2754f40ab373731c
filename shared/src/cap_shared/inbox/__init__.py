"""Idempotent consumption: an inbox row per (consumer, event id), written with the effects."""

from cap_shared.inbox.consumer import BatchEventHandler, EventConsumer, EventHandler
from cap_shared.inbox.table import claim, inbox_table

__all__ = ["BatchEventHandler", "EventConsumer", "EventHandler", "claim", "inbox_table"]
