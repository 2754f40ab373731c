"""What the restitution report shows, read with the caller's access rules.

Data is gathered asynchronously here, then rendered by the pure functions of
:mod:`cap_diagnostic.diagnostics.report.pdf` in a worker thread, so a 300 ms PDF never blocks
the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.diagnostics import completion
from cap_diagnostic.diagnostics import service as diagnostics
from cap_diagnostic.models import Organisation
from cap_diagnostic.plans import service as plans
from cap_diagnostic.plans.schemas import ActionPublic
from cap_diagnostic.referentials import service as referentials
from cap_diagnostic.resources import service as resources
from cap_diagnostic.resources.schemas import Recommendations
from cap_shared.readmodel import ReadModelRepository
from cap_shared.security import Principal


@dataclass
class ReportData:
    """Everything the restitution report shows."""

    organisation: Organisation
    diagnostic: dict[str, Any]
    referential_name: str
    referential_version: int
    referential_draft: bool
    scores: dict[str, Any]
    key_figures: dict[str, Any] | None
    actions: list[ActionPublic]
    recommendations: Recommendations
    generated_on: date
    criterion_names: dict[str, str] = field(default_factory=dict)


async def gather(
    session: AsyncSession, principal: Principal, *, diagnostic_id: str, today: date
) -> ReportData:
    """Read what the report needs (the caller's access rules apply)."""
    diagnostic = await diagnostics.get(session, principal, diagnostic_id=diagnostic_id)
    public = await diagnostics.to_public(session, diagnostic)
    referential = await referentials.resolved(session, diagnostic.referential_id)
    organisation = await ReadModelRepository(session, Organisation).get(diagnostic.organisation_id)
    assert organisation is not None  # visible diagnostics have their organisation
    scores = await completion.live_scores(session, principal, diagnostic_id=diagnostic_id)
    actions = await plans.organisation_actions(
        session, organisation_id=diagnostic.organisation_id, today=today
    )
    return ReportData(
        organisation=organisation,
        diagnostic=public.model_dump(mode="json"),
        referential_name=referential.document.name,
        referential_version=referential.version,
        referential_draft=referential.document.status.value == "draft",
        scores=scores,
        key_figures=public.key_figures,
        actions=[a for a in actions if a.status != "cancelled"],
        recommendations=await resources.recommendations(
            session, principal, diagnostic_id=diagnostic_id
        ),
        generated_on=today,
        criterion_names={c.code: c.name for c in referential.criteria.values()},
    )
