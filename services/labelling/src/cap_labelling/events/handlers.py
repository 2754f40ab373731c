"""Handlers of the events the labelling service consumes (routing key -> handler)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.models import CompletedDiagnostic, Organisation
from cap_labelling.repository import DiagnosticRepository, OrganisationRepository
from cap_shared.contracts import Envelope
from cap_shared.contracts.diagnostic import DiagnosticCompletedV1
from cap_shared.contracts.identity import OrganisationRegisteredV1
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
            region_name=event.region_name,
            delegation=event.delegation,
            registered_at=event.registered_at,
        )
    )


async def on_diagnostic_completed(
    session: AsyncSession, _envelope: Envelope, event: DiagnosticCompletedV1
) -> None:
    """Remember the completed diagnostic: eligibility and CAP RSE levels are computed from it."""
    await DiagnosticRepository(session).save(
        CompletedDiagnostic(
            diagnostic_id=event.diagnostic_id,
            organisation_id=event.organisation_id,
            kind=event.kind,
            referential_code=event.referential.code,
            referential_version=event.referential.version,
            completed_at=event.completed_at,
            overall_score=event.overall.score,
            overall_band=event.overall.band,
            scores=event.model_dump(
                mode="json", include={"overall", "themes", "frameworks", "kinds"}
            ),
        )
    )


HANDLERS: dict[str, EventHandler] = {
    "identity.organisation.registered.v1": on_organisation_registered,
    "diagnostic.completed.v1": on_diagnostic_completed,
}
