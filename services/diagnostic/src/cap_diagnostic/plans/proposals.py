"""Proposed actions: from a rated diagnostic's gaps and from a submitted audit's findings.

An item already proposed (same source) is never proposed twice, so re-issuing a plan or
redelivering an audit event adds nothing.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.diagnostics.repository import DiagnosticRepository
from cap_diagnostic.diagnostics.rules import scoring
from cap_diagnostic.models import Diagnostic, Organisation, ProgressAction, ProgressPlan
from cap_diagnostic.plans import rules
from cap_diagnostic.plans.repository import PlanRepository
from cap_diagnostic.plans.rules import OPEN, ActionStatus
from cap_diagnostic.referentials import service as referentials
from cap_shared import clock
from cap_shared.contracts import Envelope
from cap_shared.contracts.audit import AuditReportSubmittedV1
from cap_shared.readmodel import ReadModelRepository

#: Findings that become proposed actions, with their priority.
FINDING_PRIORITY = {
    "major_nc": "high",
    "minor_nc": "medium",
    "opportunity": "low",
    "observation": "low",
}
#: Days to answer a finding when the audit gives no deadline (docs/domain/domain.md 5.2).
DEFAULT_FINDING_DAYS = 90


async def plan_for(session: AsyncSession, organisation_id: str) -> ProgressPlan:
    """The organisation's one plan, opened on first use."""
    repo = PlanRepository(session)
    plan = await repo.plan_of(organisation_id)
    if plan is None:
        plan = ProgressPlan(id=str(uuid.uuid4()), organisation_id=organisation_id)
        await repo.add(plan)
    return plan


async def issue_from_diagnostic(
    session: AsyncSession, diagnostic: Diagnostic, *, actor: str
) -> int:
    """Propose actions from a rated diagnostic's gaps using the criteria's templates; how many.

    A criterion rated below three quarters of its scale gets its templates proposed, ranked by
    the points its next level would add; core criteria at the bottom of the scale come first.
    """
    referential = await referentials.resolved(session, diagnostic.referential_id)
    answers = await DiagnosticRepository(session).answers(diagnostic.id)
    ratings = {a.criterion_urn: scoring.Rating(a.level, a.not_applicable) for a in answers}
    result = scoring.score(referential, ratings)
    plan = await plan_for(session, diagnostic.organisation_id)
    plan.diagnostic_id = diagnostic.id
    repo = PlanRepository(session)
    taken = await repo.source_refs(plan.id)
    open_templates = {
        (a.criterion_urn, a.source_ref.rsplit(":", 1)[-1])
        for a in await repo.actions(plan.id, statuses=OPEN)
        if a.source == "diagnostic"
    }
    start = diagnostic.session_date or (diagnostic.completed_at or clock.now()).date()
    proposed = 0
    for urn, criterion in referential.criteria.items():
        rating = ratings.get(urn)
        if rating is None or rating.not_applicable or rating.level is None:
            continue
        if rating.level / criterion.max_level >= rules.PROPOSE_BELOW_RATIO:
            continue
        for template in criterion.action_templates:
            ref = f"{diagnostic.id}:{template.code}"
            if ref in taken or (urn, template.code) in open_templates:
                continue
            priority = template.priority.value
            if criterion.core and rating.level <= 1:
                priority = "high"
            await repo.add(
                ProgressAction(
                    id=str(uuid.uuid4()),
                    plan_id=plan.id,
                    organisation_id=plan.organisation_id,
                    title=template.title,
                    description=template.description,
                    criterion_urn=urn,
                    criterion_code=criterion.code,
                    theme_code=criterion.theme_code,
                    due_date=start + timedelta(days=template.duration_days),
                    priority=priority,
                    status=ActionStatus.PROPOSED.value,
                    source="diagnostic",
                    source_ref=ref,
                    expected_gain=round(result.step_gain.get(urn, 0.0), 1),
                    created_by=actor,
                )
            )
            proposed += 1
    return proposed


async def on_audit_report(
    session: AsyncSession, envelope: Envelope, event: AuditReportSubmittedV1
) -> None:
    """Findings of a submitted audit become proposed actions in the plan of the site they were
    made at: a member site of the report's ``site_ids`` (``finding.site_id``), else the audited
    organisation (the central function of a group, or a site that is not the report's)."""
    organisations = ReadModelRepository(session, Organisation)
    sites = list(dict.fromkeys([event.organisation_id, *event.site_ids]))
    for organisation_id in sites:
        if await organisations.get(organisation_id) is None:
            raise LookupError(f"organisation {organisation_id} not known yet")  # retried
    repo = PlanRepository(session)
    audited = await plan_for(session, event.organisation_id)
    plans = {event.organisation_id: (audited, await repo.source_refs(audited.id))}
    codes = await criterion_codes(session)
    for finding in event.findings:
        priority = FINDING_PRIORITY.get(finding.type)
        if priority is None:
            continue
        site = (
            finding.site_id
            if finding.site_id is not None and finding.site_id in sites
            else event.organisation_id
        )
        if site not in plans:
            plan = await plan_for(session, site)
            plans[site] = (plan, await repo.source_refs(plan.id))
        plan, taken = plans[site]
        ref = f"{event.audit_id}:{finding.finding_id}"
        if ref in taken:
            continue
        taken.add(ref)
        kind = {
            "major_nc": "Non-conformité majeure",
            "minor_nc": "Non-conformité mineure",
            "opportunity": "Piste de progrès",
            "observation": "Observation",
        }[finding.type]
        code, theme = codes.get(finding.criterion_urn or "", (None, None))
        await repo.add(
            ProgressAction(
                id=str(uuid.uuid4()),
                plan_id=plan.id,
                organisation_id=plan.organisation_id,
                title=f"{kind} — {finding.title}"[:300],
                description=finding.description
                + (f"\nExigence : {finding.clause}" if finding.clause else ""),
                criterion_urn=finding.criterion_urn,
                criterion_code=code,
                theme_code=theme,
                due_date=finding.response_due
                or (event.submitted_at.date() + timedelta(days=DEFAULT_FINDING_DAYS)),
                priority=priority,
                status=ActionStatus.PROPOSED.value,
                source="audit",
                source_ref=ref,
                created_by=envelope.actor or f"audit:{event.audit_id}",
            )
        )


async def criterion_codes(session: AsyncSession) -> dict[str, tuple[str, str]]:
    """Criterion URN -> (code, theme code), over every imported referential version."""
    criteria = await referentials.known_criteria(session)
    return {urn: (c.code, c.theme_code) for urn, c in criteria.items()}
