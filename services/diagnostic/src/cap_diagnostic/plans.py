"""Progress plans: actions proposed from a diagnostic's gaps and from audit findings, then
owned, scheduled, reviewed and verified; overdue actions are announced once per due date.

One living plan per organisation: a new diagnostic or an audit adds proposals to the same plan,
and an item already proposed (same source) is never proposed twice, so re-issuing a plan or
redelivering an audit event adds nothing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic import lifecycle, scoring
from cap_diagnostic.lifecycle import ActionStatus, ActionStep
from cap_diagnostic.models import ActionReview, Diagnostic, ProgressAction, ProgressPlan, tables
from cap_diagnostic.referentials import service as referentials
from cap_diagnostic.repository import DiagnosticRepository, OrganisationRepository, PlanRepository
from cap_diagnostic.schemas import (
    ActionCreate,
    ActionDetail,
    ActionOut,
    ActionUpdate,
    PlanOut,
    ReviewIn,
    ReviewOut,
)
from cap_shared import clock
from cap_shared.conditional import Precondition, etag_of
from cap_shared.contracts import Envelope, new_event
from cap_shared.contracts.audit import AuditReportSubmittedV1
from cap_shared.contracts.diagnostic import ActionDueSoonV1, ActionOverdueV1
from cap_shared.outbox import add_event
from cap_shared.problems import Forbidden, NotFound, ProblemError
from cap_shared.security import Principal, Role
from cap_shared.sync import Deleted, SyncPage

SOURCE = "/cap/diagnostic"
OPEN = sorted(s.value for s in lifecycle.OPEN_ACTIONS)
#: Findings that become proposed actions, with their priority.
FINDING_PRIORITY = {
    "major_nc": "high",
    "minor_nc": "medium",
    "opportunity": "low",
    "observation": "low",
}
#: Days to answer a finding when the audit gives no deadline (docs/domain/domain.md 5.2).
DEFAULT_FINDING_DAYS = 90
OVERDUE_BATCH = 500


class UnknownCriterion(ProblemError):
    """The action names a criterion no imported referential has."""

    status, code, title = 422, "unknown-criterion", "Unknown criterion"
    title_fr = "Critère inconnu"


# reading ---------------------------------------------------------------------------------------
async def _plan_visible(
    session: AsyncSession, principal: Principal, plan_id: str, *, for_update: bool = False
) -> ProgressPlan:
    plan = await PlanRepository(session).get_plan(plan_id, for_update=for_update)
    organisation = (
        await OrganisationRepository(session).get(organisation_id=plan.organisation_id)
        if plan
        else None
    )
    if (
        plan is None
        or organisation is None
        or not principal.may_see_organisation(organisation.id, organisation.region)
    ):
        raise NotFound("no such progress plan", detail_fr="plan de progrès introuvable")
    return plan


async def _action_visible(
    session: AsyncSession, principal: Principal, action_id: str, *, for_update: bool = False
) -> ProgressAction:
    action = await PlanRepository(session).get_action(action_id, for_update=for_update)
    organisation = (
        await OrganisationRepository(session).get(organisation_id=action.organisation_id)
        if action
        else None
    )
    if (
        action is None
        or organisation is None
        or not principal.may_see_organisation(organisation.id, organisation.region)
    ):
        raise NotFound("no such action", detail_fr="action introuvable")
    return action


def action_out(action: ProgressAction, today: date) -> ActionOut:
    """The API view of an action, with its derived overdue flag."""
    status = ActionStatus(action.status)
    return ActionOut(
        id=action.id,
        plan_id=action.plan_id,
        organisation_id=action.organisation_id,
        title=action.title,
        description=action.description,
        criterion=action.criterion_urn,
        criterion_code=action.criterion_code,
        theme_code=action.theme_code,
        owner=action.owner,
        due_date=action.due_date,
        priority=action.priority,
        status=action.status,
        overdue=lifecycle.is_overdue(status, action.due_date, today),
        source=action.source,
        source_ref=action.source_ref,
        expected_gain=action.expected_gain,
        allowed_steps=lifecycle.action_steps(status),
        created_at=action.created_at,
        completed_at=action.completed_at,
        verified_at=action.verified_at,
    )


async def plan_out(
    session: AsyncSession,
    plan: ProgressPlan,
    today: date,
    *,
    status: str | None = None,
    overdue_only: bool = False,
) -> PlanOut:
    """A plan with its actions (filtered)."""
    actions = await PlanRepository(session).actions(plan.id, statuses=[status] if status else None)
    views = [action_out(a, today) for a in actions]
    if overdue_only:
        views = [v for v in views if v.overdue]
    counts: dict[str, int] = {}
    for a in actions:
        counts[a.status] = counts.get(a.status, 0) + 1
    return PlanOut(
        id=plan.id,
        organisation_id=plan.organisation_id,
        diagnostic_id=plan.diagnostic_id,
        counts=counts,
        overdue=sum(1 for v in views if v.overdue),
        actions=views,
        updated_at=plan.modified_at or plan.created_at,
    )


async def list_plans(
    session: AsyncSession,
    principal: Principal,
    today: date,
    *,
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
) -> SyncPage[PlanOut]:
    """Plans the caller may see, oldest first; with ``updated_since``, those changed (an
    action included) or deleted since, oldest change first."""
    unrestricted = principal.has_role(Role.ADMIN)
    scope = {
        "organisation_ids": None if unrestricted else sorted(principal.organisation_ids()),
        "regions": None if unrestricted else sorted(principal.regions()),
    }
    repo = PlanRepository(session)
    deleted: list[Deleted] = []
    if updated_since is None:
        plans, next_cursor = await repo.plans(**scope, cursor=cursor, limit=limit)
    else:
        plans, deleted, next_cursor = await repo.plan_changes(
            **scope, since=updated_since, cursor=cursor, limit=limit
        )
    return SyncPage[PlanOut](
        data=[await plan_out(session, p, today) for p in plans],
        deleted=deleted,
        next_cursor=next_cursor,
    )


async def get_plan(
    session: AsyncSession,
    principal: Principal,
    plan_id: str,
    today: date,
    *,
    status: str | None,
    overdue_only: bool,
) -> PlanOut:
    """One visible plan."""
    plan = await _plan_visible(session, principal, plan_id)
    return await plan_out(session, plan, today, status=status, overdue_only=overdue_only)


async def get_action(
    session: AsyncSession, principal: Principal, action_id: str, today: date
) -> ActionDetail:
    """An action and its reviews."""
    return await action_detail(session, await _action_visible(session, principal, action_id), today)


async def action_detail(session: AsyncSession, action: ProgressAction, today: date) -> ActionDetail:
    """What ``GET /v1/actions/{id}`` answers: the action and its reviews (its ETag's source)."""
    reviews = await PlanRepository(session).reviews(action.id)
    return ActionDetail(
        **action_out(action, today).model_dump(), reviews=[_review_out(r) for r in reviews]
    )


async def action_etag(session: AsyncSession, action: ProgressAction, today: date) -> str:
    """The action's ETag, as ``GET /v1/actions/{id}`` answers it."""
    return etag_of(await action_detail(session, action, today))


async def plan_etag(session: AsyncSession, plan: ProgressPlan, today: date) -> str:
    """The plan's ETag, as ``GET /v1/progress-plans/{id}`` (unfiltered) answers it."""
    return etag_of(await plan_out(session, plan, today))


def _review_out(review: ActionReview) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        note=review.note,
        progress=review.progress,
        status_after=review.status_after,
        reviewed_by=review.reviewed_by,
        reviewed_at=review.reviewed_at,
    )


