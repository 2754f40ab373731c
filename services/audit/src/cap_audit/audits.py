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
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_audit import impartiality, rules
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
    FindingAppeal,
    Organisation,
    Programme,
    tables,
    tombstones,
)
from cap_audit.repository import AuditRepository, OrganisationRepository
from cap_audit.rules import AuditStatus, AuditStep, AuditType, FindingStatus, FindingType, Scheme
from cap_audit.schemas import (
    AppealOut,
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
    SampleSizeOut,
    SamplingOut,
    TeamOut,
)
from cap_shared.clock import Clock, current
from cap_shared.conditional import Precondition, etag_of
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
    Stage2RequiredV1,
)
from cap_shared.contracts.labelling import ApplicationAcceptedV1, RecognitionStatusChangedV1
from cap_shared.files import FileStore
from cap_shared.outbox import add_event
from cap_shared.pagination import Keyset, key
from cap_shared.problems import Conflict, Forbidden, NotFound, ProblemError
from cap_shared.security import Principal, Role, Scope
from cap_shared.sync import Deleted, DeltaSync

SOURCE = "/cap/audit"
FIRST_AUDIT = {Scheme.CAP_ISO9001: AuditType.STAGE1, Scheme.CAP_RSE: AuditType.INITIAL}
#: The audit types a programme shows its group sample size for.
SAMPLED_TYPES = {
    Scheme.CAP_ISO9001: (
        AuditType.STAGE1,
        AuditType.STAGE2,
        AuditType.SURVEILLANCE,
        AuditType.RENEWAL,
    ),
    Scheme.CAP_RSE: (AuditType.INITIAL, AuditType.FOLLOW_UP, AuditType.RENEWAL),
}


class UnknownReference(ProblemError):
    """A body, auditor or organisation named in the request does not exist."""

    status, code, title = 422, "unknown-reference", "Unknown reference"
    title_fr = "Référence inconnue"


class SampleNotCovered(ProblemError):
    """The audit plan's sites leave out the central function, a randomly drawn site, or fall
    short of the sample's size (IAF MD 1)."""

    status, code, title = 422, "sample-not-covered", "The plan does not cover the sample"
    title_fr = "Le plan ne couvre pas l'échantillon"


class UnknownSite(ProblemError):
    """A finding or an evaluation names a site that is not one of the programme's."""

    status, code, title = 422, "unknown-site", "Not a site of the programme"
    title_fr = "Site hors du programme"


def rules_for(settings: Settings, scheme: Scheme) -> rules.SchemeRules:
    """The scheme's parameters (the one source shared with the labelling service)."""
    return settings.scheme_parameters(scheme.value)


# bodies and auditors (admin) -------------------------------------------------------------------
async def create_body(session: AsyncSession, data: BodyIn) -> CertificationBody:
    repo = AuditRepository(session)
    if await repo.get(CertificationBody, data.id):
        raise Conflict(
            f"a certification body {data.id} exists",
            detail_fr=f"un organisme certificateur {data.id} existe déjà",
        )
    body = CertificationBody(**data.model_dump())
    await repo.add(body)
    return body


async def update_body(
    session: AsyncSession,
    body_id: str,
    data: BodyUpdate,
    expect: Callable[[CertificationBody], None] = lambda _body: None,
) -> CertificationBody:
    """Change a body; ``expect`` checks the current one first (If-Match)."""
    repo = AuditRepository(session)
    body = await repo.get(CertificationBody, body_id, for_update=True)
    if body is None:
        raise NotFound(
            "no such certification body", detail_fr="organisme certificateur introuvable"
        )
    expect(body)
    # Only given fields; a null is refused by the schema except where it clears (accreditation).
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(body, name, value)
    await repo.add(body)
    return body


async def create_auditor(session: AsyncSession, data: AuditorIn) -> Auditor:
    repo = AuditRepository(session)
    if await repo.get(CertificationBody, data.certification_body_id) is None:
        raise UnknownReference(
            f"no certification body {data.certification_body_id}",
            detail_fr=f"aucun organisme certificateur {data.certification_body_id}",
        )
    auditor = Auditor(
        id=str(uuid.uuid4()),
        **data.model_dump(mode="json", exclude={"qualifications"}),
        qualifications=[q.model_dump(mode="json") for q in data.qualifications],
    )
    await repo.add(auditor)
    return auditor


async def update_auditor(
    session: AsyncSession,
    auditor_id: str,
    data: AuditorUpdate,
    expect: Callable[[Auditor], None] = lambda _auditor: None,
) -> Auditor:
    """Change an auditor; ``expect`` checks the current one first (If-Match)."""
    repo = AuditRepository(session)
    auditor = await repo.get(Auditor, auditor_id, for_update=True)
    if auditor is None:
        raise NotFound("no such auditor", detail_fr="auditeur introuvable")
    expect(auditor)
    # Only given fields; a null is refused by the schema except where it clears (email, account).
    for name, value in data.model_dump(mode="json", exclude_unset=True).items():
        setattr(auditor, name, value)
    await repo.add(auditor)
    return auditor


