"""Handlers of the events the diagnostic service consumes (routing key -> handler)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.evaluations import service as evaluations
from cap_diagnostic.models import Organisation, Recognition, tables
from cap_diagnostic.plans import proposals
from cap_shared.contracts import Envelope
from cap_shared.contracts.audit import AuditReportSubmittedV1
from cap_shared.contracts.labelling import RecognitionStatusChangedV1
from cap_shared.inbox import EventHandler
from cap_shared.inbox.order import in_order
from cap_shared.readmodel import ReadModelRepository, organisation_projection


async def on_audit_report(
    session: AsyncSession, envelope: Envelope, event: AuditReportSubmittedV1
) -> None:
    """A submitted audit report: its findings become proposed actions in the organisation's
    plan, and a CAP RSE report's evaluated maturity is recorded and scored as the auditor's
    evaluation (the CAP RSE level is computed from it). Both once, in the same transaction."""
    await proposals.on_audit_report(session, envelope, event)
    await evaluations.on_audit_report(session, envelope, event)


async def on_recognition_changed(
    session: AsyncSession, _envelope: Envelope, event: RecognitionStatusChangedV1
) -> None:
    """Keep the recognition's latest state (an older event arriving late changes nothing)."""
    await ReadModelRepository(session, Recognition).save_if_newer(
        Recognition(
            id=event.recognition_id,
            organisation_id=event.organisation_id,
            scheme=event.scheme,
            level=event.level,
            status=event.status,
            number=event.number,
            effective_date=event.effective_date,
            expiry_date=event.expiry_date,
            changed_at=event.changed_at,
        ),
        version="changed_at",
    )


HANDLERS: dict[str, EventHandler] = {
    "identity.organisation.registered.v1": organisation_projection(Organisation),
    "audit.report_submitted.v1": on_audit_report,
    # A state projection: an older change arriving after a newer one is skipped.
    "recognition.status_changed.v1": in_order(
        on_recognition_changed, name="recognition", policy="latest", table=tables.applied_versions
    ),
}
