"""Appeals against findings (ISO/IEC 17021-1 §9.7).

The audited structure (its member_admin, or an administrator) appeals a nonconformity within
the scheme's ``appeal_days`` of the report (or of the finding's escalation to major), once.
While appealed, the finding's deadlines stop: they move on by the days the appeal lasted. The
outcome is recorded by the certification body's system or by an administrator who took no part
in the audit: ``upheld`` (the finding stands as it was), ``overturned`` (it is withdrawn and
counts for nothing) or ``downgraded`` (a major becomes a minor).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit import access
from cap_audit.appeals import rules
from cap_audit.appeals.repository import AppealRepository
from cap_audit.appeals.rules import AppealOutcome
from cap_audit.appeals.schemas import AppealCreate, AppealDecision
from cap_audit.audits.repository import AuditRepository
from cap_audit.audits.rules import Scheme
from cap_audit.config import SOURCE, Settings, rules_for
from cap_audit.findings.repository import FindingRepository
from cap_audit.findings.rules import FindingStatus, FindingType
from cap_audit.findings.service import (
    appeal_opened_on,
    finding_state,
    publish_finding_status,
    record_finding,
)
from cap_audit.impartiality.rules import Person, decider_impartial
from cap_audit.models import Audit, Finding, FindingAppeal, tables
from cap_shared.clock import Clock
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import FindingAppealDecidedV1, FindingAppealLodgedV1
from cap_shared.outbox import add_event
from cap_shared.problems import Conflict, Forbidden, NotFound, ProblemError
from cap_shared.security import Principal, Role, Scope


class AppealDeciderNotImpartial(ProblemError):
    """Whoever records an appeal's outcome took no part in the audit nor lodged the appeal."""

    status, code, title = 409, "appeal-decider-not-impartial", "Appeal decider not impartial"
    title_fr = "Décideur du recours non impartial"


class AppealDecided(Conflict):
    """The appeal's outcome is recorded already."""

    code, title = "appeal-decided", "Appeal already decided"
    title_fr = "Recours déjà tranché"


async def lodge(
    session: AsyncSession,
    principal: Principal,
    *,
    finding_id: str,
    data: AppealCreate,
    settings: Settings,
    clock: Clock,
) -> Finding:
    """The audited structure appeals a nonconformity: its deadlines stop until the outcome;
    ``finding.appeal_lodged.v1`` and ``finding.status_changed.v1`` (appealed)."""
    finding, audit = await access.visible_finding(session, principal, finding_id, for_update=True)
    if not (
        principal.has_role(Role.ADMIN)
        or audit.organisation_id in principal.organisation_ids(Role.MEMBER_ADMIN)
    ):
        raise Forbidden(
            "the audited structure (its member_admin) appeals its findings",
            detail_fr="c'est la structure auditée (son member_admin) qui conteste ses constats",
        )
    repo = AppealRepository(session)
    now = clock.now()
    rules.may_appeal(
        FindingType(finding.type),
        FindingStatus(finding.status),
        opened_on=appeal_opened_on(finding, audit),
        today=now.date(),
        rules=rules_for(settings, Scheme(audit.scheme)),
        appealed_before=bool(await repo.appeals_of([finding.id])),
    )
    appeal = FindingAppeal(
        id=str(uuid.uuid4()),
        finding_id=finding.id,
        audit_id=finding.audit_id,
        organisation_id=finding.organisation_id,
        reason=data.reason,
        lodged_by=principal.subject,
        lodged_at=now,
        status_before=finding.status,
    )
    await repo.add(appeal)
    before = finding_state(finding)
    previous, finding.status = finding.status, FindingStatus.APPEALED.value
    await FindingRepository(session).add(finding)
    await add_event(
        session,
        tables.outbox,
        new_event(
            FindingAppealLodgedV1(
                appeal_id=appeal.id,
                finding_id=finding.id,
                audit_id=finding.audit_id,
                organisation_id=finding.organisation_id,
                scheme=audit.scheme,
                certification_body_id=audit.certification_body_id,
                finding_type=finding.type,
                lodged_by=principal.subject,
                lodged_at=now,
            ),
            source=SOURCE,
            subject=finding.id,
            actor=principal.subject,
        ),
    )
    event_id = await publish_finding_status(
        session,
        finding,
        scheme=audit.scheme,
        previous=previous,
        principal=principal,
        changed_at=now,
        reason=data.reason,
    )
    await record_finding(
        session,
        finding,
        action="finding.appealed",
        before=before,
        after={**finding_state(finding), "appeal_id": appeal.id, "appeal_reason": appeal.reason},
        event_id=event_id,
    )
    return finding


