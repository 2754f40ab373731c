"""Handlers of the events the diagnostic service consumes (routing key -> handler)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic import evaluations, plans
from cap_diagnostic.models import Organisation, Recognition
from cap_diagnostic.repository import OrganisationRepository, StatisticsRepository
from cap_shared.contracts import Envelope
from cap_shared.contracts.audit import AuditReportSubmittedV1
from cap_shared.contracts.identity import OrganisationRegisteredV1
from cap_shared.contracts.labelling import RecognitionStatusChangedV1
from cap_shared.inbox import EventHandler


async def on_organisation_registered(
    session: AsyncSession, _envelope: Envelope, event: OrganisationRegisteredV1
) -> None:
    """Keep the new member structure in the local read model."""
    await OrganisationRepository(session).save(
        Organisation(
            id=event.organisation_id,
            siret=event.siret,
            name=event.name,
            siae_types=list(event.siae_types),
            region=event.region,
            delegation=event.delegation,
            registered_at=event.registered_at,
        )
    )


async def on_audit_report(
    session: AsyncSession, envelope: Envelope, event: AuditReportSubmittedV1
) -> None:
    """A submitted audit report: its findings become proposed actions in the organisation's
    plan, and a CAP RSE report's evaluated maturity is recorded and scored as the auditor's
    evaluation (the CAP RSE level is computed from it). Both once, in the same transaction."""
    await plans.on_audit_report(session, envelope, event)
    await evaluations.on_audit_report(session, envelope, event)


HANDLERS: dict[str, EventHandler] = {
    "identity.organisation.registered.v1": on_organisation_registered,
    "audit.report_submitted.v1": on_audit_report,
}


async def on_recognition_changed(
    session: AsyncSession, _envelope: Envelope, event: RecognitionStatusChangedV1
) -> None:
    """Keep the recognition's latest state (an older event arriving late changes nothing)."""
    await StatisticsRepository(session).save_recognition(
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
        )
    )


HANDLERS["recognition.status_changed.v1"] = on_recognition_changed
