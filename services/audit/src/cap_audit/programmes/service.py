"""Use cases of audit programmes: opened on an accepted application, following the
recognition's cycle, showing the audits expected and their due dates."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit import access
from cap_audit.audits import service as audits
from cap_audit.audits.repository import AuditRepository
from cap_audit.audits.rules import AuditStatus, AuditType, Scheme
from cap_audit.config import Settings, rules_for
from cap_audit.findings import rules as finding_rules
from cap_audit.models import ActiveRecognition, Audit, Programme
from cap_audit.programmes import rules
from cap_audit.programmes.repository import ProgrammeRepository
from cap_audit.programmes.schemas import (
    AuditRequest,
    DueItemPublic,
    ProgrammePublic,
    SampleSizePublic,
)
from cap_shared.clock import Clock, current
from cap_shared.contracts import Envelope
from cap_shared.contracts.labelling import ApplicationAcceptedV1, RecognitionStatusChangedV1
from cap_shared.problems import NotFound
from cap_shared.security import Principal

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


async def on_application_accepted(
    session: AsyncSession, _envelope: Envelope, event: ApplicationAcceptedV1, *, settings: Settings
) -> None:
    """Open the programme and request its first audit from the chosen body (once per application)."""
    repo = ProgrammeRepository(session)
    if await repo.of_application(event.application_id) is not None:
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
    await audits.open_audit(
        session,
        programme,
        audit_type=FIRST_AUDIT[scheme],
        due_by=due_by,
        now=current().now(),
        actor="system",
    )


async def on_recognition_changed(
    session: AsyncSession, _envelope: Envelope, event: RecognitionStatusChangedV1
) -> None:
    """Keep recognitions (surveillance needs an active one) and the programme's cycle: a grant,
    a renewal or the restoration of an expired recognition starts a cycle at ``cycle_start``
    with the recognition's real expiry; other changes of that recognition follow its expiry."""
    repo = ProgrammeRepository(session)
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


def _sample_sizes(
    programme: Programme, scheme: Scheme, settings: Settings
) -> list[SampleSizePublic]:
    """The group sample size of each audit type of the scheme (none for a single site)."""
    central, members = rules.sites(programme.organisation_id, programme.group_member_ids)
    if not members:
        return []
    sizes = []
    for audit_type in SAMPLED_TYPES[scheme]:
        drawn = rules.sample(
            rules_for(settings, scheme),
            audit_type,
            central_function=central,
            members=members,
            seed="",
        )
        sizes.append(
            SampleSizePublic(
                audit_type=audit_type.value,
                size=drawn.size,
                sampled=drawn.sampled,
                factor=drawn.factor,
            )
        )
    return sizes


def _schedule(
    programme: Programme,
    audits_done: list[Audit],
    required: list[Audit],
    settings: Settings,
    today: date,
) -> list[rules.DueItem]:
    """The programme's expected audits, each with its due date and where it stands."""
    scheme = Scheme(programme.scheme)
    parameters = rules_for(settings, scheme)
    return rules.schedule(
        scheme,
        parameters,
        accepted_on=programme.accepted_on,
        cycle_start=programme.cycle_start,
        expiry=programme.expiry_date,
        cycle=programme.cycle,
        repeats=[finding_rules.repeat_due(a.end_date, parameters) for a in required if a.end_date],
        audits=[
            rules.Done(
                AuditType(a.type),
                AuditStatus(a.status),
                a.id,
                a.closed_at.date() if a.closed_at else None,
                a.cycle,
            )
            for a in audits_done
        ],
        today=today,
    )


async def programme_public(
    session: AsyncSession, programme: Programme, *, settings: Settings, today: date
) -> ProgrammePublic:
    """A programme as the API shows it: its schedule, sample sizes and repeats required."""
    done = list(await AuditRepository(session).of_programme(programme.id))
    required = [
        a
        for a in done
        if a.stage2_required_on is not None and a.cycle == programme.cycle and a.end_date
    ]
    items = _schedule(programme, done, required, settings, today)
    return ProgrammePublic(
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
        sampling=_sample_sizes(programme, Scheme(programme.scheme), settings),
        schedule=[
            DueItemPublic(
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
    session: AsyncSession, principal: Principal, *, programme_id: str
) -> Programme:
    """The programme if the caller may see it (its structure's readers, its body), else 404."""
    programme = await ProgrammeRepository(session).get(programme_id)
    if programme is None or not (
        await access.reads_organisation(session, principal, programme.organisation_id)
        or access.is_body(principal, programme.certification_body_id)
    ):
        raise NotFound("no such audit programme", detail_fr="programme d'audit introuvable")
    return programme


async def programmes_page(
    session: AsyncSession,
    principal: Principal,
    *,
    organisation_id: str | None,
    scheme: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Programme], str | None]:
    """A page of the programmes the caller may see (of the structures it reads, or of its
    body's system), oldest first."""
    return await ProgrammeRepository(session).page(
        await access.reach(session, principal, assigned=False),
        organisation_id=organisation_id,
        scheme=scheme,
        cursor=cursor,
        limit=limit,
    )


async def request_audit(
    session: AsyncSession,
    principal: Principal,
    *,
    programme_id: str,
    data: AuditRequest,
    settings: Settings,
    clock: Clock,
) -> Audit:
    """Request another audit of a programme (admin), under the certification rules; without a
    ``due_by``, the programme's computed due date for that audit (as for the first audit)."""
    programme = await visible_programme(session, principal, programme_id=programme_id)
    held = await AuditRepository(session).of_programme(programme.id)
    scheme, audit_type = Scheme(programme.scheme), AuditType(data.type)
    rules.may_open(
        scheme,
        audit_type,
        closed_types={AuditType(a.type) for a in held if a.status == AuditStatus.CLOSED.value},
        recognition_in_force=await ProgrammeRepository(session).recognition_in_force(
            programme.organisation_id, programme.scheme
        ),
    )
    due_by = data.due_by
    if due_by is None:
        expected = await programme_public(
            session, programme, settings=settings, today=clock.today()
        )
        due_by = next(
            (i.due_by for i in expected.schedule if i.type == audit_type.value and not i.audit_id),
            None,
        )
    return await audits.open_audit(
        session,
        programme,
        audit_type=audit_type,
        due_by=due_by,
        now=clock.now(),
        actor=principal.subject,
    )
