"""Use cases of the audit service: bodies and auditors, programmes, audits, findings.

Who may do what (the routes admit the roles; these functions check the scope):

* admin: everything but the certification decision;
* a certification body's system (client token, its body): the audits of its body — accept, plan,
  start, findings, report, review answers, its certification decision on a CAP ISO 9001 file
  (``audits:write``; the platform records the decision, never makes it), read (``audits:read``);
* an auditor (person): the audits they are assigned to — the lead starts, submits and closes;
  any team member records findings and reviews answers;
* the organisation's members: read their audits, answer nonconformities;
* facilitators of the region and the committee: read.

Anyone else gets 404, so the existence of another organisation's audit is not revealed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_audit import rules
from cap_audit.certifier.queue import enqueue_request
from cap_audit.config import Settings
from cap_audit.models import (
    ActiveRecognition,
    Assignment,
    Audit,
    Auditor,
    CertificationBody,
    Engagement,
    EvaluatedMaturity,
    Finding,
    Organisation,
    Programme,
    tables,
)
from cap_audit.repository import AuditRepository, OrganisationRepository
from cap_audit.rules import AuditStatus, AuditStep, AuditType, FindingStatus, FindingType, Scheme
from cap_audit.schemas import (
    AuditorIn,
    AuditorUpdate,
    AuditOut,
    AuditRequest,
    BodyIn,
    BodyUpdate,
    DecisionIn,
    DecisionOut,
    DueItemOut,
    EngagementIn,
    FindingIn,
    FindingOut,
    MaturityIn,
    PlanIn,
    ProgrammeOut,
    ResponseIn,
    TeamOut,
)
from cap_shared.clock import Clock, current
from cap_shared.contracts import Envelope, new_event
from cap_shared.contracts.audit import (
    AuditPlannedV1,
    AuditReportSubmittedV1,
    AuditRequestedV1,
    CertificationDecidedV1,
    EvaluatedMaturityV1,
    FindingResponseDueV1,
    FindingStatusChangedV1,
    FindingV1,
)
from cap_shared.contracts.labelling import ApplicationAcceptedV1, RecognitionStatusChangedV1
from cap_shared.files import FileStore
from cap_shared.outbox import add_event
from cap_shared.problems import Conflict, Forbidden, NotFound, ProblemError
from cap_shared.security import Principal, Role, Scope

SOURCE = "/cap/audit"
FIRST_AUDIT = {Scheme.CAP_ISO9001: AuditType.STAGE1, Scheme.CAP_RSE: AuditType.INITIAL}


class UnknownReference(ProblemError):
    """A body, auditor or organisation named in the request does not exist."""

    status, code, title = 422, "unknown-reference", "Unknown reference"


def rules_for(settings: Settings, scheme: Scheme) -> rules.SchemeRules:
    """The scheme's parameters (the one source shared with the labelling service)."""
    return settings.scheme_parameters(scheme.value)


# bodies and auditors (admin) -------------------------------------------------------------------
async def create_body(session: AsyncSession, data: BodyIn) -> CertificationBody:
    repo = AuditRepository(session)
    if await repo.get(CertificationBody, data.id):
        raise Conflict(f"a certification body {data.id} exists")
    body = CertificationBody(**data.model_dump())
    await repo.add(body)
    return body


async def update_body(session: AsyncSession, body_id: str, data: BodyUpdate) -> CertificationBody:
    repo = AuditRepository(session)
    body = await repo.get(CertificationBody, body_id)
    if body is None:
        raise NotFound("no such certification body")
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(body, name, value)
    await repo.add(body)
    return body


async def create_auditor(session: AsyncSession, data: AuditorIn) -> Auditor:
    repo = AuditRepository(session)
    if await repo.get(CertificationBody, data.certification_body_id) is None:
        raise UnknownReference(f"no certification body {data.certification_body_id}")
    auditor = Auditor(
        id=str(uuid.uuid4()),
        **data.model_dump(mode="json", exclude={"qualifications"}),
        qualifications=[q.model_dump(mode="json") for q in data.qualifications],
    )
    await repo.add(auditor)
    return auditor


