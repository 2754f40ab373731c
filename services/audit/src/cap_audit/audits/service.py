"""Use cases of audits: requested, accepted, planned (``planning``), started, reported
(``report``), closed or cancelled; the audit as answered, its signed report document.

Who may do what is :mod:`cap_audit.access`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit import access
from cap_audit.audits import report
from cap_audit.audits import rules as audit_rules
from cap_audit.audits.answer import answer_rows, sampling
from cap_audit.audits.repository import AuditRepository
from cap_audit.audits.rules import AuditStatus, AuditStep, AuditType, Scheme
from cap_audit.audits.schemas import AuditPublic, TeamMemberPublic
from cap_audit.audits.trail import STEPPED, audit_state, document_state, record_audit
from cap_audit.bodies.repository import BodyRepository
from cap_audit.certifier.queue import enqueue_request
from cap_audit.config import SOURCE, Settings, rules_for
from cap_audit.decisions.rules import REPORTED
from cap_audit.decisions.schemas import DecisionPublic
from cap_audit.findings import rules as finding_rules
from cap_audit.findings.repository import FindingRepository
from cap_audit.findings.rules import FindingStatus, FindingType
from cap_audit.models import Audit, Engagement, Finding, Programme, tables
from cap_audit.programmes import rules as programme_rules
from cap_shared.clock import Clock
from cap_shared.conditional import Precondition, etag_of
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import AuditRequestedV1, Stage2RequiredV1
from cap_shared.files import FileStore
from cap_shared.outbox import add_event
from cap_shared.problems import ProblemError
from cap_shared.security import Principal
from cap_shared.sync import Deleted


async def open_audit(
    session: AsyncSession,
    programme: Programme,
    *,
    audit_type: AuditType,
    due_by: date | None,
    now: datetime,
    actor: str,
) -> Audit:
    """Request an audit of the programme from its body: queued for the body's system when it
    is connected, and ``audit.requested.v1`` for its planners."""
    audit = Audit(
        id=str(uuid.uuid4()),
        programme_id=programme.id,
        organisation_id=programme.organisation_id,
        scheme=programme.scheme,
        type=audit_type.value,
        status=AuditStatus.REQUESTED.value,
        certification_body_id=programme.certification_body_id,
        cycle=programme.cycle,
        due_by=due_by,
        requested_at=now,
    )
    await AuditRepository(session).add(audit)
    await enqueue_request(session, audit, now)
    envelope = new_event(
        AuditRequestedV1(
            audit_id=audit.id,
            programme_id=programme.id,
            organisation_id=programme.organisation_id,
            scheme=programme.scheme,
            audit_type=audit_type.value,
            certification_body_id=programme.certification_body_id,
            due_by=due_by,
            requested_at=now,
            # Who at the body hears of it: its planners, not every auditor (issue 15).
            planner_user_ids=await BodyRepository(session).planner_user_ids(
                body_id=programme.certification_body_id
            ),
        ),
        source=SOURCE,
        subject=audit.id,
        actor=actor,
    )
    await add_event(session, tables.outbox, envelope)
    await record_audit(session, audit, action="audit.requested", before=None, event_id=envelope.id)
    return audit


def _majors(findings: Sequence[Finding]) -> list[finding_rules.Major]:
    return [
        finding_rules.Major(
            FindingStatus(f.status),
            f.verified_at.date() if f.verified_at else None,
            f.appealed_days,
        )
        for f in findings
        if f.type == FindingType.MAJOR_NC.value
    ]


def open_major_count(findings: Sequence[Finding]) -> int:
    """Majors not verified closed (answered or plan accepted still count), withdrawn excepted."""
    return sum(
        1
        for f in findings
        if finding_rules.is_open_major(FindingType(f.type), FindingStatus(f.status))
    )


def last_day(audit: Audit) -> date | None:
    """The audit's last day on site (its report's day when it was never planned)."""
    if audit.end_date is not None:
        return audit.end_date
    return audit.report_submitted_at.date() if audit.report_submitted_at else None


async def majors_late(
    session: AsyncSession,
    audit: Audit,
    *,
    settings: Settings,
    today: date,
    findings: Sequence[Finding] | None = None,
) -> int:
    """Majors of a deciding audit whose report is submitted not verified within
    ``major_verification_months`` of its last day (0 for other audits). ``findings``: its
    deciding findings when the caller already read them (not read again)."""
    scheme = Scheme(audit.scheme)
    last = last_day(audit)
    if (
        AuditType(audit.type) not in programme_rules.DECIDING[scheme]
        or audit.status not in {s.value for s in REPORTED}
        or last is None
    ):
        return 0
    if findings is None:
        findings = await FindingRepository(session).deciding_findings(audit.id)
    return finding_rules.majors_late(last, _majors(findings), today, rules_for(settings, scheme))


async def audit_etag(
    session: AsyncSession, audit: Audit, *, settings: Settings, today: date
) -> str:
    """The audit's ETag, as ``GET /v1/audits/{id}`` answers it."""
    return etag_of(await audit_public(session, audit, settings=settings, today=today))