async def record_engagement(
    session: AsyncSession, principal: Principal, auditor_id: str, data: EngagementIn, clock: Clock
) -> Engagement:
    """Record an auditor's consultancy, accompaniment or training given to an organisation
    (they bar auditing and deciding for the cooling-off period), or an audit (history)."""
    repo = AuditRepository(session)
    if await repo.get(Auditor, auditor_id) is None:
        raise NotFound("no such auditor", detail_fr="auditeur introuvable")
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
        scheme, rules_for(settings, scheme), accepted_on=due, cycle_start=None, audits=[], today=due
    )[0].due_by
    await _request(session, programme, FIRST_AUDIT[scheme], due_by, current().now(), actor="system")


async def on_recognition_changed(
    session: AsyncSession, _envelope: Envelope, event: RecognitionStatusChangedV1
) -> None:
    """Keep recognitions (surveillance needs an active one) and the programme's cycle: a grant,
    a renewal or the restoration of an expired recognition starts a cycle at ``cycle_start``
    with the recognition's real expiry; other changes of that recognition follow its expiry."""
    repo = AuditRepository(session)
    fresh = await repo.save_recognition(
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
    programme = await repo.latest_programme(event.organisation_id, event.scheme)
    if not fresh or programme is None:
        return
    starts = event.status == "active" and event.previous_status in (None, "expired", "renewed")
    if not starts and event.recognition_id != programme.recognition_id:
        return  # another recognition's news (the one a renewal replaced)
    current_cycle = rules.Cycle(
        programme.cycle, programme.cycle_start, programme.expiry_date, programme.decided_on
    )
    after = rules.cycle_after(
        current_cycle,
        status=event.status,
        previous_status=event.previous_status,
        cycle_start=event.cycle_start,
        decided_on=event.decided_on or event.effective_date,
        expiry=event.expiry_date,
    )
    programme.cycle, programme.cycle_start = after.number, after.start
    programme.expiry_date, programme.decided_on = after.expiry, after.decided_on
    if starts:
        programme.recognition_id = event.recognition_id
    await repo.add(programme)


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
        cycle=programme.cycle,
        due_by=due_by,
        requested_at=now,
    )
    repo = AuditRepository(session)
    await repo.add(audit)
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
                # Who at the body hears of it: its planners, not every auditor (issue 15).
                planner_user_ids=await repo.planner_user_ids(
                    body_id=programme.certification_body_id
                ),
            ),
            source=SOURCE,
            subject=audit.id,
            actor=actor,
        ),
    )
    return audit


async def _organisation(session: AsyncSession, organisation_id: str) -> Organisation | None:
    return await OrganisationRepository(session).get(organisation_id=organisation_id)


def is_body(principal: Principal, body_id: str, scope: Scope | None = None) -> bool:
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


def _sites(programme: Programme) -> tuple[str, list[str]]:
    """A programme's central function (its organisation) and member sites."""
    members = [m for m in programme.group_member_ids if m != programme.organisation_id]
    return programme.organisation_id, members