async def update_auditor(session: AsyncSession, auditor_id: str, data: AuditorUpdate) -> Auditor:
    repo = AuditRepository(session)
    auditor = await repo.get(Auditor, auditor_id)
    if auditor is None:
        raise NotFound("no such auditor")
    changes = data.model_dump(mode="json", exclude_unset=True)
    for name, value in changes.items():
        if name in ("name", "active", "qualifications") and value is None:
            continue
        setattr(auditor, name, value)
    await repo.add(auditor)
    return auditor


async def record_engagement(
    session: AsyncSession, principal: Principal, auditor_id: str, data: EngagementIn, clock: Clock
) -> Engagement:
    """Record that an auditor advised or audited an organisation (impartiality)."""
    repo = AuditRepository(session)
    if await repo.get(Auditor, auditor_id) is None:
        raise NotFound("no such auditor")
    engagement = Engagement(
        id=str(uuid.uuid4()),
        auditor_id=auditor_id,
        organisation_id=data.organisation_id,
        kind=data.kind,
        on=data.on,
        note=data.note,
        recorded_by=principal.subject,
        recorded_at=clock.now(),
    )
    await repo.add(engagement)
    return engagement


# programmes ------------------------------------------------------------------------------------
async def on_application_accepted(
    session: AsyncSession, _envelope: Envelope, event: ApplicationAcceptedV1, *, settings: Settings
) -> None:
    """Open the programme and request its first audit from the chosen body (once per application)."""
    repo = AuditRepository(session)
    existing = await repo.all(Programme, col(Programme.application_id) == event.application_id)
    if existing:
        return
    scheme = Scheme(event.scheme)
    programme = Programme(
        id=str(uuid.uuid4()),
        application_id=event.application_id,
        organisation_id=event.organisation_id,
        group_member_ids=list(event.group_member_ids),
        scheme=scheme.value,
        certification_body_id=event.certification_body_id,
        accepted_on=event.accepted_at.date(),
    )
    await repo.add(programme)
    due = event.accepted_at.date()
    due_by = rules.schedule(
        scheme, rules_for(settings, scheme), accepted_on=due, decided_on=None, audits=[], today=due
    )[0].due_by
    await _request(session, programme, FIRST_AUDIT[scheme], due_by, current().now(), actor="system")


async def on_recognition_changed(
    session: AsyncSession, _envelope: Envelope, event: RecognitionStatusChangedV1
) -> None:
    """Keep recognitions (surveillance needs an active one); a grant starts the programme's cycle."""
    repo = AuditRepository(session)
    await repo.save_recognition(
        ActiveRecognition(
            id=event.recognition_id,
            organisation_id=event.organisation_id,
            scheme=event.scheme,
            status=event.status,
            effective_date=event.effective_date,
            expiry_date=event.expiry_date,
            changed_at=event.changed_at,
        )
    )
    if event.status == "active" and event.previous_status in (None, "renewed", "expired"):
        for programme in await repo.all(
            Programme,
            col(Programme.organisation_id) == event.organisation_id,
            col(Programme.scheme) == event.scheme,
        ):
            programme.decided_on = event.effective_date
        await session.flush()


async def _request(
    session: AsyncSession,
    programme: Programme,
    audit_type: AuditType,
    due_by: date | None,
    now: Any,
    *,
    actor: str,
) -> Audit:
    audit = Audit(
        id=str(uuid.uuid4()),
        programme_id=programme.id,
        organisation_id=programme.organisation_id,
        scheme=programme.scheme,
        type=audit_type.value,
        status=AuditStatus.REQUESTED.value,
        certification_body_id=programme.certification_body_id,
        due_by=due_by,
        requested_at=now,
    )
    await AuditRepository(session).add(audit)
    await enqueue_request(session, audit, now)
    await add_event(
        session,
        tables.outbox,
        new_event(
            AuditRequestedV1(
                audit_id=audit.id,
                programme_id=programme.id,
                organisation_id=programme.organisation_id,
                scheme=programme.scheme,
                audit_type=audit_type.value,
                certification_body_id=programme.certification_body_id,
                due_by=due_by,
                requested_at=now,
            ),
            source=SOURCE,
            subject=audit.id,
            actor=actor,
        ),
    )
    return audit


async def _organisation(session: AsyncSession, organisation_id: str) -> Organisation | None:
    return await OrganisationRepository(session).get(organisation_id=organisation_id)