async def expect(
    session: AsyncSession,
    audit: Audit,
    *,
    settings: Settings,
    today: date,
    precondition: Precondition | None,
) -> None:
    """412/428 unless the write's If-Match names the audit's current ETag (None: unchecked).
    Without If-Match where none is required, nothing is checked: the ETag is not computed."""
    if precondition is not None and (precondition.if_match is not None or precondition.required):
        precondition.check(await audit_etag(session, audit, settings=settings, today=today))


async def audit_public(
    session: AsyncSession, audit: Audit, *, settings: Settings, today: date
) -> AuditPublic:
    """An audit as ``GET /v1/audits/{id}`` shows it."""
    team, names, findings, programme = await answer_rows(session, audit)
    counts = Counter(f.type for f in findings if f.status != FindingStatus.WITHDRAWN.value)
    must_repeat = audit.stage2_required_on is not None or bool(
        await majors_late(session, audit, settings=settings, today=today, findings=findings)
    )
    return AuditPublic(
        id=audit.id,
        programme_id=audit.programme_id,
        organisation_id=audit.organisation_id,
        scheme=audit.scheme,
        type=audit.type,
        status=audit.status,
        certification_body_id=audit.certification_body_id,
        cycle=audit.cycle,
        due_by=audit.due_by,
        start_date=audit.start_date,
        end_date=audit.end_date,
        plan=audit.plan,
        team=[
            TeamMemberPublic(
                auditor_id=b.id,
                name=b.name,
                role=a.role,
                declaration=a.declaration,
                declared_at=a.declared_at,
            )
            for a, b in team
        ],
        findings=dict(counts),
        allowed_steps=audit_rules.audit_steps(AuditStatus(audit.status)),
        requested_at=audit.requested_at,
        accepted_at=audit.accepted_at,
        report_submitted_at=audit.report_submitted_at,
        report_summary=audit.report_summary,
        closed_at=audit.closed_at,
        cancel_reason=audit.cancel_reason,
        stage2_must_repeat=must_repeat,
        stage2_required_on=audit.stage2_required_on,
        site_ids=audit.site_ids,
        organisation_names=names,
        sampling=sampling(audit, programme, settings),
        report_document=(
            {
                "sha256": audit.report_document_sha256,
                "size": audit.report_document_size,
                "uploaded_at": audit.report_document_uploaded_at,
            }
            if audit.report_document_key
            else None
        ),
        decision=(
            DecisionPublic(
                outcome=audit.decision_outcome,
                decided_on=audit.decided_on,
                decided_by=audit.decided_by or "",
                certificate_number=audit.certificate_number,
                scope=audit.decision_scope,
                excluded_member_ids=audit.decision_excluded_member_ids or [],
                reason=audit.decision_reason,
                recorded_at=audit.decision_recorded_at,
                open_major_nc=audit.decision_open_major_nc or 0,
            )
            if audit.decision_outcome and audit.decided_on
            else None
        ),
    )


async def audits_page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    programme_id: str | None,
    organisation_id: str | None,
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Audit], list[Deleted], str | None]:
    """A page of the audits the caller may see (of the structures it reads, assigned to it,
    or of its body), newest request first; with ``updated_since``, those changed since, oldest
    change first, and the deletions of the structures it reads."""
    readable = await access.readable_organisation_ids(session, principal)
    return await AuditRepository(session).page(
        await access.reach(session, principal, assigned=True, readable=readable),
        status=status,
        programme_id=programme_id,
        organisation_id=organisation_id,
        updated_since=updated_since,
        tombstone_organisation_ids=None if readable is None else sorted(readable),
        cursor=cursor,
        limit=limit,
    )


