"""Use cases of the certification decision: the body's decision on a CAP ISO 9001 file,
recorded (never made) by the platform."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit import access
from cap_audit.audits import service as audits
from cap_audit.audits.repository import AuditRepository
from cap_audit.audits.rules import AuditStatus, AuditType, RuleViolation, Scheme
from cap_audit.bodies.repository import BodyRepository
from cap_audit.config import SOURCE, Settings, rules_for
from cap_audit.decisions import rules
from cap_audit.decisions.schemas import DecisionCreate
from cap_audit.findings import rules as finding_rules
from cap_audit.findings.repository import FindingRepository
from cap_audit.impartiality import service as impartiality
from cap_audit.impartiality.rules import Person, decider_impartial
from cap_audit.models import Audit, tables
from cap_audit.programmes import rules as programme_rules
from cap_audit.programmes.repository import ProgrammeRepository
from cap_shared.audit import record_change
from cap_shared.clock import Clock
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import CertificationDecidedV1
from cap_shared.outbox import add_event
from cap_shared.problems import Forbidden
from cap_shared.security import Principal, Scope


async def record_decision(
    session: AsyncSession,
    principal: Principal,
    *,
    audit_id: str,
    data: DecisionCreate,
    settings: Settings,
    clock: Clock,
) -> Audit:
    """Record the certification body's decision on a CAP ISO 9001 file (sent by its system):
    on a stage 2 or renewal audit whose report was submitted, once, by someone who is not one
    of the audit's auditors nor barred by an engagement with the organisation, and while the
    audit's majors are not late (else a new stage 2 is required); then publish
    ``certification.decided.v1``. A decision taken while majors are open is recorded and
    flagged (``open_major_nc``): it takes effect when they are verified. The platform records
    the decision, it never makes it."""
    audit = await access.visible_audit(session, principal, audit_id, for_update=True)
    if not access.is_body(principal, audit.certification_body_id, Scope.AUDITS_WRITE):
        raise Forbidden(
            "the certification body's system sends its decision",
            detail_fr="c'est le système de l'organisme certificateur qui envoie sa décision",
        )
    rules.may_decide(
        Scheme(audit.scheme),
        AuditType(audit.type),
        AuditStatus(audit.status),
        decided=audit.decision_outcome,
    )
    now = clock.now()
    parameters = rules_for(settings, Scheme(audit.scheme))
    late = await audits.majors_late(session, audit, settings=settings, today=now.date())
    last_day = audits.last_day(audit)
    if (audit.stage2_required_on is not None or late) and last_day is not None:
        deadline = finding_rules.stage2_deadline(last_day, parameters)
        raise RuleViolation(
            f"majors of this {audit.type} were not verified by {deadline.isoformat()}: a new "
            "stage 2 is required and no decision rests on this audit any more",
            detail_fr=(
                f"la levée des non-conformités majeures de cet audit ({audit.type}) "
                f"n'a pas été vérifiée au {deadline.isoformat()} : un nouvel audit "
                "d'étape 2 est nécessaire et aucune décision ne repose plus sur "
                "cet audit"
            ),
            extensions={
                "rule": finding_rules.RULE_NEW_STAGE2,
                "deadline": deadline.isoformat(),
                "stage2_required_on": (audit.stage2_required_on or now.date()).isoformat(),
            },
        )
    team = [
        Person(auditor.id, auditor.user_id, auditor.name)
        for _assignment, auditor in await AuditRepository(session).team(audit.id)
    ]
    bodies = BodyRepository(session)
    named = await bodies.auditor(data.decided_by)
    if named is None or named.certification_body_id != audit.certification_body_id:
        named = next(
            (
                a
                for a in await bodies.auditors_with_user(data.decided_by)
                if a.certification_body_id == audit.certification_body_id
            ),
            None,
        )
    registered = Person(named.id, named.user_id, named.name) if named is not None else None
    impartial, why = decider_impartial(data.decided_by, registered, team)
    if not impartial:
        raise rules.DeciderNotImpartial(
            f"the decision maker took part in the audit: {why}",
            detail_fr=f"le décideur a pris part à l'audit : {why}",
            extensions={"decided_by": data.decided_by, "rule": rules.RULE_DECIDER},
        )
    if named is not None:
        programme = await ProgrammeRepository(session).get(audit.programme_id)
        assert programme is not None  # an audit belongs to its programme
        central, members = programme_rules.sites(
            programme.organisation_id, programme.group_member_ids
        )
        await impartiality.check_cooling_off(
            session,
            named,
            organisation_ids=[central, *members],
            on=data.decided_on,
            parameters=parameters,
            acting_as="decide",
        )
    open_majors = audits.open_major_count(
        await FindingRepository(session).deciding_findings(audit.id)
    )
    audit.decision_outcome, audit.decided_on = data.outcome, data.decided_on
    audit.decided_by, audit.certificate_number = data.decided_by, data.certificate_number
    audit.decision_scope, audit.decision_reason = data.scope, data.reason
    audit.decision_excluded_member_ids = list(data.excluded_member_ids)
    audit.decision_recorded_at = now
    audit.decision_open_major_nc = open_majors
    await AuditRepository(session).add(audit)
    event = CertificationDecidedV1(
        audit_id=audit.id,
        organisation_id=audit.organisation_id,
        audit_type=audit.type,
        certification_body_id=audit.certification_body_id,
        outcome=data.outcome,
        decided_on=data.decided_on,
        decided_by=data.decided_by,
        certificate_number=data.certificate_number,
        scope=data.scope,
        excluded_member_ids=list(data.excluded_member_ids),
        reason=data.reason,
        open_major_nc=open_majors,
        cycle=audit.cycle,
    )
    envelope = new_event(event, source=SOURCE, subject=audit.id, actor=principal.subject)
    await add_event(session, tables.outbox, envelope)
    await record_change(
        session,
        tables.audit_log,
        action="certification_decision.recorded",
        record_type="certification_decision",
        record_id=audit.id,
        before=None,
        after={
            "audit_id": audit.id,
            "audit_type": audit.type,
            "certification_body_id": audit.certification_body_id,
            "outcome": data.outcome,
            "decided_on": data.decided_on,
            "decided_by": data.decided_by,
            "certificate_number": data.certificate_number,
            "scope": data.scope,
            "excluded_member_ids": list(data.excluded_member_ids),
            "reason": data.reason,
            "open_major_nc": open_majors,
        },
        on_behalf_of=audit.organisation_id,
        event_id=envelope.id,
    )
    return audit