def _is_body(principal: Principal, body_id: str, scope: Scope | None = None) -> bool:
    """A body's system (client token) acting for ``body_id``."""
    if principal.kind != "client" or body_id not in principal.certification_body_ids():
        return False
    return scope is None or scope.value in principal.scopes


async def _reads_org(session: AsyncSession, principal: Principal, organisation_id: str) -> bool:
    if principal.has_role(Role.ADMIN, Role.COMMITTEE):
        return True
    organisation = await _organisation(session, organisation_id)
    return organisation is not None and principal.may_see_organisation(
        organisation.id, organisation.region
    )


async def programme_out(
    session: AsyncSession, programme: Programme, settings: Settings, today: date
) -> ProgrammeOut:
    repo = AuditRepository(session)
    audits = await repo.all(
        Audit, col(Audit.programme_id) == programme.id, order=col(Audit.requested_at)
    )
    scheme = Scheme(programme.scheme)
    items = rules.schedule(
        scheme,
        rules_for(settings, scheme),
        accepted_on=programme.accepted_on,
        decided_on=programme.decided_on,
        audits=[
            rules.Done(
                AuditType(a.type),
                AuditStatus(a.status),
                a.id,
                a.closed_at.date() if a.closed_at else None,
            )
            for a in audits
        ],
        today=today,
    )
    return ProgrammeOut(
        id=programme.id,
        application_id=programme.application_id,
        organisation_id=programme.organisation_id,
        group_member_ids=programme.group_member_ids,
        scheme=programme.scheme,
        certification_body_id=programme.certification_body_id,
        accepted_on=programme.accepted_on,
        decided_on=programme.decided_on,
        schedule=[
            DueItemOut(
                type=i.type.value,
                due_by=i.due_by,
                audit_id=i.audit_id,
                status=i.status,
                cycle_year=i.cycle_year,
            )
            for i in items
        ],
    )


async def visible_programme(
    session: AsyncSession, principal: Principal, programme_id: str
) -> Programme:
    programme = await AuditRepository(session).get(Programme, programme_id)
    if programme is None or not (
        await _reads_org(session, principal, programme.organisation_id)
        or _is_body(principal, programme.certification_body_id)
    ):
        raise NotFound("no such audit programme")
    return programme


async def _readable_org_ids(session: AsyncSession, principal: Principal) -> set[str] | None:
    """Organisations whose audits the caller reads (None: all), in one query."""
    if principal.has_role(Role.ADMIN, Role.COMMITTEE):
        return None
    return set(
        await AuditRepository(session).visible_organisation_ids(
            sorted(principal.organisation_ids()), sorted(principal.regions())
        )
    )


async def list_programmes(session: AsyncSession, principal: Principal) -> list[Programme]:
    readable = await _readable_org_ids(session, principal)
    return [
        p
        for p in await AuditRepository(session).all(Programme, order=col(Programme.created_at))
        if readable is None
        or p.organisation_id in readable
        or _is_body(principal, p.certification_body_id)
    ]


async def request_audit(
    session: AsyncSession,
    principal: Principal,
    programme_id: str,
    data: AuditRequest,
    settings: Settings,
    clock: Clock,
) -> Audit:
    """Request another audit of a programme (admin), under the certification rules; without a
    ``due_by``, the programme's computed due date for that audit (as for the first audit)."""
    programme = await visible_programme(session, principal, programme_id)
    repo = AuditRepository(session)
    audits = await repo.all(Audit, col(Audit.programme_id) == programme.id)
    scheme, audit_type = Scheme(programme.scheme), AuditType(data.type)
    rules.may_open(
        scheme,
        audit_type,
        closed_types={AuditType(a.type) for a in audits if a.status == AuditStatus.CLOSED.value},
        recognition_active=await repo.recognition_active(
            programme.organisation_id, programme.scheme
        ),
    )
    due_by = data.due_by
    if due_by is None:
        expected = await programme_out(session, programme, settings, clock.today())
        due_by = next(
            (i.due_by for i in expected.schedule if i.type == audit_type.value and not i.audit_id),
            None,
        )
    return await _request(
        session, programme, audit_type, due_by, clock.now(), actor=principal.subject
    )


