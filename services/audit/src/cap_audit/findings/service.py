"""Use cases of findings: recorded by the audit team, answered by the organisation, reviewed
by the auditor; the reminders and escalations of their deadlines."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit import access
from cap_audit.appeals import rules as appeal_rules
from cap_audit.appeals.repository import AppealRepository
from cap_audit.appeals.schemas import AppealPublic
from cap_audit.audits.repository import AuditRepository
from cap_audit.audits.rules import AuditStatus, InvalidTransition, RuleViolation, Scheme
from cap_audit.config import SOURCE, Settings, rules_for
from cap_audit.findings import rules
from cap_audit.findings.repository import FindingRepository
from cap_audit.findings.rules import FindingStatus, FindingType
from cap_audit.findings.schemas import FindingCreate, FindingPublic, ResponseCreate
from cap_audit.models import Audit, Finding, FindingAppeal, tables
from cap_audit.programmes.repository import ProgrammeRepository
from cap_shared.audit import record_change
from cap_shared.clock import Clock
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import FindingResponseDueV1, FindingStatusChangedV1
from cap_shared.outbox import add_event
from cap_shared.problems import Forbidden, ProblemError
from cap_shared.security import Principal, Role
from cap_shared.sync import Deleted


class UnknownSite(ProblemError):
    """A finding or an evaluation names a site that is not one of the programme's."""

    status, code, title = 422, "unknown-site", "Not a site of the programme"
    title_fr = "Site hors du programme"


def finding_public(
    finding: Finding,
    today: date,
    *,
    appeal: FindingAppeal | None = None,
    appeal_deadline: date | None = None,
) -> FindingPublic:
    """A finding as the API shows it (with its appeal, and until when it may be appealed)."""
    open_statuses = (FindingStatus.OPEN.value, FindingStatus.RESPONSE_SUBMITTED.value)
    return FindingPublic(
        id=finding.id,
        audit_id=finding.audit_id,
        organisation_id=finding.organisation_id,
        type=finding.type,
        title=finding.title,
        description=finding.description,
        criterion_urn=finding.criterion_urn,
        clause=finding.clause,
        site_id=finding.site_id,
        evidence=finding.evidence,
        status=finding.status,
        response_due=finding.response_due,
        verification_due=finding.verification_due,
        escalated_from=finding.escalated_from,
        escalated_on=finding.escalated_on,
        appeal_deadline=appeal_deadline,
        appeal=(
            AppealPublic(
                id=appeal.id,
                reason=appeal.reason,
                lodged_by=appeal.lodged_by,
                lodged_at=appeal.lodged_at,
                status_before=appeal.status_before,
                outcome=appeal.outcome,
                decision_reason=appeal.decision_reason,
                decided_by=appeal.decided_by,
                decided_at=appeal.decided_at,
            )
            if appeal is not None
            else None
        ),
        overdue=bool(
            finding.response_due
            and finding.response_due < today
            and finding.status in open_statuses
        ),
        root_cause=finding.root_cause,
        correction=finding.correction,
        corrective_action=finding.corrective_action,
        action_due=finding.action_due,
        response_evidence=finding.response_evidence,
        responded_at=finding.responded_at,
        auditor_comment=finding.auditor_comment,
        verified_at=finding.verified_at,
    )


def appeal_opened_on(finding: Finding, audit: Audit) -> date | None:
    """The day the appeal period of a finding counts from: its escalation to major, else the
    report's submission (None before it)."""
    if finding.escalated_on is not None:
        return finding.escalated_on
    return audit.report_submitted_at.date() if audit.report_submitted_at else None