async def programme_out(
    session: AsyncSession, programme: Programme, settings: Settings, today: date
) -> ProgrammeOut:
    repo = AuditRepository(session)
    audits = await repo.all(
        Audit, col(Audit.programme_id) == programme.id, order=col(Audit.requested_at)
    )
    scheme = Scheme(programme.scheme)
    parameters = rules_for(settings, scheme)
    required = [
        a
        for a in audits
        if a.stage2_required_on is not None and a.cycle == programme.cycle and a.end_date
    ]
    items = rules.schedule(
        scheme,
        parameters,
        accepted_on=programme.accepted_on,
        cycle_start=programme.cycle_start,
        expiry=programme.expiry_date,
        cycle=programme.cycle,
        repeats=[rules.repeat_due(a.end_date, parameters) for a in required if a.end_date],
        audits=[
            rules.Done(
                AuditType(a.type),
                AuditStatus(a.status),
                a.id,
                a.closed_at.date() if a.closed_at else None,
                a.cycle,
            )
            for a in audits
        ],
        today=today,
    )
    central, members = _sites(programme)
    sizes = []
    if members:
        for audit_type in SAMPLED_TYPES[scheme]:
            drawn = rules.sample(
                parameters, audit_type, central_function=central, members=members, seed=""
            )
            sizes.append(
                SampleSizeOut(
                    audit_type=audit_type.value,
                    size=drawn.size,
                    sampled=drawn.sampled,
                    factor=drawn.factor,
                )
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
        cycle=programme.cycle,
        cycle_start=programme.cycle_start,
        expiry_date=programme.expiry_date,
        stage2_required_by=[a.id for a in required],
        sampling=sizes,
        schedule=[
            DueItemOut(
                type=i.type.value,
                due_by=i.due_by,
                audit_id=i.audit_id,
                status=i.status,
                cycle_year=i.cycle_year,
                cycle=i.cycle,
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
        or is_body(principal, programme.certification_body_id)
    ):
        raise NotFound("no such audit programme", detail_fr="programme d'audit introuvable")
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


# lists ----------------------------------------------------------------------------------------
#: The lists' stable orders (keysets; the last key is unique).
PROGRAMME_KEYS = Keyset(
    "audit-programmes",
    key(col(Programme.created_at), datetime),
    key(col(Programme.id), str),
)
AUDIT_KEYS = Keyset(
    "audits",
    key(col(Audit.requested_at), datetime, descending=True),
    key(col(Audit.id), str, descending=True),
)
FINDING_KEYS = Keyset(
    "findings",
    key(col(Finding.created_at), datetime),
    key(col(Finding.id), str),
)
#: Delta sync (``?updated_since=``): a row changes when any of its fields does.
AUDIT_SYNC = DeltaSync.timestamped("audits", "audit", Audit)
FINDING_SYNC = DeltaSync.timestamped("findings", "finding", Finding)


async def tombstone_scope(
    session: AsyncSession, principal: Principal
) -> Callable[[Any], Any] | None:
    """Which deletions the caller hears of in a delta sync: those of the structures it reads
    (None: all)."""
    readable = await _readable_org_ids(session, principal)
    if readable is None:
        return None
    ids = sorted(readable)
    return lambda organisation: organisation.in_(ids)


def _seen_by(
    principal: Principal, readable: set[str] | None, organisation: Any, body: Any
) -> list[Any]:
    """SQL conditions, one of which a visible row meets (none: the caller sees every row)."""
    if readable is None:
        return []
    seen = [organisation.in_(sorted(readable))]
    if principal.kind == "client":
        seen.append(body.in_(sorted(principal.certification_body_ids())))
    return seen


async def programmes_query(
    session: AsyncSession,
    principal: Principal,
    *,
    organisation_id: str | None = None,
    scheme: str | None = None,
) -> sa.Select[Programme]:
    """Programmes the caller may see: of the structures it reads, or of its body's system."""
    readable = await _readable_org_ids(session, principal)
    query = sa.select(Programme)
    seen = _seen_by(
        principal, readable, col(Programme.organisation_id), col(Programme.certification_body_id)
    )
    if seen:
        query = query.where(sa.or_(*seen))
    if organisation_id:
        query = query.where(col(Programme.organisation_id) == organisation_id)
    if scheme:
        query = query.where(col(Programme.scheme) == scheme)
    return query


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
        recognition_in_force=await repo.recognition_in_force(
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
        raise NotFound("no such audit", detail_fr="audit introuvable")
    if principal.has_role(Role.AUDITOR) and principal.user_id in await _team_user_ids(
        session, audit.id
    ):
        return audit
    if is_body(principal, audit.certification_body_id) or await _reads_org(
        session, principal, audit.organisation_id
    ):
        return audit
    raise NotFound("no such audit", detail_fr="audit introuvable")


async def _acts_for_body(
    session: AsyncSession, principal: Principal, audit: Audit, *, lead: bool = False
) -> None:
    """Admin, the body's system with audits:write, or an assigned auditor (the lead if ``lead``)."""
    if principal.has_role(Role.ADMIN) or is_body(
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
        "only the certification body, the audit's auditors or an administrator may do this",
        detail_fr=(
            "seuls l'organisme certificateur, les auditeurs de l'audit ou un "
            "administrateur peuvent le faire"
        ),
    )


def _majors(findings: Sequence[Finding]) -> list[rules.Major]:
    return [
        rules.Major(
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
        1 for f in findings if rules.is_open_major(FindingType(f.type), FindingStatus(f.status))
    )


def _last_day(audit: Audit) -> date | None:
    """The audit's last day on site (its report's day when it was never planned)."""
    if audit.end_date is not None:
        return audit.end_date
    return audit.report_submitted_at.date() if audit.report_submitted_at else None


async def majors_late(session: AsyncSession, audit: Audit, settings: Settings, today: date) -> int:
    """Majors of a deciding audit whose report is submitted not verified within
    ``major_verification_months`` of its last day (0 for other audits)."""
    scheme = Scheme(audit.scheme)
    last_day = _last_day(audit)
    if (
        AuditType(audit.type) not in rules.DECIDING[scheme]
        or audit.status not in {s.value for s in rules.REPORTED}
        or last_day is None
    ):
        return 0
    findings = await AuditRepository(session).deciding_findings(audit.id)
    return rules.majors_late(last_day, _majors(findings), today, rules_for(settings, scheme))


def _sampling(audit: Audit, programme: Programme, settings: Settings) -> SamplingOut | None:
    central, members = _sites(programme)
    if not members:
        return None
    drawn = rules.sample(
        rules_for(settings, Scheme(audit.scheme)),
        AuditType(audit.type),
        central_function=central,
        members=members,
        seed=audit.id,
    )
    return SamplingOut(
        sites=drawn.sites,
        size=drawn.size,
        sampled=drawn.sampled,
        factor=drawn.factor,
        central_function=drawn.central_function,
        random_site_ids=list(drawn.random_site_ids),
        required_site_ids=list(drawn.required_site_ids),
        rule=rules.RULE_SAMPLING,
    )


async def audit_etag(session: AsyncSession, audit: Audit, settings: Settings, today: date) -> str:
    """The audit's ETag, as ``GET /v1/audits/{id}`` answers it."""
    return etag_of(await audit_out(session, audit, settings, today))


async def _expect(
    session: AsyncSession,
    audit: Audit,
    settings: Settings,
    today: date,
    precondition: Precondition | None,
) -> None:
    """412/428 unless the write's If-Match names the audit's current ETag (None: unchecked)."""
    if precondition is not None:
        precondition.check(await audit_etag(session, audit, settings, today))


async def audit_out(
    session: AsyncSession, audit: Audit, settings: Settings, today: date
) -> AuditOut:
    repo = AuditRepository(session)
    team = await repo.team(audit.id)
    # Its own findings and the minors of earlier audits its report escalated, as its report
    # lists them: they count as its majors.
    findings = await repo.deciding_findings(audit.id)
    counts = Counter(f.type for f in findings if f.status != FindingStatus.WITHDRAWN.value)
    programme = await repo.get(Programme, audit.programme_id)
    assert programme is not None  # an audit belongs to its programme
    must_repeat = audit.stage2_required_on is not None or bool(
        await majors_late(session, audit, settings, today)
    )
    return AuditOut(
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
        stage2_required_on=audit.stage2_required_on,
        site_ids=audit.site_ids,
        sampling=_sampling(audit, programme, settings),
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
                open_major_nc=audit.decision_open_major_nc or 0,
            )
            if audit.decision_outcome and audit.decided_on
            else None
        ),
    )


async def audits_query(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None = None,
    programme_id: str | None = None,
    organisation_id: str | None = None,
) -> sa.Select[Audit]:
    """Audits the caller may see: of the structures it reads, assigned to it (an auditor), or
    of its body (the body's system)."""
    readable = await _readable_org_ids(session, principal)
    query = sa.select(Audit)
    seen = _seen_by(
        principal, readable, col(Audit.organisation_id), col(Audit.certification_body_id)
    )
    if seen:
        if principal.has_role(Role.AUDITOR) and principal.user_id:
            assigned = await AuditRepository(session).audits_assigned_to(principal.user_id)
            seen.append(col(Audit.id).in_(sorted(set(assigned))))
        query = query.where(sa.or_(*seen))
    if status:
        query = query.where(col(Audit.status) == status)
    if programme_id:
        query = query.where(col(Audit.programme_id) == programme_id)
    if organisation_id:
        query = query.where(col(Audit.organisation_id) == organisation_id)
    return query


async def programmes_page(
    session: AsyncSession,
    principal: Principal,
    *,
    organisation_id: str | None,
    scheme: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Programme], str | None]:
    """A page of the programmes the caller may see, oldest first."""
    query = await programmes_query(
        session, principal, organisation_id=organisation_id, scheme=scheme
    )
    return await PROGRAMME_KEYS.fetch(session, query, cursor=cursor, limit=limit)


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
    """A page of the audits the caller may see, newest request first; with ``updated_since``,
    those changed since, oldest change first, and the deletions the caller may hear of."""
    query = await audits_query(
        session,
        principal,
        status=status,
        programme_id=programme_id,
        organisation_id=organisation_id,
    )
    if updated_since is None:
        rows, next_cursor = await AUDIT_KEYS.fetch(session, query, cursor=cursor, limit=limit)
        return rows, [], next_cursor
    return await AUDIT_SYNC.page(
        session,
        query,
        tombstones,
        since=updated_since,
        cursor=cursor,
        limit=limit,
        tombstone_scope=await tombstone_scope(session, principal),
    )


async def findings_page(
    session: AsyncSession,
    audit: Audit,
    *,
    type_: str | None,
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Finding], list[Deleted], str | None]:
    """A page of the findings that count for ``audit`` (a visible one), oldest first; with
    ``updated_since``, those changed since, oldest change first."""
    query = AuditRepository.deciding_findings_query(audit.id)
    if type_:
        query = query.where(col(Finding.type) == type_)
    if updated_since is None:
        rows, next_cursor = await FINDING_KEYS.fetch(session, query, cursor=cursor, limit=limit)
        return rows, [], next_cursor
    return await FINDING_SYNC.page(
        session,
        query,
        tombstones,
        since=updated_since,
        cursor=cursor,
        limit=limit,
        tombstone_scope=lambda organisation: organisation == audit.organisation_id,
    )