# audits ----------------------------------------------------------------------------------------
async def _team_user_ids(session: AsyncSession, audit_id: str) -> dict[str, str]:
    """Assigned auditors' user ids -> their role."""
    return {
        auditor.user_id: assignment.role
        for assignment, auditor in await AuditRepository(session).team(audit_id)
        if auditor.user_id
    }


async def visible_audit(
    session: AsyncSession, principal: Principal, audit_id: str, *, for_update: bool = False
) -> Audit:
    audit = await AuditRepository(session).get(Audit, audit_id, for_update=for_update)
    if audit is None:
        raise NotFound("no such audit")
    if principal.has_role(Role.AUDITOR) and principal.user_id in await _team_user_ids(
        session, audit.id
    ):
        return audit
    if _is_body(principal, audit.certification_body_id) or await _reads_org(
        session, principal, audit.organisation_id
    ):
        return audit
    raise NotFound("no such audit")


async def _acts_for_body(
    session: AsyncSession, principal: Principal, audit: Audit, *, lead: bool = False
) -> None:
    """Admin, the body's system with audits:write, or an assigned auditor (the lead if ``lead``)."""
    if principal.has_role(Role.ADMIN) or _is_body(
        principal, audit.certification_body_id, Scope.AUDITS_WRITE
    ):
        return
    team = await _team_user_ids(session, audit.id)
    role = team.get(principal.user_id or "")
    if (
        principal.has_role(Role.AUDITOR)
        and role is not None
        and (not lead or role == "lead")
        and role != "observer"
    ):
        return
    raise Forbidden(
        "only the certification body, the audit's auditors or an administrator may do this"
    )


async def audit_out(
    session: AsyncSession, audit: Audit, settings: Settings, today: date
) -> AuditOut:
    repo = AuditRepository(session)
    team = await repo.team(audit.id)
    findings = await repo.all(Finding, col(Finding.audit_id) == audit.id)
    counts = Counter(f.type for f in findings)
    must_repeat = False
    if audit.type == AuditType.STAGE2.value and audit.end_date is not None:
        open_majors = sum(
            1
            for f in findings
            if f.type == FindingType.MAJOR_NC.value
            and f.status != FindingStatus.VERIFIED_CLOSED.value
        )
        must_repeat = rules.stage2_must_repeat(
            audit.end_date, today, open_majors, rules_for(settings, Scheme(audit.scheme))
        )
    return AuditOut(
        id=audit.id,
        programme_id=audit.programme_id,
        organisation_id=audit.organisation_id,
        scheme=audit.scheme,
        type=audit.type,
        status=audit.status,
        certification_body_id=audit.certification_body_id,
        due_by=audit.due_by,
        start_date=audit.start_date,
        end_date=audit.end_date,
        plan=audit.plan,
        team=[
            TeamOut(
                auditor_id=b.id,
                name=b.name,
                role=a.role,
                declaration=a.declaration,
                declared_at=a.declared_at,
            )
            for a, b in team
        ],
        findings=dict(counts),
        allowed_steps=rules.audit_steps(AuditStatus(audit.status)),
        requested_at=audit.requested_at,
        accepted_at=audit.accepted_at,
        report_submitted_at=audit.report_submitted_at,
        report_summary=audit.report_summary,
        closed_at=audit.closed_at,
        cancel_reason=audit.cancel_reason,
        stage2_must_repeat=must_repeat,
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
            DecisionOut(
                outcome=audit.decision_outcome,
                decided_on=audit.decided_on,
                decided_by=audit.decided_by or "",
                certificate_number=audit.certificate_number,
                scope=audit.decision_scope,
                excluded_member_ids=audit.decision_excluded_member_ids or [],
                reason=audit.decision_reason,
                recorded_at=audit.decision_recorded_at,
            )
            if audit.decision_outcome and audit.decided_on
            else None
        ),
    )


async def list_audits(
    session: AsyncSession, principal: Principal, *, status: str | None
) -> list[Audit]:
    repo = AuditRepository(session)
    where = [col(Audit.status) == status] if status else []
    assigned = set(await repo.audits_assigned_to(principal.user_id)) if principal.user_id else set()
    readable = await _readable_org_ids(session, principal)
    return [
        audit
        for audit in await repo.all(Audit, *where, order=col(Audit.requested_at).desc())
        if readable is None
        or audit.organisation_id in readable
        or (principal.has_role(Role.AUDITOR) and audit.id in assigned)
        or _is_body(principal, audit.certification_body_id)
    ]


