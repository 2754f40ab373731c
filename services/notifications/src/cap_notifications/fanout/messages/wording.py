"""The wording of every notified event, in one place: :func:`describe` turns an event's data (its
model's ``model_dump(mode="json")``) into the title, the short paragraph and the front-end link
shown in the in-app feed, the e-mail and the digest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cap_notifications.catalogue import EVENT_TYPES
from cap_notifications.fanout.messages import audits, certification, diagnostic, labelling
from cap_notifications.fanout.messages.labels import Message, Wording
from cap_shared.contracts.registry import UnknownEventType

__all__ = ["EVENT_TYPES", "Message", "UnknownEventType", "describe"]

_WORDINGS: dict[str, Wording] = {
    **diagnostic.WORDINGS,
    **audits.WORDINGS,
    **labelling.WORDINGS,
    **certification.WORDINGS,
}

if set(_WORDINGS) != set(EVENT_TYPES):  # pragma: no cover - caught at import, in every test
    msg = f"wording and catalogue disagree: {sorted(set(_WORDINGS) ^ set(EVENT_TYPES))}"
    raise RuntimeError(msg)


def describe(event_type: str, data: Mapping[str, Any], *, organisation_name: str | None) -> Message:
    """The title, paragraph and link of one event; :class:`UnknownEventType` if not notified."""
    try:
        wording = _WORDINGS[event_type]
    except KeyError:
        msg = f"no wording for event type {event_type!r}"
        raise UnknownEventType(msg) from None
    return wording(data, organisation_name)
