"""Handlers of the events the notifications service consumes (routing key -> handler)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from cap_notifications.models import IntakeEvent, Organisation
from cap_notifications.repository import OrganisationRepository
from cap_shared.contracts import Envelope
from cap_shared.contracts.identity import OrganisationRegisteredV1
from cap_shared.db.base import utcnow
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


async def keep_for_notification(
    session: AsyncSession, envelope: Envelope, event: BaseModel
) -> None:
    """Journal an event to notify about (recipients are resolved from the journal)."""
    session.add(
        IntakeEvent(
            event_id=envelope.id,
            event_type=envelope.type,
            organisation_id=getattr(event, "organisation_id", None),
            subject=envelope.subject,
            occurred_at=envelope.time,
            received_at=utcnow(),
            payload=event.model_dump(mode="json"),
        )
    )
    await session.flush()


#: Domain events people and systems are notified about (the list grows with each service).
NOTIFIED = (
    "diagnostic.completed.v1",
    "action.overdue.v1",
    "audit.requested.v1",
    "audit.planned.v1",
    "audit.report_submitted.v1",
    "finding.response_due.v1",
    "labelling.application.accepted.v1",
)

HANDLERS: dict[str, EventHandler] = {
    **dict.fromkeys(NOTIFIED, keep_for_notification),
    "identity.organisation.registered.v1": on_organisation_registered,
}