async def plan(
    session: AsyncSession,
    principal: Principal,
    audit_id: str,
    data: PlanIn,
    settings: Settings,
    clock: Clock,
) -> Audit:
    """Dates, team and plan: each auditor of the body, qualified for the scheme on those dates,
    impartial towards the organisation, with a declaration recorded."""
    audit = await visible_audit(session, principal, audit_id, for_update=True)
    if not (
        principal.has_role(Role.ADMIN)
        or _is_body(principal, audit.certification_body_id, Scope.AUDITS_WRITE)
    ):
        raise Forbidden("the certification body or an administrator plans an audit")
    target = rules.next_audit_status(AuditStatus(audit.status), AuditStep.PLAN)
    repo = AuditRepository(session)
    scheme = Scheme(audit.scheme)
    now = clock.now()
    checked: list[tuple[Auditor, str, str]] = []
    for i, member in enumerate(data.team):
        auditor = await repo.get(Auditor, member.auditor_id)
        if (
            auditor is None
            or auditor.certification_body_id != audit.certification_body_id
            or not auditor.active
        ):
            raise UnknownReference(
                f"team.{i}: no active auditor {member.auditor_id} of {audit.certification_body_id}",
                extensions={
                    "errors": [
                        {
                            "field": f"body.team.{i}.auditor_id",
                            "message": "not an auditor of this body",
                        }
                    ]
                },
            )
        if member.role != "observer" and not rules.qualified(
            auditor.qualifications, scheme, data.start_date, data.end_date
        ):
            raise rules.NotQualified(
                f"{auditor.name} holds no {scheme.value} qualification valid from {data.start_date} to {data.end_date}",
                extensions={"auditor_id": auditor.id},
            )
        ok, why = rules.impartial(
            await repo.engagements(auditor.id, audit.organisation_id),
            on=data.start_date,
            window_months=rules_for(settings, scheme).cooling_off_months,
        )
        if not ok:
            raise rules.NotImpartial(f"{auditor.name} {why}", extensions={"auditor_id": auditor.id})
        checked.append((auditor, member.role, member.declaration))
    await repo.clear_team(audit.id)
    for auditor, role, declaration in checked:
        await repo.add(
            Assignment(
                audit_id=audit.id,
                auditor_id=auditor.id,
                role=role,
                declaration=declaration,
                declared_by=principal.subject,
                declared_at=now,
            )
        )
    audit.start_date, audit.end_date, audit.plan = data.start_date, data.end_date, data.plan
    audit.status = target.value
    await repo.add(audit)
    await add_event(
        session,
        tables.outbox,
        new_event(
            AuditPlannedV1(
                audit_id=audit.id,
                organisation_id=audit.organisation_id,
                scheme=audit.scheme,
                audit_type=audit.type,
                certification_body_id=audit.certification_body_id,
                start_date=data.start_date,
                end_date=data.end_date,
                auditor_ids=[a.id for a, _r, _d in checked],
                auditor_user_ids=sorted({a.user_id for a, _r, _d in checked if a.user_id}),
            ),
            source=SOURCE,
            subject=audit.id,
            actor=principal.subject,
        ),
    )
    return audit