async def step(
    session: AsyncSession,
    principal: Principal,
    *,
    audit_id: str,
    audit_step: AuditStep,
    summary: str | None,
    reason: str | None,
    settings: Settings,
    clock: Clock,
    answered: bool = False,
) -> Audit:
    """Accept (body), start / submit the report / close (lead auditor, body) or cancel (admin, body).
    ``answered``: the caller answers with the audit (:func:`audit_public`)."""
    audit = await access.visible_audit(session, principal, audit_id, for_update=True)
    if audit_step in (AuditStep.ACCEPT, AuditStep.CANCEL):
        access.require_body_or_admin(
            principal,
            audit,
            what="the certification body or an administrator does this",
            what_fr="c'est l'organisme certificateur ou un administrateur qui le fait",
        )
    else:
        await access.acts_for_body(session, principal, audit, lead=True)
    target = audit_rules.next_audit_status(AuditStatus(audit.status), audit_step)
    repo = AuditRepository(session)
    now = clock.now()
    before = audit_state(audit)
    if audit_step is AuditStep.START and not await repo.team(audit.id):
        raise audit_rules.RuleViolation(
            "an audit starts with its team", detail_fr="un audit commence avec son équipe"
        )
    if audit_step is AuditStep.SUBMIT_REPORT and not (summary or "").strip():
        raise audit_rules.RuleViolation(
            "the report needs its summary", detail_fr="le rapport demande sa synthèse"
        )
    # Only the report reads the audit's own findings (the other steps read them for nothing).
    findings = (
        await FindingRepository(session).of_audit(audit.id)
        if audit_step is AuditStep.SUBMIT_REPORT
        else []
    )
    if audit_step is AuditStep.CLOSE:
        # The minors of earlier audits its report escalated count as this audit's majors.
        counted = await FindingRepository(session).deciding_findings(audit.id)
        finding_rules.may_close([(FindingType(f.type), FindingStatus(f.status)) for f in counted])
    # The new status now, the reads before it done: the step's other changes of the audit row
    # go in the same UPDATE (the report's and the closure's writes flushed the row before the
    # status was set: two UPDATEs).
    audit.status = target.value
    submission = None
    if audit_step is AuditStep.SUBMIT_REPORT:
        audit.report_submitted_at, audit.report_summary = now, summary
        submission = await report.submit(
            session, principal, audit=audit, findings=findings, settings=settings, now=now
        )
    if audit_step is AuditStep.CLOSE:
        audit.closed_at = now
        await _record_audited(session, audit, now)
    if audit_step is AuditStep.ACCEPT:
        audit.accepted_at = now
    if audit_step is AuditStep.CANCEL:
        audit.cancel_reason = reason or "cancelled"
    await repo.add(audit)
    if answered and (audit_step in STEPPED or submission is not None):
        # What the answer reads, read before the trail's entry: its INSERT, deferred to the
        # transaction's next statement, then rides with the COMMIT (one round trip less);
        # nothing written after changes them.
        await answer_rows(session, audit)
    if submission is not None:
        await report.record(session, audit, submission, status_before=str(before["status"]))
    if audit_step in STEPPED:
        await record_audit(session, audit, action=STEPPED[audit_step], before=before)
    return audit


async def _record_audited(session: AsyncSession, audit: Audit, now: datetime) -> None:
    """Each auditor of a closed audit (observers aside) audited the organisation: history, and
    the consecutive-lead limit (having audited bars nothing)."""
    for assignment, auditor in await AuditRepository(session).team(audit.id):
        if assignment.role != "observer":
            await BodyRepository(session).add(
                Engagement(
                    id=str(uuid.uuid4()),
                    auditor_id=auditor.id,
                    organisation_id=audit.organisation_id,
                    kind="audited",
                    on=audit.end_date or now.date(),
                    audit_id=audit.id,
                    role=assignment.role,
                    note=f"audit {audit.type} {audit.id} (cycle {audit.cycle})",
                    recorded_by="system",
                    recorded_at=now,
                )
            )