async def summary(session: AsyncSession, organisation_ids: list[str]) -> dict[str, Any]:
    """Open actions and the next due date, for the home screen."""
    count, nearest = await PlanRepository(session).open_summary(organisation_ids, OPEN)
    return {"open_actions": count, "next_due_date": nearest}


# proposing ---------------------------------------------------------------------------------------
async def _plan_for(session: AsyncSession, organisation_id: str) -> ProgressPlan:
    repo = PlanRepository(session)
    plan = await repo.plan_of(organisation_id)
    if plan is None:
        plan = ProgressPlan(id=str(uuid.uuid4()), organisation_id=organisation_id)
        await repo.add(plan)
    return plan


async def issue_from_diagnostic(session: AsyncSession, diagnostic: Diagnostic, actor: str) -> int:
    """Propose actions from a rated diagnostic's gaps using the criteria's templates; how many.

    A criterion rated below three quarters of its scale gets its templates proposed, ranked by
    the points its next level would add; core criteria at the bottom of the scale come first.
    """
    referential = await referentials.resolved(session, diagnostic.referential_id)
    answers = await DiagnosticRepository(session).answers(diagnostic.id)
    ratings = {a.criterion_urn: scoring.Rating(a.level, a.not_applicable) for a in answers}
    result = scoring.score(referential, ratings)
    plan = await _plan_for(session, diagnostic.organisation_id)
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
        if rating.level / criterion.max_level >= lifecycle.PROPOSE_BELOW_RATIO:
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
    organisations = OrganisationRepository(session)
    sites = list(dict.fromkeys([event.organisation_id, *event.site_ids]))
    for organisation_id in sites:
        if await organisations.get(organisation_id=organisation_id) is None:
            raise LookupError(f"organisation {organisation_id} not known yet")  # retried
    repo = PlanRepository(session)
    audited = await _plan_for(session, event.organisation_id)
    plans = {event.organisation_id: (audited, await repo.source_refs(audited.id))}
    codes = await _criterion_codes(session)
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
            plan = await _plan_for(session, site)
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