async def step(
    session: AsyncSession,
    principal: Principal,
    audit_id: str,
    audit_step: AuditStep,
    *,
    summary: str | None,
    reason: str | None,
    settings: Settings,
    clock: Clock,
) -> Audit:
    """Accept (body), start / submit the report / close (lead auditor, body) or cancel (admin, body)."""
    audit = await visible_audit(session, principal, audit_id, for_update=True)
    if audit_step in (AuditStep.ACCEPT, AuditStep.CANCEL):
        if not (
            principal.has_role(Role.ADMIN)
            or _is_body(principal, audit.certification_body_id, Scope.AUDITS_WRITE)
        ):
            raise Forbidden("the certification body or an administrator does this")
    else:
        await _acts_for_body(session, principal, audit, lead=True)
    target = rules.next_audit_status(AuditStatus(audit.status), audit_step)
    repo = AuditRepository(session)
    now = clock.now()
    findings = await repo.all(Finding, col(Finding.audit_id) == audit.id)
    if audit_step is AuditStep.START and not await repo.team(audit.id):
        raise rules.RuleViolation("an audit starts with its team")
    if audit_step is AuditStep.SUBMIT_REPORT:
        if not (summary or "").strip():
            raise rules.RuleViolation("the report needs its summary")
        audit.report_submitted_at, audit.report_summary = now, summary
        scheme_rules = rules_for(settings, Scheme(audit.scheme))
        for finding in findings:
            finding.response_due = rules.response_due(
                FindingType(finding.type), now.date(), scheme_rules
            )
        await _publish_report(session, audit, findings, principal, now)
    if audit_step is AuditStep.CLOSE:
        rules.may_close([(FindingType(f.type), FindingStatus(f.status)) for f in findings])
        audit.closed_at = now
        for assignment, auditor in await repo.team(audit.id):
            if assignment.role != "observer":
                await repo.add(
                    Engagement(
                        id=str(uuid.uuid4()),
                        auditor_id=auditor.id,
                        organisation_id=audit.organisation_id,
                        kind="audited",
                        on=audit.end_date or now.date(),
                        note=f"audit {audit.type} {audit.id}",
                        recorded_by="system",
                        recorded_at=now,
                    )
                )
    if audit_step is AuditStep.ACCEPT:
        audit.accepted_at = now
    if audit_step is AuditStep.CANCEL:
        audit.cancel_reason = reason or "cancelled"
    audit.status = target.value
    await repo.add(audit)
    return audit


async def _publish_report(
    session: AsyncSession,
    audit: Audit,
    findings: Sequence[Finding],
    principal: Principal,
    now: Any,
) -> None:
    repo = AuditRepository(session)
    maturity = await repo.all(EvaluatedMaturity, col(EvaluatedMaturity.audit_id) == audit.id)
    team = await repo.team(audit.id)
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
            )
            for f in findings
        ],
        evaluated_maturity=[
            EvaluatedMaturityV1(criterion_urn=m.criterion_urn, level=m.level) for m in maturity
        ],
        summary=dict(Counter(f.type for f in findings)),
        certification_body_id=audit.certification_body_id,
        auditor_user_ids=sorted(b.user_id for a, b in team if b.user_id),
        last_day=audit.end_date,
    )
    await add_event(
        session,
        tables.outbox,
        new_event(event, source=SOURCE, subject=audit.id, actor=principal.subject),
    )


