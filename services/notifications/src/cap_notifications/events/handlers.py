"""Handlers of the events the notifications service consumes (routing key -> handler)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_notifications.models import Organisation
from cap_notifications.repository import OrganisationRepository
from cap_shared.contracts import Envelope
from cap_shared.contracts.identity import OrganisationRegisteredV1
from cap_shared.inbox import EventHandler


async def on_organisation_registered(
    session: AsyncSession, _envelope: Envelope, event: OrganisationRegisteredV1
) -> None:
    """Keep the new member structure in the local read model."""
    await OrganisationRepository(session).save(
        Organisation(
            id=event.organisation_id,
            name=event.name,
            region=event.region,
            registered_at=event.registered_at,
        )
    )


HANDLERS: dict[str, EventHandler] = {
    "identity.organisation.registered.v1": on_organisation_registered,
}