async def plan(
    session: AsyncSession,
    principal: Principal,
    audit_id: str,
    data: PlanIn,
    settings: Settings,
    clock: Clock,
    precondition: Precondition | None = None,
) -> Audit:
    """Dates, team and plan: each auditor of the body, qualified for the scheme on those dates,
    impartial towards the organisation, with a declaration recorded. Through the API, on the
    audit as the caller read it (``precondition``: If-Match, required there)."""
    audit = await visible_audit(session, principal, audit_id, for_update=True)
    if not (
        principal.has_role(Role.ADMIN)
        or is_body(principal, audit.certification_body_id, Scope.AUDITS_WRITE)
    ):
        raise Forbidden(
            "the certification body or an administrator plans an audit",
            detail_fr="l'organisme certificateur ou un administrateur planifie un audit",
        )
    await _expect(session, audit, settings, clock.today(), precondition)
    target = rules.next_audit_status(AuditStatus(audit.status), AuditStep.PLAN)
    repo = AuditRepository(session)
    scheme = Scheme(audit.scheme)
    parameters = rules_for(settings, scheme)
    programme = await repo.get(Programme, audit.programme_id)
    assert programme is not None  # an audit belongs to its programme
    central, members = _sites(programme)
    drawn = rules.sample(
        parameters, AuditType(audit.type), central_function=central, members=members, seed=audit.id
    )
    gaps = rules.plan_site_gaps(data.site_ids, drawn, members)
    if gaps:
        raise SampleNotCovered(
            "; ".join(g["message"] for g in gaps),
            detail_fr=" ; ".join(g["message_fr"] for g in gaps),
            extensions={
                "rule": rules.RULE_SAMPLING,
                "errors": gaps,
                "required_site_ids": list(drawn.required_site_ids),
                "size": drawn.size,
            },
        )
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
                detail_fr=(
                    f"team.{i} : aucun auditeur actif {member.auditor_id} chez "
                    f"{audit.certification_body_id}"
                ),
                extensions={
                    "errors": [
                        {
                            "field": f"body.team.{i}.auditor_id",
                            "message": "not an auditor of this body",
                            "message_fr": "pas un auditeur de cet organisme",
                        }
                    ]
                },
            )
        if member.role != "observer" and not rules.qualified(
            auditor.qualifications, scheme, data.start_date, data.end_date
        ):
            raise rules.NotQualified(
                f"{auditor.name} holds no {scheme.value} qualification valid from {data.start_date} to {data.end_date}",
                detail_fr=(
                    f"{auditor.name} n'a aucune qualification {scheme.value} valable du "
                    f"{data.start_date} au {data.end_date}"
                ),
                extensions={"auditor_id": auditor.id},
            )
        await impartiality.check_cooling_off(
            session,
            auditor,
            organisation_ids=[central, *members],
            on=data.start_date,
            parameters=parameters,
            acting_as=f"audit ({member.role})",
        )
        if member.role == "lead":
            await impartiality.check_lead_cycles(
                session,
                auditor,
                programme_id=programme.id,
                cycle=audit.cycle,
                parameters=parameters,
            )
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
    audit.site_ids = list(dict.fromkeys(data.site_ids or [central]))
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
            or is_body(principal, audit.certification_body_id, Scope.AUDITS_WRITE)
        ):
            raise Forbidden(
                "the certification body or an administrator does this",
                detail_fr="c'est l'organisme certificateur ou un administrateur qui le fait",
            )
    else:
        await _acts_for_body(session, principal, audit, lead=True)
    target = rules.next_audit_status(AuditStatus(audit.status), audit_step)
    repo = AuditRepository(session)
    now = clock.now()
    findings = await repo.all(Finding, col(Finding.audit_id) == audit.id)
    if audit_step is AuditStep.START and not await repo.team(audit.id):
        raise rules.RuleViolation(
            "an audit starts with its team", detail_fr="un audit commence avec son équipe"
        )
    if audit_step is AuditStep.SUBMIT_REPORT:
        if not (summary or "").strip():
            raise rules.RuleViolation(
                "the report needs its summary", detail_fr="le rapport demande sa synthèse"
            )
        audit.report_submitted_at, audit.report_summary = now, summary
        scheme_rules = rules_for(settings, Scheme(audit.scheme))
        for finding in findings:
            finding.response_due = rules.response_due(
                FindingType(finding.type), now.date(), scheme_rules
            )
        added = await _minors_adding_up(session, audit, findings, scheme_rules, now)
        escalated = await _escalate_earlier_minors(session, audit, scheme_rules, principal, now)
        await _publish_report(session, audit, [*findings, *added, *escalated], principal, now)
    if audit_step is AuditStep.CLOSE:
        # The minors of earlier audits its report escalated count as this audit's majors.
        counted = await repo.deciding_findings(audit.id)
        rules.may_close([(FindingType(f.type), FindingStatus(f.status)) for f in counted])
        audit.closed_at = now
        for assignment, auditor in await repo.team(audit.id):
            if assignment.role != "observer":
                # History, and the consecutive-lead limit: having audited bars nothing.
                await repo.add(
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
    if audit_step is AuditStep.ACCEPT:
        audit.accepted_at = now
    if audit_step is AuditStep.CANCEL:
        audit.cancel_reason = reason or "cancelled"
    audit.status = target.value
    await repo.add(audit)
    return audit


def _requirement(scheme: Scheme, finding: Finding) -> str | None:
    """What a nonconformity is about: the ISO clause, the CAP RSE criterion."""
    if scheme is Scheme.CAP_ISO9001:
        return finding.clause or finding.criterion_urn
    return finding.criterion_urn or finding.clause


async def _minors_adding_up(
    session: AsyncSession,
    audit: Audit,
    findings: Sequence[Finding],
    parameters: rules.SchemeRules,
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
    for requirement, site, count in rules.minors_adding_up(
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
            response_due=rules.response_due(FindingType.MAJOR_NC, now.date(), parameters),
            escalated_from=FindingType.MINOR_NC.value,
            escalated_on=now.date(),
        )
        await AuditRepository(session).add(finding)
        added.append(finding)
    return added


async def _escalate_earlier_minors(
    session: AsyncSession,
    audit: Audit,
    parameters: rules.SchemeRules,
    principal: Principal,
    now: datetime,
) -> list[Finding]:
    """Minors of the programme's earlier audits not verified closed by this audit's report
    become majors (``minor_escalates_at_next_audit``): open again, a new response deadline,
    ``finding.status_changed.v1`` with the previous type. They count for this audit (its
    report lists them, its decision waits for them)."""
    repo = AuditRepository(session)
    escalated = []
    for finding in await repo.earlier_findings(audit.programme_id, audit.id):
        if not rules.escalates_at_next_audit(
            FindingType(finding.type), FindingStatus(finding.status), parameters
        ):
            continue
        previous = finding.status
        finding.type, finding.status = FindingType.MAJOR_NC.value, FindingStatus.OPEN.value
        finding.escalated_from = FindingType.MINOR_NC.value
        finding.escalated_on, finding.escalated_by_audit_id = now.date(), audit.id
        finding.response_due = rules.response_due(FindingType.MAJOR_NC, now.date(), parameters)
        finding.verification_due = None
        await repo.add(finding)
        await publish_finding_status(
            session,
            finding,
            audit.scheme,
            previous,
            principal,
            now,
            previous_type=FindingType.MINOR_NC.value,
            reason=f"non-conformité mineure non soldée à l'audit suivant ({audit.type} "
            f"{audit.id}) : elle devient majeure",
        )
        escalated.append(finding)
    return escalated


async def _publish_report(
    session: AsyncSession,
    audit: Audit,
    findings: Sequence[Finding],
    principal: Principal,
    now: Any,
) -> None:
    """``audit.report_submitted.v1``: the audit's findings (and the minors of earlier audits
    its report escalated), evaluated maturity per site, programme, cycle and sites."""
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
    await add_event(
        session,
        tables.outbox,
        new_event(event, source=SOURCE, subject=audit.id, actor=principal.subject),
    )


# findings ------------------------------------------------------------------------------------
def finding_out(
    finding: Finding,
    today: date,
    *,
    appeal: FindingAppeal | None = None,
    appeal_deadline: date | None = None,
) -> FindingOut:
    """A finding as the API shows it (with its appeal, and until when it may be appealed)."""
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
        site_id=finding.site_id,
        evidence=finding.evidence,
        status=finding.status,
        response_due=finding.response_due,
        verification_due=finding.verification_due,
        escalated_from=finding.escalated_from,
        escalated_on=finding.escalated_on,
        appeal_deadline=appeal_deadline,
        appeal=(
            AppealOut(
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


async def findings_out(
    session: AsyncSession, findings: Sequence[Finding], settings: Settings, today: date
) -> list[FindingOut]:
    """Findings as the API shows them, with their appeals (in a few queries)."""
    repo = AuditRepository(session)
    appeals = await repo.appeals_of([f.id for f in findings])
    audits = {
        a.id: a
        for a in await repo.all(Audit, col(Audit.id).in_(sorted({f.audit_id for f in findings})))
    }
    out = []
    for finding in findings:
        audit = audits[finding.audit_id]
        opened = appeal_opened_on(finding, audit)
        deadline = None
        if opened is not None and finding.type in {t.value for t in rules.NONCONFORMITIES}:
            deadline = rules.appeal_deadline(opened, rules_for(settings, Scheme(audit.scheme)))
        out.append(
            finding_out(finding, today, appeal=appeals.get(finding.id), appeal_deadline=deadline)
        )
    return out


async def _site(session: AsyncSession, audit: Audit, site_id: str | None, field: str) -> str | None:
    """A finding's or an evaluation's site: one of the programme's group members (None, or the
    organisation itself: the central function), else 422 naming the field."""
    if site_id is None or site_id == audit.organisation_id:
        return None
    programme = await AuditRepository(session).get(Programme, audit.programme_id)
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
    session: AsyncSession, principal: Principal, audit_id: str, data: FindingIn
) -> Finding:
    """Record a finding while the audit is in progress (the team or the body), at a site of
    the programme."""
    audit = await visible_audit(session, principal, audit_id, for_update=True)
    await _acts_for_body(session, principal, audit)
    if audit.status != AuditStatus.IN_PROGRESS.value:
        raise rules.InvalidTransition(
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
        site_id=await _site(session, audit, data.site_id, "body.site_id"),
        evidence=[e.model_dump(mode="json") for e in data.evidence],
        status=(FindingStatus.OPEN if kind in rules.NONCONFORMITIES else FindingStatus.NOTED).value,
    )
    await AuditRepository(session).add(finding)
    return finding


async def set_maturity(
    session: AsyncSession,
    principal: Principal,
    audit_id: str,
    levels: list[MaturityIn],
    settings: Settings,
    today: date,
    precondition: Precondition | None = None,
) -> tuple[Audit, int]:
    """The auditor's evaluated maturity per criterion and site (CAP RSE), while in progress;
    a criterion may be judged not applicable. ``precondition``: If-Match on the audit."""
    audit = await visible_audit(session, principal, audit_id, for_update=True)
    await _acts_for_body(session, principal, audit)
    await _expect(session, audit, settings, today, precondition)
    if audit.scheme != Scheme.CAP_RSE.value:
        raise rules.RuleViolation(
            "evaluated maturity is recorded for CAP RSE audits",
            detail_fr="la maturité évaluée s'enregistre pour les audits CAP RSE",
        )
    if audit.status != AuditStatus.IN_PROGRESS.value:
        raise rules.InvalidTransition(
            f"maturity is evaluated while the audit is in progress, not {audit.status}",
            detail_fr=(
                f"la maturité s'évalue pendant l'audit (en cours), pas à l'état « {audit.status} »"
            ),
        )
    for i, item in enumerate(levels):
        site = await _site(session, audit, item.site_id, f"body.levels.{i}.site_id")
        await session.merge(
            EvaluatedMaturity(
                audit_id=audit.id,
                site_id=site or "",
                criterion_urn=item.criterion_urn,
                level=0 if item.not_applicable else item.level,
                not_applicable=item.not_applicable,
                comment=item.comment,
            )
        )
    await session.flush()
    return audit, len(levels)


async def visible_finding(
    session: AsyncSession, principal: Principal, finding_id: str, *, for_update: bool = False
) -> tuple[Finding, Audit]:
    finding = await AuditRepository(session).get(Finding, finding_id, for_update=for_update)
    if finding is None:
        raise NotFound("no such finding", detail_fr="constat introuvable")
    try:
        audit = await visible_audit(session, principal, finding.audit_id)
    except NotFound:
        raise NotFound("no such finding", detail_fr="constat introuvable") from None
    return finding, audit


async def respond(
    session: AsyncSession,
    principal: Principal,
    finding_id: str,
    data: ResponseIn,
    settings: Settings,
    clock: Clock,
) -> Finding:
    """The organisation answers a nonconformity: root cause, correction, corrective action; an
    answered major must then be verified within ``major_verification_days``."""
    finding, audit = await visible_finding(session, principal, finding_id, for_update=True)
    if not (
        principal.has_role(Role.ADMIN) or audit.organisation_id in principal.organisation_ids()
    ):
        raise Forbidden(
            "the audited organisation answers its nonconformities",
            detail_fr="c'est la structure auditée qui répond à ses non-conformités",
        )
    if audit.report_submitted_at is None:
        raise rules.InvalidTransition(
            "nonconformities are answered once the report is submitted",
            detail_fr="on répond aux non-conformités une fois le rapport remis",
        )
    target = rules.next_finding_status(
        FindingType(finding.type), FindingStatus(finding.status), rules.FindingStep.RESPOND
    )
    finding.root_cause, finding.correction = data.root_cause, data.correction
    finding.corrective_action, finding.action_due = data.corrective_action, data.action_due
    finding.response_evidence = [e.model_dump(mode="json") for e in data.evidence]
    finding.responded_at = now = clock.now()
    finding.verification_due = rules.verification_due(
        FindingType(finding.type), now.date(), rules_for(settings, Scheme(audit.scheme))
    )
    previous, finding.status = finding.status, target.value
    await AuditRepository(session).add(finding)
    await publish_finding_status(session, finding, audit.scheme, previous, principal, now)
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
        raise rules.RuleViolation(
            "sending an answer back needs a comment saying why",
            detail_fr="renvoyer une réponse demande un commentaire qui dit pourquoi",
        )
    target = rules.next_finding_status(
        FindingType(finding.type), FindingStatus(finding.status), finding_step
    )
    now = clock.now()
    previous, finding.status = finding.status, target.value
    finding.auditor_comment = comment or finding.auditor_comment
    if target is FindingStatus.VERIFIED_CLOSED:
        finding.verified_at, finding.verified_by = now, principal.subject
    if target is FindingStatus.OPEN:
        finding.verification_due = None  # sent back: a new answer, a new deadline
    await AuditRepository(session).add(finding)
    await publish_finding_status(session, finding, audit.scheme, previous, principal, now)
    return finding


async def publish_finding_status(
    session: AsyncSession,
    finding: Finding,
    scheme: str,
    previous: str,
    principal: Principal,
    changed_at: datetime,
    *,
    previous_type: str | None = None,
    reason: str | None = None,
) -> None:
    """``finding.status_changed.v1``: a nonconformity moved on (every NC status change)."""
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
    await add_event(
        session,
        tables.outbox,
        new_event(event, source=SOURCE, subject=finding.id, actor=principal.subject),
    )


async def nc_deadlines(session: AsyncSession, today: date, *, reminder_days: int) -> int:
    """Publish a reminder before each open NC's deadline and an escalation after it, and an
    escalation for each answered major not verified by its verification deadline (once each:
    per deadline, per answer)."""
    repo = AuditRepository(session)
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
    await session.flush()
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


async def stage2_required(session: AsyncSession, today: date, settings: Settings) -> int:
    """Publish ``audit.stage2_required.v1`` once for each deciding audit (ISO stage 2 or
    renewal, CAP RSE initial or renewal) whose majors were not all verified within
    ``major_verification_months`` of its last day: its programme then expects a new stage 2
    (CAP RSE: a new initial evaluation) and no decision rests on it any more."""
    repo = AuditRepository(session)
    types = sorted({t.value for deciding in rules.DECIDING.values() for t in deciding})
    sent = 0
    for audit in await repo.reported_audits(types):
        last_day = _last_day(audit)
        parameters = rules_for(settings, Scheme(audit.scheme))
        if last_day is None or today <= rules.stage2_deadline(last_day, parameters):
            continue  # still in time: no need to look at its findings
        late = await majors_late(session, audit, settings, today)
        if not late:
            continue
        audit.stage2_required_on = today
        await repo.add(audit)
        event = Stage2RequiredV1(
            audit_id=audit.id,
            programme_id=audit.programme_id,
            organisation_id=audit.organisation_id,
            scheme=audit.scheme,
            audit_type=audit.type,
            certification_body_id=audit.certification_body_id,
            last_day=last_day,
            deadline=rules.stage2_deadline(last_day, parameters),
            open_major_nc=late,
        )
        await add_event(
            session,
            tables.outbox,
            new_event(event, source=SOURCE, subject=audit.id, actor="system:deadlines"),
        )
        sent += 1
    return sent


# certification decision ------------------------------------------------------------------------
async def record_decision(
    session: AsyncSession,
    principal: Principal,
    audit_id: str,
    data: DecisionIn,
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
    audit = await visible_audit(session, principal, audit_id, for_update=True)
    if not is_body(principal, audit.certification_body_id, Scope.AUDITS_WRITE):
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
    repo = AuditRepository(session)
    parameters = rules_for(settings, Scheme(audit.scheme))
    late = await majors_late(session, audit, settings, now.date())
    last_day = _last_day(audit)
    if (audit.stage2_required_on is not None or late) and last_day is not None:
        deadline = rules.stage2_deadline(last_day, parameters)
        raise rules.RuleViolation(
            f"majors of this {audit.type} were not verified by {deadline.isoformat()}: a new "
            "stage 2 is required and no decision rests on this audit any more",
            detail_fr=(
                f"la levée des non-conformités majeures de cet audit ({audit.type}) "
                f"n'a pas été vérifiée au {deadline.isoformat()} : un nouvel audit "
                "d'étape 2 est nécessaire et aucune décision ne repose plus sur "
                "cet audit"
            ),
            extensions={
                "rule": rules.RULE_NEW_STAGE2,
                "deadline": deadline.isoformat(),
                "stage2_required_on": (audit.stage2_required_on or now.date()).isoformat(),
            },
        )
    team = [
        rules.Person(auditor.id, auditor.user_id, auditor.name)
        for _assignment, auditor in await repo.team(audit.id)
    ]
    named = await repo.get(Auditor, data.decided_by)
    if named is None or named.certification_body_id != audit.certification_body_id:
        named = next(
            (
                a
                for a in await repo.auditors_with_user(data.decided_by)
                if a.certification_body_id == audit.certification_body_id
            ),
            None,
        )
    registered = rules.Person(named.id, named.user_id, named.name) if named is not None else None
    impartial, why = rules.decider_impartial(data.decided_by, registered, team)
    if not impartial:
        raise rules.DeciderNotImpartial(
            f"the decision maker took part in the audit: {why}",
            detail_fr=f"le décideur a pris part à l'audit : {why}",
            extensions={"decided_by": data.decided_by, "rule": rules.RULE_DECIDER},
        )
    if named is not None:
        programme = await repo.get(Programme, audit.programme_id)
        assert programme is not None  # an audit belongs to its programme
        central, members = _sites(programme)
        await impartiality.check_cooling_off(
            session,
            named,
            organisation_ids=[central, *members],
            on=data.decided_on,
            parameters=parameters,
            acting_as="decide",
        )
    open_majors = open_major_count(await repo.deciding_findings(audit.id))
    audit.decision_outcome, audit.decided_on = data.outcome, data.decided_on
    audit.decided_by, audit.certificate_number = data.decided_by, data.certificate_number
    audit.decision_scope, audit.decision_reason = data.scope, data.reason
    audit.decision_excluded_member_ids = list(data.excluded_member_ids)
    audit.decision_recorded_at = now
    audit.decision_open_major_nc = open_majors
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
        open_major_nc=open_majors,
        cycle=audit.cycle,
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
    title_fr = "Document trop volumineux"


class NotAPdf(ProblemError):
    """The signed report must be a PDF document."""

    status, code, title = 415, "unsupported-media-type", "A PDF document is expected"
    title_fr = "Un document PDF est attendu"


async def attach_report(
    session: AsyncSession,
    principal: Principal,
    audit_id: str,
    content: bytes,
    store: FileStore,
    settings: Settings,
    clock: Clock,
    precondition: Precondition | None = None,
) -> Audit:
    """Keep the signed report (PDF) of an audit in progress or whose report is submitted
    (``precondition``: If-Match on the audit)."""
    audit = await visible_audit(session, principal, audit_id, for_update=True)
    await _acts_for_body(session, principal, audit, lead=True)
    await _expect(session, audit, settings, clock.today(), precondition)
    if audit.status not in (AuditStatus.IN_PROGRESS.value, AuditStatus.REPORT_SUBMITTED.value):
        raise rules.InvalidTransition(
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
    stored = await store.put(f"audits/{audit.id}/report-{digest[:16]}.pdf", content)
    audit.report_document_key = stored.key
    audit.report_document_sha256 = stored.sha256
    audit.report_document_size = stored.size
    audit.report_document_uploaded_at = clock.now()
    await AuditRepository(session).add(audit)
    return audit
