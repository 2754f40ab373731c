"""Handlers of the events the audit service consumes (routing key -> handler)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit.config import Settings
from cap_audit.impartiality import service as impartiality
from cap_audit.models import Organisation, tables
from cap_audit.programmes import service as programmes
from cap_shared.contracts import Envelope
from cap_shared.contracts.labelling import ApplicationAcceptedV1
from cap_shared.inbox import EventHandler
from cap_shared.inbox.order import in_order
from cap_shared.readmodel import organisation_projection
from cap_shared.runtime import settings_for


def _current_settings() -> Settings:
    """The settings of this process's audit runtime (handlers are registered before it exists)."""
    return settings_for("audit", Settings)


async def on_application_accepted(
    session: AsyncSession, envelope: Envelope, event: ApplicationAcceptedV1
) -> None:
    """Open the audit programme and request its first audit."""
    await programmes.on_application_accepted(session, envelope, event, settings=_current_settings())


HANDLERS: dict[str, EventHandler] = {
    "identity.organisation.registered.v1": organisation_projection(Organisation),
    "labelling.application.accepted.v1": on_application_accepted,
    # Transitions: a programme's cycle follows each change from the one before (a grant starts
    # it, the later changes only follow it), so a change waits for its predecessor.
    "recognition.status_changed.v1": in_order(
        programmes.on_recognition_changed,
        name="programme-cycle",
        policy="next",
        table=tables.applied_versions,
    ),
    "diagnostic.completed.v1": impartiality.on_diagnostic_completed,
}