async def stage2_required(session: AsyncSession, today: date, *, settings: Settings) -> int:
    """Publish ``audit.stage2_required.v1`` once for each deciding audit (ISO stage 2 or
    renewal, CAP RSE initial or renewal) whose majors were not all verified within
    ``major_verification_months`` of its last day: its programme then expects a new stage 2
    (CAP RSE: a new initial evaluation) and no decision rests on it any more."""
    repo = AuditRepository(session)
    types = sorted({t.value for deciding in programme_rules.DECIDING.values() for t in deciding})
    sent = 0
    for audit in await repo.reported_audits(types):
        last = last_day(audit)
        parameters = rules_for(settings, Scheme(audit.scheme))
        if last is None or today <= finding_rules.stage2_deadline(last, parameters):
            continue  # still in time: no need to look at its findings
        late = await majors_late(session, audit, settings=settings, today=today)
        if not late:
            continue
        before = audit_state(audit)
        audit.stage2_required_on = today
        await repo.add(audit)
        event = Stage2RequiredV1(
            audit_id=audit.id,
            programme_id=audit.programme_id,
            organisation_id=audit.organisation_id,
            scheme=audit.scheme,
            audit_type=audit.type,
            certification_body_id=audit.certification_body_id,
            last_day=last,
            deadline=finding_rules.stage2_deadline(last, parameters),
            open_major_nc=late,
        )
        envelope = new_event(event, source=SOURCE, subject=audit.id, actor="system:deadlines")
        await add_event(session, tables.outbox, envelope)
        await record_audit(
            session, audit, action="audit.stage2_required", before=before, event_id=envelope.id
        )
        sent += 1
    return sent


# report documents ------------------------------------------------------------------------------
class DocumentTooLarge(ProblemError):
    """The signed report is larger than ``report_max_bytes``."""

    status, code, title = 413, "payload-too-large", "Document too large"
    title_fr = "Document trop volumineux"


class NotAPdf(ProblemError):
    """The signed report must be a PDF document."""

    status, code, title = 415, "unsupported-media-type", "A PDF document is expected"
    title_fr = "Un document PDF est attendu"


async def attach_report(
    session: AsyncSession,
    principal: Principal,
    *,
    audit_id: str,
    content: bytes,
    store: FileStore,
    settings: Settings,
    clock: Clock,
    precondition: Precondition | None = None,
) -> Audit:
    """Keep the signed report (PDF) of an audit in progress or whose report is submitted
    (``precondition``: If-Match on the audit)."""
    audit = await access.visible_audit(session, principal, audit_id, for_update=True)
    await access.acts_for_body(session, principal, audit, lead=True)
    await expect(session, audit, settings=settings, today=clock.today(), precondition=precondition)
    if audit.status not in (AuditStatus.IN_PROGRESS.value, AuditStatus.REPORT_SUBMITTED.value):
        raise audit_rules.InvalidTransition(
            f"the report document belongs to an audit in progress or reported, not {audit.status}",
            detail_fr=(
                "le document du rapport appartient à un audit en cours ou "
                f"rapporté, pas à l'état « {audit.status} »"
            ),
        )
    if len(content) > settings.report_max_bytes:
        raise DocumentTooLarge(
            f"the document exceeds {settings.report_max_bytes} bytes",
            detail_fr=f"le document dépasse {settings.report_max_bytes} octets",
        )
    if not content.startswith(b"%PDF-"):
        raise NotAPdf(
            "the signed report must be a PDF document",
            detail_fr="le rapport signé doit être un document PDF",
        )
    digest = hashlib.sha256(content).hexdigest()
    before = document_state(audit)
    stored = await store.put(f"audits/{audit.id}/report-{digest[:16]}.pdf", content)
    audit.report_document_key = stored.key
    audit.report_document_sha256 = stored.sha256
    audit.report_document_size = stored.size
    audit.report_document_uploaded_at = clock.now()
    await AuditRepository(session).add(audit)
    await record_audit(
        session,
        audit,
        action="audit_report.document_uploaded",
        record_type="audit_report",
        before=before if before["sha256"] else None,
        after=document_state(audit),
    )
    return audit