async def findings_public(
    session: AsyncSession, findings: Sequence[Finding], *, settings: Settings, today: date
) -> list[FindingPublic]:
    """Findings as the API shows them, with their appeals (in a few queries)."""
    appeals = await AppealRepository(session).appeals_of([f.id for f in findings])
    audits = await AuditRepository(session).by_ids([f.audit_id for f in findings])
    out = []
    for finding in findings:
        audit = audits[finding.audit_id]
        opened = appeal_opened_on(finding, audit)
        deadline = None
        if opened is not None and finding.type in {t.value for t in rules.NONCONFORMITIES}:
            deadline = appeal_rules.appeal_deadline(
                opened, rules_for(settings, Scheme(audit.scheme))
            )
        out.append(
            finding_public(finding, today, appeal=appeals.get(finding.id), appeal_deadline=deadline)
        )
    return out


async def site_of(
    session: AsyncSession, audit: Audit, *, site_id: str | None, field: str
) -> str | None:
    """A finding's or an evaluation's site: one of the programme's group members (None, or the
    organisation itself: the central function), else 422 naming the field."""
    if site_id is None or site_id == audit.organisation_id:
        return None
    programme = await ProgrammeRepository(session).get(audit.programme_id)
    if programme is None or site_id not in programme.group_member_ids:
        raise UnknownSite(
            f"{site_id} is not a site of the programme",
            detail_fr=f"{site_id} n'est pas un site du programme",
            extensions={
                "errors": [
                    {
                        "field": field,
                        "message": "not a member of the group",
                        "message_fr": "pas un membre du groupement",
                    }
                ]
            },
        )
    return site_id


async def add_finding(
    session: AsyncSession, principal: Principal, *, audit_id: str, data: FindingCreate
) -> Finding:
    """Record a finding while the audit is in progress (the team or the body), at a site of
    the programme."""
    audit = await access.visible_audit(session, principal, audit_id, for_update=True)
    await access.acts_for_body(session, principal, audit)
    if audit.status != AuditStatus.IN_PROGRESS.value:
        raise InvalidTransition(
            f"findings are recorded while the audit is in progress, not {audit.status}",
            detail_fr=(
                "les constats s'enregistrent pendant l'audit (en cours), pas à "
                f"l'état « {audit.status} »"
            ),
        )
    kind = FindingType(data.type)
    finding = Finding(
        id=str(uuid.uuid4()),
        audit_id=audit.id,
        organisation_id=audit.organisation_id,
        type=kind.value,
        title=data.title,
        description=data.description,
        criterion_urn=data.criterion_urn,
        clause=data.clause,
        site_id=await site_of(session, audit, site_id=data.site_id, field="body.site_id"),
        evidence=[e.model_dump(mode="json") for e in data.evidence],
        status=(FindingStatus.OPEN if kind in rules.NONCONFORMITIES else FindingStatus.NOTED).value,
    )
    await FindingRepository(session).add(finding)
    await record_finding(session, finding, action="finding.recorded", before=None)
    return finding


def finding_state(finding: Finding) -> dict[str, object]:
    """What the audit trail keeps of a finding."""
    return {
        "audit_id": finding.audit_id,
        "type": finding.type,
        "status": finding.status,
        "title": finding.title,
        "criterion_urn": finding.criterion_urn,
        "clause": finding.clause,
        "site_id": finding.site_id,
        "response_due": finding.response_due,
        "verification_due": finding.verification_due,
        "escalated_from": finding.escalated_from,
    }


def answer_state(finding: Finding) -> dict[str, object]:
    """What the audit trail keeps of a finding's answer and its review."""
    return {
        "status": finding.status,
        "root_cause": finding.root_cause,
        "correction": finding.correction,
        "corrective_action": finding.corrective_action,
        "action_due": finding.action_due,
        "responded_at": finding.responded_at,
        "verification_due": finding.verification_due,
        "auditor_comment": finding.auditor_comment,
        "verified_at": finding.verified_at,
        "verified_by": finding.verified_by,
    }


