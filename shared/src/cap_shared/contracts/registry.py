"""Registry from event type (= routing key) to the Pydantic model of its ``data``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from cap_shared.contracts.envelope import EVENT_TYPE_PATTERN


class EventModel(BaseModel):
    """Base of every event payload: consumers ignore fields they do not know (tolerant reader)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class UnknownEventType(LookupError):
    """No model is registered for this event type."""


#: ``event type`` -> payload model, filled by the ``@event_model`` decorator at import time.
EVENT_REGISTRY: dict[str, type[EventModel]] = {}
#: ``event type`` -> (producer, one-line summary) for the AsyncAPI catalogue.
EVENT_INFO: dict[str, tuple[str, str]] = {}
_TYPE_OF: dict[type[BaseModel], str] = {}

M = TypeVar("M", bound=type[EventModel])


def event_model(event_type: str, *, producer: str, summary: str) -> Callable[[M], M]:
    """Register ``cls`` as the payload of ``event_type`` (``<entity>.<past_verb>.vN``)."""
    if not EVENT_TYPE_PATTERN.match(event_type):
        msg = f"invalid event type {event_type!r}"
        raise ValueError(msg)

    def register(cls: M) -> M:
        if event_type in EVENT_REGISTRY and EVENT_REGISTRY[event_type] is not cls:
            msg = f"event type {event_type!r} registered twice"
            raise ValueError(msg)
        EVENT_REGISTRY[event_type] = cls
        EVENT_INFO[event_type] = (producer, summary)
        _TYPE_OF[cls] = event_type
        return cls

    return register


def event_type_of(model: type[BaseModel]) -> str:
    """The registered event type of a payload model."""
    try:
        return _TYPE_OF[model]
    except KeyError:
        msg = f"{model.__name__} is not a registered event model"
        raise UnknownEventType(msg) from None


def model_for(event_type: str) -> type[EventModel]:
    """The payload model registered for ``event_type``."""
    load_all_contracts()
    try:
        return EVENT_REGISTRY[event_type]
    except KeyError:
        msg = f"unknown event type {event_type!r}"
        raise UnknownEventType(msg) from None


def load_all_contracts() -> None:
    """Import every contract module so the registry is complete."""
    from cap_shared.contracts import audit, diagnostic, identity, labelling  # noqa: F401