async def _teams(session: AsyncSession, finding: Finding) -> list[Person]:
    """Everyone on the team of the finding's audit, and of the audit that escalated it."""
    repo = AuditRepository(session)
    people = []
    for audit_id in {finding.audit_id, finding.escalated_by_audit_id} - {None}:
        assert audit_id is not None
        people += [
            Person(auditor.id, auditor.user_id, auditor.name)
            for _assignment, auditor in await repo.team(audit_id)
        ]
    return people


async def decide(
    session: AsyncSession,
    principal: Principal,
    *,
    finding_id: str,
    data: AppealDecision,
    clock: Clock,
) -> Finding:
    """Record an appeal's outcome (the body's system or an administrator who took no part in
    the audit): the finding stands, is withdrawn or becomes a minor, its deadlines moved on by
    the days the appeal lasted; ``finding.appeal_decided.v1`` and ``finding.status_changed.v1``."""
    finding, audit = await access.visible_finding(session, principal, finding_id, for_update=True)
    if not (
        principal.has_role(Role.ADMIN)
        or access.is_body(principal, audit.certification_body_id, Scope.AUDITS_WRITE)
    ):
        raise Forbidden(
            "the certification body's system or an administrator decides appeals",
            detail_fr=(
                "le système de l'organisme certificateur ou un administrateur tranche les recours"
            ),
        )
    repo = AppealRepository(session)
    appeal = (await repo.appeals_of([finding.id])).get(finding.id)
    if appeal is None:
        raise NotFound(
            "this finding is not appealed", detail_fr="ce constat ne fait l'objet d'aucun recours"
        )
    if appeal.outcome is not None:
        raise AppealDecided(
            f"the appeal was decided ({appeal.outcome})",
            detail_fr=f"le recours a été tranché ({appeal.outcome})",
            extensions={"outcome": appeal.outcome},
        )
    decider = principal.user_id or principal.subject
    impartial, why = decider_impartial(decider, None, await _teams(session, finding))
    if impartial and principal.subject == appeal.lodged_by:
        impartial, why = False, "they lodged the appeal"
    if not impartial:
        raise AppealDeciderNotImpartial(
            f"the appeal is decided by someone who took no part in the audit: {why}",
            detail_fr=(
                f"le recours est tranché par une personne qui n'a pas pris part à l'audit : {why}"
            ),
            extensions={"rule": rules.RULE_APPEAL_DECIDER, "decided_by": principal.subject},
        )
    outcome = AppealOutcome(data.outcome)
    kind, status = rules.appeal_result(
        FindingType(finding.type), FindingStatus(appeal.status_before), outcome
    )
    now = clock.now()
    before = finding_state(finding)
    stopped = max(0, (now.date() - appeal.lodged_at.date()).days)
    if status is not FindingStatus.WITHDRAWN and stopped:
        shift = timedelta(days=stopped)
        finding.response_due = finding.response_due and finding.response_due + shift
        finding.verification_due = finding.verification_due and finding.verification_due + shift
    finding.appealed_days += stopped
    previous_type = finding.type if kind.value != finding.type else None
    finding.type, finding.status = kind.value, status.value
    if kind is FindingType.MINOR_NC:
        finding.verification_due = None  # a minor is verified at the next audit
    appeal.outcome, appeal.decision_reason = outcome.value, data.reason
    appeal.decided_by, appeal.decided_at = principal.subject, now
    await repo.add(appeal)
    await FindingRepository(session).add(finding)
    await _publish_decided(session, finding, audit, appeal, principal)
    event_id = await publish_finding_status(
        session,
        finding,
        scheme=audit.scheme,
        previous=FindingStatus.APPEALED.value,
        principal=principal,
        changed_at=now,
        previous_type=previous_type,
        reason=f"appel {outcome.value} : {data.reason}",
    )
    await record_finding(
        session,
        finding,
        action=f"finding.appeal_{outcome.value}",
        before=before,
        after={
            **finding_state(finding),
            "appeal_id": appeal.id,
            "outcome": outcome.value,
            "decision_reason": appeal.decision_reason,
        },
        event_id=event_id,
    )
    return finding


async def _publish_decided(
    session: AsyncSession,
    finding: Finding,
    audit: Audit,
    appeal: FindingAppeal,
    principal: Principal,
) -> None:
    assert appeal.outcome is not None
    assert appeal.decided_at is not None
    assert appeal.decision_reason is not None
    await add_event(
        session,
        tables.outbox,
        new_event(
            FindingAppealDecidedV1(
                appeal_id=appeal.id,
                finding_id=finding.id,
                audit_id=finding.audit_id,
                organisation_id=finding.organisation_id,
                scheme=audit.scheme,
                outcome=appeal.outcome,
                decided_by=principal.subject,
                decided_at=appeal.decided_at,
                reason=appeal.decision_reason,
            ),
            source=SOURCE,
            subject=finding.id,
            actor=principal.subject,
        ),
    )
