"""Event contracts: the CloudEvents envelope, versioned event models and their registry."""

from cap_shared.contracts.envelope import Envelope, new_event
from cap_shared.contracts.registry import EVENT_REGISTRY, EventModel, UnknownEventType, event_model

__all__ = [
    "EVENT_REGISTRY",
    "Envelope",
    "EventModel",
    "UnknownEventType",
    "event_model",
    "new_event",
]