async def _criterion_codes(session: AsyncSession) -> dict[str, tuple[str, str]]:
    """Criterion URN -> (code, theme code), over every imported referential version."""
    criteria = await referentials.known_criteria(session)
    return {urn: (c.code, c.theme_code) for urn, c in criteria.items()}


# editing ---------------------------------------------------------------------------------------
async def create_action(
    session: AsyncSession,
    principal: Principal,
    plan_id: str,
    data: ActionCreate,
    precondition: Precondition,
) -> ProgressAction:
    """Add an action by hand, to the plan as the caller last read it (``If-Match``)."""
    plan = await _plan_visible(session, principal, plan_id, for_update=True)
    precondition.check(await plan_etag(session, plan, clock.today()))
    code = theme = None
    if data.criterion:
        found = (await _criterion_codes(session)).get(data.criterion)
        if found is None:
            raise UnknownCriterion(
                f"unknown criterion {data.criterion}",
                detail_fr=f"critère inconnu {data.criterion}",
                extensions={
                    "errors": [
                        {
                            "field": "body.criterion",
                            "message": "unknown criterion",
                            "message_fr": "critère inconnu",
                        }
                    ]
                },
            )
        code, theme = found
    action_id = str(uuid.uuid4())
    action = ProgressAction(
        id=action_id,
        plan_id=plan.id,
        organisation_id=plan.organisation_id,
        title=data.title,
        description=data.description,
        criterion_urn=data.criterion,
        criterion_code=code,
        theme_code=theme,
        owner=data.owner,
        due_date=data.due_date,
        priority=data.priority,
        status=ActionStatus.PLANNED.value,
        source="manual",
        source_ref=action_id,
        created_by=principal.subject,
    )
    await PlanRepository(session).add(action)
    return action


async def update_action(
    session: AsyncSession,
    principal: Principal,
    action_id: str,
    data: ActionUpdate,
    precondition: Precondition,
) -> ProgressAction:
    """Change owner, due date, priority or wording, on the action as the caller read it."""
    action = await _action_visible(session, principal, action_id, for_update=True)
    precondition.check(await action_etag(session, action, clock.today()))
    lifecycle.ensure_action_editable(ActionStatus(action.status))
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(action, name, value)
    action.modified_at = clock.now()
    await PlanRepository(session).add(action)
    return action


