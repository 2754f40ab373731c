"""The audit's report: submitted, it sets the answers' deadlines, adds the majors that minors
add up to, escalates the earlier audits' minors still open, and publishes
``audit.report_submitted.v1``."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit.audits.repository import AuditRepository
from cap_audit.audits.rules import Scheme, SchemeRules
from cap_audit.config import SOURCE, Settings, rules_for
from cap_audit.findings import rules as finding_rules
from cap_audit.findings.repository import FindingRepository
from cap_audit.findings.rules import FindingStatus, FindingType
from cap_audit.findings.service import finding_state, publish_finding_status, record_finding
from cap_audit.maturity.repository import MaturityRepository
from cap_audit.models import Audit, Finding, tables
from cap_shared.audit import record_change
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import (
    AuditReportSubmittedV1,
    EvaluatedMaturityV1,
    FindingV1,
)
from cap_shared.contracts.envelope import Envelope
from cap_shared.outbox import add_event
from cap_shared.security import Principal


@dataclass(frozen=True)
class Submission:
    """What submitting the report changed, for its trail entry and event (:func:`record`)."""

    listed: list[Finding]
    escalated: list[Finding]
    envelope: Envelope
    submitted_at: datetime


async def submit(
    session: AsyncSession,
    principal: Principal,
    *,
    audit: Audit,
    findings: Sequence[Finding],
    settings: Settings,
    now: datetime,
) -> Submission:
    """What submitting the report changes: each finding's answer deadline, the majors minors
    add up to, the earlier minors escalated, and the report's event (with all of them), built
    but not yet recorded (:func:`record` writes it with the trail's entry)."""
    scheme_rules = rules_for(settings, Scheme(audit.scheme))
    for finding in findings:
        finding.response_due = finding_rules.response_due(
            FindingType(finding.type), now.date(), scheme_rules
        )
    added = await _minors_adding_up(session, audit, findings, scheme_rules, now)
    escalated = await _escalate_earlier_minors(session, audit, scheme_rules, principal, now)
    listed = [*findings, *added, *escalated]
    envelope = await _report_event(session, audit, listed, principal, now)
    return Submission(listed=listed, escalated=escalated, envelope=envelope, submitted_at=now)


async def record(
    session: AsyncSession, audit: Audit, submission: Submission, *, status_before: str
) -> None:
    """The report's entry in the audit trail (``audit_report.submitted``; ``status_before``:
    the audit's status before the report) and its event's outbox row.

    Both INSERTs are deferred to the transaction's next statement (cap_shared.outbox.writer,
    cap_shared.audit.log): the trail's entry first, the event's row last, they go together in
    one round trip, with the COMMIT when the caller read what it answers first."""
    listed, escalated = submission.listed, submission.escalated
    await record_change(
        session,
        tables.audit_log,
        action="audit_report.submitted",
        record_type="audit_report",
        record_id=audit.id,
        before={"status": status_before},
        after={
            "status": "report_submitted",
            "submitted_at": submission.submitted_at,
            "summary": audit.report_summary,
            "findings": sorted(f.id for f in listed),
            "counts": dict(Counter(f.type for f in listed)),
            "escalated": sorted(f.id for f in escalated),
        },
        on_behalf_of=audit.organisation_id,
        event_id=submission.envelope.id,
    )
    await add_event(session, tables.outbox, submission.envelope)


def _requirement(scheme: Scheme, finding: Finding) -> str | None:
    """What a nonconformity is about: the ISO clause, the CAP RSE criterion."""
    if scheme is Scheme.CAP_ISO9001:
        return finding.clause or finding.criterion_urn
    return finding.criterion_urn or finding.clause


async def _minors_adding_up(
    session: AsyncSession,
    audit: Audit,
    findings: Sequence[Finding],
    parameters: SchemeRules,
    now: datetime,
) -> list[Finding]:
    """With ``minors_as_major`` = N, N or more open minors of the audit on one requirement at
    one site add one major finding (it gates like any major)."""
    scheme = Scheme(audit.scheme)
    minors = [
        (f, req)
        for f in findings
        if f.type == FindingType.MINOR_NC.value
        and f.status == FindingStatus.OPEN.value
        and (req := _requirement(scheme, f))
    ]
    added = []
    for requirement, site, count in finding_rules.minors_adding_up(
        [(req, f.site_id) for f, req in minors], parameters
    ):
        group = [f for f, req in minors if req == requirement and f.site_id == site]
        finding = Finding(
            id=str(uuid.uuid4()),
            audit_id=audit.id,
            organisation_id=audit.organisation_id,
            type=FindingType.MAJOR_NC.value,
            title=f"{count} non-conformités mineures sur l'exigence {requirement}"[:300],
            description="Non-conformités mineures relevées sur la même exigence : "
            + "; ".join(f.title for f in group),
            criterion_urn=group[0].criterion_urn,
            clause=group[0].clause,
            site_id=site,
            status=FindingStatus.OPEN.value,
            response_due=finding_rules.response_due(FindingType.MAJOR_NC, now.date(), parameters),
            escalated_from=FindingType.MINOR_NC.value,
            escalated_on=now.date(),
        )
        await FindingRepository(session).add(finding)
        await record_finding(session, finding, action="finding.recorded", before=None)
        added.append(finding)
    return added


async def _escalate_earlier_minors(
    session: AsyncSession,
    audit: Audit,
    parameters: SchemeRules,
    principal: Principal,
    now: datetime,
) -> list[Finding]:
    """Minors of the programme's earlier audits not verified closed by this audit's report
    become majors (``minor_escalates_at_next_audit``): open again, a new response deadline,
    ``finding.status_changed.v1`` with the previous type. They count for this audit (its
    report lists them, its decision waits for them)."""
    repo = FindingRepository(session)
    escalated = []
    for finding in await repo.earlier_findings(audit.programme_id, audit.id):
        if not finding_rules.escalates_at_next_audit(
            FindingType(finding.type), FindingStatus(finding.status), parameters
        ):
            continue
        previous, before = finding.status, finding_state(finding)
        finding.type, finding.status = FindingType.MAJOR_NC.value, FindingStatus.OPEN.value
        finding.escalated_from = FindingType.MINOR_NC.value
        finding.escalated_on, finding.escalated_by_audit_id = now.date(), audit.id
        finding.response_due = finding_rules.response_due(
            FindingType.MAJOR_NC, now.date(), parameters
        )
        finding.verification_due = None
        await repo.add(finding)
        event_id = await publish_finding_status(
            session,
            finding,
            scheme=audit.scheme,
            previous=previous,
            principal=principal,
            changed_at=now,
            previous_type=FindingType.MINOR_NC.value,
            reason=f"non-conformité mineure non soldée à l'audit suivant ({audit.type} "
            f"{audit.id}) : elle devient majeure",
        )
        await record_finding(
            session, finding, action="finding.escalated", before=before, event_id=event_id
        )
        escalated.append(finding)
    return escalated


async def _report_event(
    session: AsyncSession,
    audit: Audit,
    findings: Sequence[Finding],
    principal: Principal,
    now: datetime,
) -> Envelope:
    """``audit.report_submitted.v1`` (to publish): the audit's findings (and the minors of earlier audits
    its report escalated), evaluated maturity per site, programme, cycle and sites."""
    maturity = await MaturityRepository(session).of_audit(audit.id)
    team = await AuditRepository(session).team(audit.id)
    event = AuditReportSubmittedV1(
        audit_id=audit.id,
        organisation_id=audit.organisation_id,
        scheme=audit.scheme,
        audit_type=audit.type,
        submitted_at=now,
        findings=[
            FindingV1(
                finding_id=f.id,
                type=f.type,
                title=f.title,
                description=f.description,
                criterion_urn=f.criterion_urn,
                clause=f.clause,
                response_due=f.response_due,
                site_id=f.site_id,
                escalated_from=f.escalated_from,
            )
            for f in findings
        ],
        evaluated_maturity=[
            EvaluatedMaturityV1(
                criterion_urn=m.criterion_urn,
                level=m.level,
                not_applicable=m.not_applicable,
                site_id=m.site_id or None,
            )
            for m in sorted(maturity, key=lambda m: (m.site_id, m.criterion_urn))
        ],
        summary=dict(Counter(f.type for f in findings)),
        certification_body_id=audit.certification_body_id,
        auditor_user_ids=sorted(b.user_id for a, b in team if b.user_id),
        last_day=audit.end_date,
        programme_id=audit.programme_id,
        cycle=audit.cycle,
        site_ids=[s for s in audit.site_ids if s != audit.organisation_id],
    )
    return new_event(event, source=SOURCE, subject=audit.id, actor=principal.subject)