async def record_finding(
    session: AsyncSession,
    finding: Finding,
    *,
    action: str,
    before: dict[str, object] | None,
    after: dict[str, object] | None = None,
    event_id: str | None = None,
    record_type: str = "finding",
) -> None:
    """Append a change of a finding (or of its answer) to the audit trail."""
    await record_change(
        session,
        tables.audit_log,
        action=action,
        record_type=record_type,
        record_id=finding.id,
        before=before,
        after=finding_state(finding) if after is None else after,
        on_behalf_of=finding.organisation_id,
        event_id=event_id,
    )


#: The audit trail's action of each review of an answer.
_REVIEWED = {
    rules.FindingStep.ACCEPT_PLAN: "finding_answer.plan_accepted",
    rules.FindingStep.SEND_BACK: "finding_answer.sent_back",
    rules.FindingStep.VERIFY: "finding_answer.closure_verified",
}


async def respond(
    session: AsyncSession,
    principal: Principal,
    *,
    finding_id: str,
    data: ResponseCreate,
    settings: Settings,
    clock: Clock,
) -> Finding:
    """The organisation answers a nonconformity: root cause, correction, corrective action; an
    answered major must then be verified within ``major_verification_days``."""
    finding, audit = await access.visible_finding(session, principal, finding_id, for_update=True)
    if not (
        principal.has_role(Role.ADMIN) or audit.organisation_id in principal.organisation_ids()
    ):
        raise Forbidden(
            "the audited organisation answers its nonconformities",
            detail_fr="c'est la structure auditée qui répond à ses non-conformités",
        )
    if audit.report_submitted_at is None:
        raise InvalidTransition(
            "nonconformities are answered once the report is submitted",
            detail_fr="on répond aux non-conformités une fois le rapport remis",
        )
    target = rules.next_finding_status(
        FindingType(finding.type), FindingStatus(finding.status), rules.FindingStep.RESPOND
    )
    before = answer_state(finding)
    finding.root_cause, finding.correction = data.root_cause, data.correction
    finding.corrective_action, finding.action_due = data.corrective_action, data.action_due
    finding.response_evidence = [e.model_dump(mode="json") for e in data.evidence]
    finding.responded_at = now = clock.now()
    finding.verification_due = rules.verification_due(
        FindingType(finding.type), now.date(), rules_for(settings, Scheme(audit.scheme))
    )
    previous, finding.status = finding.status, target.value
    await FindingRepository(session).add(finding)
    event_id = await publish_finding_status(
        session,
        finding,
        scheme=audit.scheme,
        previous=previous,
        principal=principal,
        changed_at=now,
    )
    await record_finding(
        session,
        finding,
        action="finding_answer.submitted",
        record_type="finding_answer",
        before=before,
        after=answer_state(finding),
        event_id=event_id,
    )
    return finding


async def review(
    session: AsyncSession,
    principal: Principal,
    *,
    finding_id: str,
    decision: str,
    comment: str | None,
    clock: Clock,
) -> Finding:
    """The auditor accepts the plan, sends the answer back, or verifies the correction."""
    finding, audit = await access.visible_finding(session, principal, finding_id, for_update=True)
    await access.acts_for_body(session, principal, audit)
    finding_step = rules.FindingStep(decision)
    if finding_step is rules.FindingStep.SEND_BACK and not (comment or "").strip():
        raise RuleViolation(
            "sending an answer back needs a comment saying why",
            detail_fr="renvoyer une réponse demande un commentaire qui dit pourquoi",
        )
    target = rules.next_finding_status(
        FindingType(finding.type), FindingStatus(finding.status), finding_step
    )
    now = clock.now()
    before = answer_state(finding)
    previous, finding.status = finding.status, target.value
    finding.auditor_comment = comment or finding.auditor_comment
    if target is FindingStatus.VERIFIED_CLOSED:
        finding.verified_at, finding.verified_by = now, principal.subject
    if target is FindingStatus.OPEN:
        finding.verification_due = None  # sent back: a new answer, a new deadline
    await FindingRepository(session).add(finding)
    event_id = await publish_finding_status(
        session,
        finding,
        scheme=audit.scheme,
        previous=previous,
        principal=principal,
        changed_at=now,
    )
    await record_finding(
        session,
        finding,
        action=_REVIEWED[finding_step],
        record_type="finding_answer",
        before=before,
        after=answer_state(finding),
        event_id=event_id,
    )
    return finding