async def step_action(
    session: AsyncSession,
    principal: Principal,
    action_id: str,
    step: ActionStep,
    note: str | None,
    precondition: Precondition,
) -> ProgressAction:
    """Move an action along its lifecycle; verification is a facilitator's or an admin's."""
    action = await _action_visible(session, principal, action_id, for_update=True)
    precondition.check(await action_etag(session, action, clock.today()))
    if step is ActionStep.VERIFY and not principal.has_role(Role.FACILITATOR, Role.ADMIN):
        raise Forbidden(
            "an action is verified by a facilitator or an administrator",
            detail_fr="une action est vérifiée par un animateur ou un administrateur",
        )
    target = lifecycle.next_action_status(ActionStatus(action.status), step)
    now = clock.now()
    action.status = target.value
    action.modified_at = now
    if target is ActionStatus.DONE:
        action.completed_at = now
    if target is ActionStatus.VERIFIED:
        action.verified_at, action.verified_by = now, principal.subject
    if step is ActionStep.REOPEN:
        action.completed_at = None
    repo = PlanRepository(session)
    await repo.add(action)
    if note:
        await repo.add(
            ActionReview(
                id=str(uuid.uuid4()),
                action_id=action.id,
                note=note,
                status_after=target.value,
                reviewed_by=principal.subject,
                reviewed_at=now,
            )
        )
    return action


async def review_action(
    session: AsyncSession, principal: Principal, action_id: str, data: ReviewIn
) -> ReviewOut:
    """A follow-up review: a note and how far along it is."""
    action = await _action_visible(session, principal, action_id, for_update=True)
    lifecycle.ensure_action_editable(ActionStatus(action.status))
    review = ActionReview(
        id=str(uuid.uuid4()),
        action_id=action.id,
        note=data.note,
        progress=data.progress,
        status_after=action.status,
        reviewed_by=principal.subject,
        reviewed_at=clock.now(),
    )
    await PlanRepository(session).add(review)
    return _review_out(review)


# overdue ---------------------------------------------------------------------------------------
async def _announce(
    session: AsyncSession,
    action: ProgressAction,
    event: ActionOverdueV1 | ActionDueSoonV1,
    actor: str,
) -> None:
    await add_event(
        session, tables.outbox, new_event(event, source=SOURCE, subject=action.id, actor=actor)
    )


async def detect_overdue(session: AsyncSession, today: date) -> int:
    """Publish ``action.overdue.v1`` once per action and due date; how many this run."""
    repo = PlanRepository(session)
    actions = await repo.due_before(today, OPEN, OVERDUE_BATCH)
    for action in actions:
        assert action.due_date is not None
        event = ActionOverdueV1(
            action_id=action.id,
            plan_id=action.plan_id,
            organisation_id=action.organisation_id,
            title=action.title,
            criterion_code=action.criterion_code,
            owner=action.owner,
            priority=action.priority,
            due_date=action.due_date,
            detected_on=today,
            days_overdue=(today - action.due_date).days,
        )
        await _announce(session, action, event, "system:overdue-detector")
        action.overdue_notified_for = action.due_date
    await session.flush()
    return len(actions)


async def remind_due_soon(session: AsyncSession, today: date, days: int) -> int:
    """Publish ``action.due_soon.v1`` once per open action and due date, ``days`` ahead."""
    repo = PlanRepository(session)
    actions = await repo.due_soon(today, today + timedelta(days=days), OPEN, OVERDUE_BATCH)
    for action in actions:
        assert action.due_date is not None
        event = ActionDueSoonV1(
            action_id=action.id,
            plan_id=action.plan_id,
            organisation_id=action.organisation_id,
            title=action.title,
            criterion_code=action.criterion_code,
            owner=action.owner,
            priority=action.priority,
            due_date=action.due_date,
            days_left=(action.due_date - today).days,
        )
        await _announce(session, action, event, "system:reminders")
        action.reminded_for = action.due_date
    await session.flush()
    return len(actions)
