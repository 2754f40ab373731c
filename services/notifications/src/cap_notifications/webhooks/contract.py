"""The outbound webhooks as a contract: one OpenAPI 3.1 ``webhooks`` entry per event type a
system may subscribe to (:data:`cap_notifications.catalogue.EVENT_TYPES`).

Each delivery is a ``POST`` to the subscription's URL whose body is the event's CloudEvents
envelope, byte for byte as the platform's broker carried it, signed the Standard Webhooks way
(:mod:`cap_notifications.webhooks.sender`). These routes are declared, never served: FastAPI
puts them in the document's ``webhooks`` section, keyed by the event type.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header
from fastapi.responses import Response
from pydantic import create_model

from cap_notifications.catalogue import EVENT_TYPES
from cap_shared.contracts import Envelope
from cap_shared.contracts.registry import model_for

_DESCRIPTION = (
    "Sent to every active subscription to this event type (or to `*`), as `POST <url>` with "
    "the event's CloudEvents envelope as body. Headers `webhook-id` (the delivery id, the same "
    "on every attempt: deduplicate on it), `webhook-timestamp` (Unix seconds of this attempt) "
    'and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` with '
    "the subscription's `whsec_` secret). 2xx: delivered; 410: the subscription is disabled; "
    "429/502/503/504: retried after `Retry-After`; anything else: retried on the schedule, "
    "then failed. Redirects are never followed."
)
_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "Received (any 2xx)"},
    410: {"description": "Gone: the platform disables the subscription"},
    429: {"description": "Slow down: retried after Retry-After"},
    503: {"description": "Unavailable: retried after Retry-After, else on the schedule"},
}


def _delivery_model(event_type: str) -> type[Envelope]:
    """The envelope with ``type`` and ``data`` narrowed to ``event_type``'s payload."""
    payload = model_for(event_type)
    name = f"{payload.__name__}Delivery"
    model: type[Envelope] = create_model(
        name,
        __base__=Envelope,
        __doc__=f"A `{event_type}` event as a webhook delivery carries it.",
        type=(Literal[event_type], ...),  # type: ignore[arg-type]
        data=(payload, ...),
    )
    return model


def _declare(router: APIRouter, event_type: str) -> None:
    model = _delivery_model(event_type)

    async def deliver(**_: Any) -> None:
        """Never called: the platform sends this request, it does not receive it."""

    header = Annotated[str, Header()]
    deliver.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=header)
            for name in ("webhook_id", "webhook_timestamp", "webhook_signature")
        ]
        + [
            inspect.Parameter(
                "event", inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[model, Body()]
            )
        ],
        return_annotation=None,
    )
    router.post(
        event_type,
        operation_id=f"webhook-{event_type}",
        summary=f"Delivery of {event_type}",
        description=_DESCRIPTION,
        responses=_ANSWERS,
        response_model=None,
        response_class=Response,
    )(deliver)


def webhooks_router() -> APIRouter:
    """Every outbound webhook, by event type."""
    router = APIRouter(tags=["webhooks"])
    for event_type in EVENT_TYPES:
        _declare(router, event_type)
    return router


ROUTERS = (webhooks_router(),)