# findings ------------------------------------------------------------------------------------
def finding_out(finding: Finding, today: date) -> FindingOut:
    open_statuses = (FindingStatus.OPEN.value, FindingStatus.RESPONSE_SUBMITTED.value)
    return FindingOut(
        id=finding.id,
        audit_id=finding.audit_id,
        organisation_id=finding.organisation_id,
        type=finding.type,
        title=finding.title,
        description=finding.description,
        criterion_urn=finding.criterion_urn,
        clause=finding.clause,
        evidence=finding.evidence,
        status=finding.status,
        response_due=finding.response_due,
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


async def add_finding(
    session: AsyncSession, principal: Principal, audit_id: str, data: FindingIn
) -> Finding:
    """Record a finding while the audit is in progress (the team or the body)."""
    audit = await visible_audit(session, principal, audit_id, for_update=True)
    await _acts_for_body(session, principal, audit)
    if audit.status != AuditStatus.IN_PROGRESS.value:
        raise rules.InvalidTransition(
            f"findings are recorded while the audit is in progress, not {audit.status}"
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
        evidence=[e.model_dump(mode="json") for e in data.evidence],
        status=(FindingStatus.OPEN if kind in rules.NONCONFORMITIES else FindingStatus.NOTED).value,
    )
    await AuditRepository(session).add(finding)
    return finding


async def set_maturity(
    session: AsyncSession, principal: Principal, audit_id: str, levels: list[MaturityIn]
) -> int:
    """The auditor's evaluated maturity per criterion (CAP RSE), while in progress."""
    audit = await visible_audit(session, principal, audit_id, for_update=True)
    await _acts_for_body(session, principal, audit)
    if audit.scheme != Scheme.CAP_RSE.value:
        raise rules.RuleViolation("evaluated maturity is recorded for CAP RSE audits")
    if audit.status != AuditStatus.IN_PROGRESS.value:
        raise rules.InvalidTransition(
            f"maturity is evaluated while the audit is in progress, not {audit.status}"
        )
    for item in levels:
        await session.merge(
            EvaluatedMaturity(
                audit_id=audit.id,
                criterion_urn=item.criterion_urn,
                level=item.level,
                comment=item.comment,
            )
        )
    await session.flush()
    return len(levels)


async def visible_finding(
    session: AsyncSession, principal: Principal, finding_id: str, *, for_update: bool = False
) -> tuple[Finding, Audit]:
    finding = await AuditRepository(session).get(Finding, finding_id, for_update=for_update)
    if finding is None:
        raise NotFound("no such finding")
    try:
        audit = await visible_audit(session, principal, finding.audit_id)
    except NotFound:
        raise NotFound("no such finding") from None
    return finding, audit


async def respond(
    session: AsyncSession, principal: Principal, finding_id: str, data: ResponseIn, clock: Clock
) -> Finding:
    """The organisation answers a nonconformity: root cause, correction, corrective action."""
    finding, audit = await visible_finding(session, principal, finding_id, for_update=True)
    if not (
        principal.has_role(Role.ADMIN) or audit.organisation_id in principal.organisation_ids()
    ):
        raise Forbidden("the audited organisation answers its nonconformities")
    if audit.status != AuditStatus.REPORT_SUBMITTED.value:
        raise rules.InvalidTransition("nonconformities are answered once the report is submitted")
    target = rules.next_finding_status(
        FindingType(finding.type), FindingStatus(finding.status), rules.FindingStep.RESPOND
    )
    finding.root_cause, finding.correction = data.root_cause, data.correction
    finding.corrective_action, finding.action_due = data.corrective_action, data.action_due
    finding.response_evidence = [e.model_dump(mode="json") for e in data.evidence]
    finding.responded_at = now = clock.now()
    previous, finding.status = finding.status, target.value
    await AuditRepository(session).add(finding)
    await _publish_finding_status(session, finding, audit, previous, principal, now)
    return finding


async def review(
    session: AsyncSession,
    principal: Principal,
    finding_id: str,
    decision: str,
    comment: str | None,
    clock: Clock,
) -> Finding:
    """The auditor accepts the plan, sends the answer back, or verifies the correction."""
    finding, audit = await visible_finding(session, principal, finding_id, for_update=True)
    await _acts_for_body(session, principal, audit)
    finding_step = rules.FindingStep(decision)
    if finding_step is rules.FindingStep.SEND_BACK and not (comment or "").strip():
        raise rules.RuleViolation("sending an answer back needs a comment saying why")
    target = rules.next_finding_status(
        FindingType(finding.type), FindingStatus(finding.status), finding_step
    )
    now = clock.now()
    previous, finding.status = finding.status, target.value
    finding.auditor_comment = comment or finding.auditor_comment
    if target is FindingStatus.VERIFIED_CLOSED:
        finding.verified_at, finding.verified_by = now, principal.subject
    await AuditRepository(session).add(finding)
    await _publish_finding_status(session, finding, audit, previous, principal, now)
    return finding


async def _publish_finding_status(
    session: AsyncSession,
    finding: Finding,
    audit: Audit,
    previous: str,
    principal: Principal,
    changed_at: datetime,
) -> None:
    """``finding.status_changed.v1``: a nonconformity moved on (every NC status change)."""
    event = FindingStatusChangedV1(
        finding_id=finding.id,
        audit_id=audit.id,
        organisation_id=finding.organisation_id,
        scheme=audit.scheme,
        type=finding.type,
        status=finding.status,
        previous_status=previous,
        response_due=finding.response_due,
        changed_at=changed_at,
    )
    await add_event(
        session,
        tables.outbox,
        new_event(event, source=SOURCE, subject=finding.id, actor=principal.subject),
    )


async def nc_deadlines(session: AsyncSession, today: date, *, reminder_days: int) -> int:
    """Publish a reminder before each open NC's deadline and an escalation after it (once each)."""
    repo = AuditRepository(session)
    sent = 0
    horizon = today + timedelta(days=reminder_days)
    for finding in await repo.findings_due([FindingStatus.OPEN.value], horizon):
        assert finding.response_due is not None
        stage = "overdue" if finding.response_due < today else "reminder"
        key = f"{stage}:{finding.response_due.isoformat()}"
        if key in finding.notices:
            continue
        event = FindingResponseDueV1(
            finding_id=finding.id,
            audit_id=finding.audit_id,
            organisation_id=finding.organisation_id,
            type=finding.type,
            title=finding.title,
            response_due=finding.response_due,
            stage=stage,
            days=abs((finding.response_due - today).days),
        )
        await add_event(
            session,
            tables.outbox,
            new_event(event, source=SOURCE, subject=finding.id, actor="system:deadlines"),
        )
        finding.notices = [*finding.notices, key]
        sent += 1
    await session.flush()
    return sent


# certification decision ------------------------------------------------------------------------
async def record_decision(
    session: AsyncSession, principal: Principal, audit_id: str, data: DecisionIn, clock: Clock
) -> Audit:
    """Record the certification body's decision on a CAP ISO 9001 file (sent by its system):
    on a stage 2 or renewal audit whose report was submitted, once, by someone who is not one
    of the audit's auditors; then publish ``certification.decided.v1``. The platform records
    the decision, it never makes it."""
    audit = await visible_audit(session, principal, audit_id, for_update=True)
    if not _is_body(principal, audit.certification_body_id, Scope.AUDITS_WRITE):
        raise Forbidden("the certification body's system sends its decision")
    rules.may_decide(
        Scheme(audit.scheme),
        AuditType(audit.type),
        AuditStatus(audit.status),
        decided=audit.decision_outcome,
    )
    repo = AuditRepository(session)
    team = [
        rules.Person(auditor.id, auditor.user_id, auditor.name)
        for _assignment, auditor in await repo.team(audit.id)
    ]
    named = await repo.get(Auditor, data.decided_by)
    registered = (
        rules.Person(named.id, named.user_id, named.name)
        if named is not None and named.certification_body_id == audit.certification_body_id
        else None
    )
    impartial, why = rules.decider_impartial(data.decided_by, registered, team)
    if not impartial:
        raise rules.DeciderNotImpartial(
            f"the decision maker took part in the audit: {why}",
            extensions={"decided_by": data.decided_by},
        )
    now = clock.now()
    audit.decision_outcome, audit.decided_on = data.outcome, data.decided_on
    audit.decided_by, audit.certificate_number = data.decided_by, data.certificate_number
    audit.decision_scope, audit.decision_reason = data.scope, data.reason
    audit.decision_excluded_member_ids = list(data.excluded_member_ids)
    audit.decision_recorded_at = now
    await repo.add(audit)
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
    )
    await add_event(
        session,
        tables.outbox,
        new_event(event, source=SOURCE, subject=audit.id, actor=principal.subject),
    )
    return audit