async def publish_finding_status(
    session: AsyncSession,
    finding: Finding,
    *,
    scheme: str,
    previous: str,
    principal: Principal,
    changed_at: datetime,
    previous_type: str | None = None,
    reason: str | None = None,
) -> str:
    """``finding.status_changed.v1``: a nonconformity moved on (every NC status change); the
    envelope's id (the audit trail's ``event_id``)."""
    event = FindingStatusChangedV1(
        finding_id=finding.id,
        audit_id=finding.audit_id,
        organisation_id=finding.organisation_id,
        scheme=scheme,
        type=finding.type,
        status=finding.status,
        previous_status=previous,
        response_due=finding.response_due,
        changed_at=changed_at,
        previous_type=previous_type,
        reason=reason,
        site_id=finding.site_id,
    )
    envelope = await add_event(
        session,
        tables.outbox,
        new_event(event, source=SOURCE, subject=finding.id, actor=principal.subject),
        versioned=True,
    )
    return envelope.id


async def nc_deadlines(session: AsyncSession, today: date, *, reminder_days: int) -> int:
    """Publish a reminder before each open NC's deadline and an escalation after it, and an
    escalation for each answered major not verified by its verification deadline (once each:
    per deadline, per answer)."""
    repo = FindingRepository(session)
    sent = 0
    horizon = today + timedelta(days=reminder_days)
    for finding in await repo.findings_due([FindingStatus.OPEN.value], horizon):
        assert finding.response_due is not None
        stage = "overdue" if finding.response_due < today else "reminder"
        key = f"{stage}:{finding.response_due.isoformat()}"
        if key in finding.notices:
            continue
        await _publish_due(session, finding, stage, finding.response_due, today)
        finding.notices = [*finding.notices, key]
        sent += 1
    answered = [FindingStatus.RESPONSE_SUBMITTED.value, FindingStatus.PLAN_ACCEPTED.value]
    for finding in await repo.answered_majors(answered, today):
        assert finding.verification_due is not None
        assert finding.responded_at is not None
        key = f"verification_overdue:{finding.responded_at.isoformat()}"
        if key in finding.notices or not rules.verification_overdue(
            FindingType(finding.type),
            FindingStatus(finding.status),
            finding.verification_due,
            today,
        ):
            continue
        await _publish_due(
            session, finding, "verification_overdue", finding.verification_due, today
        )
        finding.notices = [*finding.notices, key]
        sent += 1
    await repo.flush()
    return sent


async def _publish_due(
    session: AsyncSession, finding: Finding, stage: str, due: date, today: date
) -> None:
    """``finding.response_due.v1``: ``due`` is the deadline the stage is about (the answer's,
    or for ``verification_overdue`` the verification's)."""
    event = FindingResponseDueV1(
        finding_id=finding.id,
        audit_id=finding.audit_id,
        organisation_id=finding.organisation_id,
        type=finding.type,
        title=finding.title,
        response_due=due,
        stage=stage,
        days=abs((due - today).days),
    )
    await add_event(
        session,
        tables.outbox,
        new_event(event, source=SOURCE, subject=finding.id, actor="system:deadlines"),
    )


async def findings_page(
    session: AsyncSession,
    principal: Principal,
    *,
    audit_id: str,
    type_: str | None,
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Finding], list[Deleted], str | None]:
    """A page of the findings that count for a visible audit (its own, and the earlier minors
    its report escalated), oldest first; with ``updated_since``, those changed since."""
    audit = await access.visible_audit(session, principal, audit_id)
    return await FindingRepository(session).page(
        audit, type_=type_, updated_since=updated_since, cursor=cursor, limit=limit
    )
