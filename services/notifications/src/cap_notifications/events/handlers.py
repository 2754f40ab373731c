"""Handlers of the events the notifications service consumes (routing key -> handler)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from cap_notifications.catalogue import EVENT_TYPES
from cap_notifications.config import Settings
from cap_notifications.fanout import service as fanout
from cap_notifications.fanout.repository import FanoutRepository
from cap_notifications.models import Organisation, Person, tables
from cap_shared.contracts import Envelope
from cap_shared.contracts.identity import UserChangedV1
from cap_shared.inbox import EventHandler
from cap_shared.inbox.order import in_order
from cap_shared.readmodel import ReadModelRepository, organisation_projection
from cap_shared.runtime import settings_for


def _current_settings() -> Settings:
    """The settings of this process's notifications runtime (handlers are registered before it exists)."""
    return settings_for("notifications", Settings)


async def on_user_changed(session: AsyncSession, _envelope: Envelope, event: UserChangedV1) -> None:
    """Keep the person's latest state and their grants (an older change arriving late is
    ignored)."""
    memberships = [m.model_dump(mode="json") for m in event.memberships]
    saved = await ReadModelRepository(session, Person).save_if_newer(
        Person(
            id=event.user_id,
            email=event.email,
            name=event.name,
            status=event.status,
            memberships=memberships,
            changed_at=event.changed_at,
        ),
        version="changed_at",
    )
    if saved:
        await FanoutRepository(session).replace_grants(event.user_id, memberships)


async def notify(session: AsyncSession, envelope: Envelope, event: BaseModel) -> None:
    """Tell each recipient of the event once, on their channels; queue webhook deliveries."""
    await fanout.fan_out(session, envelope, event=event, settings=_current_settings())


#: Domain events people and systems are notified about.
NOTIFIED = EVENT_TYPES

HANDLERS: dict[str, EventHandler] = {
    **dict.fromkeys(NOTIFIED, notify),
    "identity.organisation.registered.v1": organisation_projection(Organisation),
    # A state projection: an older change arriving after a newer one is skipped.
    "identity.user.changed.v1": in_order(
        on_user_changed, name="person", policy="latest", table=tables.applied_versions
    ),
}