# report documents ------------------------------------------------------------------------------
class DocumentTooLarge(ProblemError):
    status, code, title = 413, "payload-too-large", "Document too large"


class NotAPdf(ProblemError):
    """The signed report must be a PDF document."""

    status, code, title = 415, "unsupported-media-type", "A PDF document is expected"


async def attach_report(
    session: AsyncSession,
    principal: Principal,
    audit_id: str,
    content: bytes,
    store: FileStore,
    settings: Settings,
    clock: Clock,
) -> Audit:
    """Keep the signed report (PDF) of an audit in progress or whose report is submitted."""
    audit = await visible_audit(session, principal, audit_id, for_update=True)
    await _acts_for_body(session, principal, audit, lead=True)
    if audit.status not in (AuditStatus.IN_PROGRESS.value, AuditStatus.REPORT_SUBMITTED.value):
        raise rules.InvalidTransition(
            f"the report document belongs to an audit in progress or reported, not {audit.status}"
        )
    if len(content) > settings.report_max_bytes:
        raise DocumentTooLarge(f"the document exceeds {settings.report_max_bytes} bytes")
    if not content.startswith(b"%PDF-"):
        raise NotAPdf("the signed report must be a PDF document")
    digest = hashlib.sha256(content).hexdigest()
    stored = await store.put(f"audits/{audit.id}/report-{digest[:16]}.pdf", content)
    audit.report_document_key = stored.key
    audit.report_document_sha256 = stored.sha256
    audit.report_document_size = stored.size
    audit.report_document_uploaded_at = clock.now()
    await AuditRepository(session).add(audit)
    return audit
