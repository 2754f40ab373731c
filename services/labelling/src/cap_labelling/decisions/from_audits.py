"""What the audit service's events do to decision files, and the recognition a granted file gives.

A deciding audit's report makes its file pending (``audit.report_submitted.v1``). CAP ISO 9001
is decided by the certification body, recorded from ``certification.decided.v1`` (the
certifier integration): a grant while a major of the stage 2 is open is **held**
(``decision.held.v1``); it takes effect when the last one is verified, and lapses when
``audit.stage2_required.v1`` says a new stage 2 is required.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling import rules
from cap_labelling.config import Settings
from cap_labelling.decisions.evaluation import evaluate
from cap_labelling.decisions.repository import DecisionFileRepository
from cap_labelling.decisions.rules import MAJORS_RULE, STAGE2_RULE
from cap_labelling.decisions.trail import decision_state, record_decision
from cap_labelling.models import AuditReport, DecisionFile, Recognition, tables
from cap_labelling.recognitions import calendar
from cap_labelling.recognitions import service as recognitions
from cap_labelling.recognitions.repository import RecognitionRepository
from cap_labelling.repository import AuditReportRepository, NonconformityRepository
from cap_labelling.rules import DecisionStatus, RecognitionStatus, Scheme
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import CertificationDecidedV1, Stage2RequiredV1
from cap_shared.contracts.labelling import DecisionHeldV1, DecisionOpenedV1
from cap_shared.dates import add_months
from cap_shared.outbox import add_event

logger = logging.getLogger(__name__)
SOURCE = "/cap/labelling"
DEFAULT_SCOPE = "Ensemble des activités et établissements de la structure"


async def grant_recognition(
    session: AsyncSession,
    file: DecisionFile,
    *,
    level: str | None,
    members: list[str],
    scope: str | None,
    external_number: str | None,
    decided_on: date,
    actor: str,
    now: datetime,
    settings: Settings,
    effective_on: date | None = None,
) -> Recognition:
    """The recognition of a granted file: a first cycle, or the next one of a renewal (an
    expired recognition restored within the window); effective at the decision, or later
    (``effective_on``) when the decision was held."""
    previous: Recognition | None = None
    if file.kind == "renewal" and file.renews_id:
        previous = await RecognitionRepository(session).get(file.renews_id, for_update=True)
    if previous is not None:
        cycle = rules.renewal_cycle(
            RecognitionStatus(previous.status),
            previous.expiry_date,
            decided_on,
            settings.scheme_parameters(file.scheme),
        )
    else:
        cycle = rules.initial_cycle(decided_on, settings.scheme_parameters(file.scheme))
    if effective_on is not None and effective_on > cycle.effective_date:
        cycle = dataclasses.replace(cycle, effective_date=effective_on)
    return await recognitions.grant(
        session,
        organisation_id=file.organisation_id,
        group_member_ids=members,
        scheme=Scheme(file.scheme),
        level=level,
        scope=scope or (previous.scope if previous else DEFAULT_SCOPE),
        certification_body_id=file.certification_body_id,
        external_number=external_number,
        decision_id=file.id,
        cycle=cycle,
        actor=actor,
        now=now,
        previous=previous,
        reason_code="renewed" if previous is not None else "granted",
    )


async def on_report(
    session: AsyncSession, report: AuditReport, *, settings: Settings, now: datetime
) -> None:
    """A deciding audit's report makes its file pending (opening it if needed); a surveillance
    report counts for the recognition's cycle."""
    scheme = Scheme(report.scheme)
    kind = rules.DECIDING_AUDITS[scheme].get(report.audit_type)
    if kind is None:
        if report.audit_type in rules.SURVEILLANCE_AUDITS:
            await calendar.on_surveillance_report(
                session,
                report.organisation_id,
                scheme=scheme,
                on=report.submitted_at.date(),
                now=now,
                lifecycle=settings.lifecycle,
            )
        return
    repository = DecisionFileRepository(session)
    if await repository.decided_on_audit(report.audit_id) is not None:
        # The body's decision came first: a decision held on this audit may now take effect.
        await on_majors_changed(session, report.audit_id, settings=settings, now=now)
        return
    previous = await recognitions.current(session, report.organisation_id, scheme=scheme)
    if kind == "renewal" and previous is None:
        kind = "initial"
    file = await repository.open_file(report.organisation_id, scheme=scheme, kind=kind)
    if file is None:
        file = DecisionFile(
            id=str(uuid.uuid4()),
            organisation_id=report.organisation_id,
            group_member_ids=list(previous.group_member_ids) if previous else [],
            scheme=scheme.value,
            certification_body_id=report.certification_body_id,
            kind=kind,
            status=DecisionStatus.PENDING.value,
            renews_id=previous.id if kind == "renewal" and previous else None,
        )
        await repository.add(file)
    # A repeated stage 2 (or a new renewal audit) replaces the report the file rests on.
    file.audit_id, file.status = report.audit_id, DecisionStatus.PENDING.value
    await repository.flush()
    evaluation = await evaluate(session, file, group_rule=settings.group_rule)
    await add_event(
        session,
        tables.outbox,
        new_event(
            DecisionOpenedV1(
                decision_id=file.id,
                organisation_id=file.organisation_id,
                scheme=scheme.value,
                kind=kind,
                audit_id=report.audit_id,
                computed_level=(evaluation or {}).get("level"),
            ),
            source=SOURCE,
            subject=file.id,
            actor="system:audit",
        ),
    )


async def on_body_decision(
    session: AsyncSession, event: CertificationDecidedV1, *, settings: Settings, now: datetime
) -> None:
    """Record the body's CAP ISO 9001 decision on its file; a grant takes effect at once, or is
    held while majors of the audit are not verified closed."""
    repository = DecisionFileRepository(session)
    on_audit = await repository.of_audit(event.audit_id)
    file = on_audit[0] if on_audit else None
    kind = rules.DECIDING_AUDITS[Scheme.CAP_ISO9001].get(event.audit_type, "initial")
    if file is None:
        file = await repository.open_file(
            event.organisation_id, scheme=Scheme.CAP_ISO9001, kind=kind
        )
    if file is None:
        previous = await recognitions.current(
            session, event.organisation_id, scheme=Scheme.CAP_ISO9001
        )
        file = DecisionFile(
            id=str(uuid.uuid4()),
            organisation_id=event.organisation_id,
            group_member_ids=list(previous.group_member_ids) if previous else [],
            scheme=Scheme.CAP_ISO9001.value,
            certification_body_id=event.certification_body_id,
            kind="renewal" if previous is not None and kind == "renewal" else "initial",
            status=DecisionStatus.PENDING.value,
            renews_id=previous.id if previous is not None and kind == "renewal" else None,
        )
        await repository.add(file)
    if DecisionStatus(file.status) not in rules.OPEN_DECISIONS:
        logger.info(
            "decision %s already recorded; body decision on %s ignored", file.id, event.audit_id
        )
        return
    report = await AuditReportRepository(session).get(event.audit_id)
    if report is not None and report.stage2_required_on is not None:
        # The audit service refuses these; one in flight changes nothing.
        logger.warning("body decision on %s ignored: a new stage 2 is required", event.audit_id)
        return
    before = decision_state(file)
    file.audit_id = event.audit_id
    decided_by = f"{event.certification_body_id}:{event.decided_by}"
    file.decided_on, file.decided_by = event.decided_on, decided_by
    excluded = [m for m in event.excluded_member_ids if m in file.group_member_ids]
    if event.outcome == "refused":
        file.status, file.reason = DecisionStatus.REFUSED.value, event.reason
        await repository.flush()
        await record_decision(session, file, "decision.refused", before)
    elif excluded and settings.group_rule == "all_members":
        file.status = DecisionStatus.REFUSED.value
        file.reason = (
            f"group rule: {len(excluded)} member(s) not certified by the body, so the group is not"
        )
        await repository.flush()
        await record_decision(session, file, "decision.refused", before)
    else:
        await record_grant(
            session,
            file,
            grant={
                "decided_on": event.decided_on.isoformat(),
                "decided_by": decided_by,
                "certificate_number": event.certificate_number,
                "scope": event.scope,
                "excluded_member_ids": excluded,
                "reason": event.reason,
            },
            settings=settings,
            now=now,
            reported_majors=event.open_major_nc,
            before=before,
        )
    await repository.flush()


async def record_grant(
    session: AsyncSession,
    file: DecisionFile,
    *,
    grant: dict[str, Any],
    settings: Settings,
    now: datetime,
    reported_majors: int = 0,
    before: dict[str, Any] | None = None,
) -> None:
    """A CAP ISO 9001 grant (the body's, or an appeal's): it takes effect when no major of the
    deciding audit is open; otherwise it is **held** (``decision.held.v1``) until the last one
    is verified closed, or lapses when a new stage 2 is required. ``before``: the file as it
    was before this decision (the audit trail's; by default, as it is now)."""
    assert file.audit_id is not None
    if before is None:
        before = decision_state(file)
    majors = await NonconformityRepository(session).open_majors_of_audit(file.audit_id)
    report = await AuditReportRepository(session).get(file.audit_id)
    # The body's count stands until the report (and its findings) reached this service.
    unknown = reported_majors if report is None else 0
    if not majors and not unknown:
        await _take_effect(session, file, grant, settings=settings, now=now, before=before)
        return
    parameters = settings.scheme_parameters(file.scheme)
    last_day = (report.last_day or report.submitted_at.date()) if report is not None else None
    held_until = add_months(last_day, parameters.major_verification_months) if last_day else None
    file.status = DecisionStatus.HELD.value
    file.reason = grant.get("reason")
    file.held = {
        **grant,
        "held_on": now.date().isoformat(),
        "held_until": held_until and held_until.isoformat(),
    }
    file.steps = [
        *file.steps,
        {
            "at": now.isoformat(),
            "by": "system:labelling",
            "step": "held",
            "reason": f"{len(majors) or unknown} major nonconformity(ies) of the audit not "
            f"verified closed ({MAJORS_RULE})",
        },
    ]
    await DecisionFileRepository(session).flush()
    envelope = new_event(
        DecisionHeldV1(
            decision_id=file.id,
            organisation_id=file.organisation_id,
            scheme=file.scheme,
            audit_id=file.audit_id,
            certification_body_id=file.certification_body_id,
            open_major_nc=max(len(majors), unknown),
            held_until=held_until,
        ),
        source=SOURCE,
        subject=file.id,
        actor="system:labelling",
    )
    await add_event(session, tables.outbox, envelope)
    await record_decision(session, file, "decision.held", before, event_id=envelope.id)


async def _take_effect(
    session: AsyncSession,
    file: DecisionFile,
    grant: dict[str, Any],
    *,
    settings: Settings,
    now: datetime,
    before: dict[str, Any],
) -> None:
    """Grant the certificate of a recorded decision (the body's number and scope): taken at
    once, or released (a held decision whose majors are all verified)."""
    released = before["status"] == DecisionStatus.HELD.value
    decided_on = date.fromisoformat(grant["decided_on"])
    excluded = grant.get("excluded_member_ids") or []
    try:
        recognition = await grant_recognition(
            session,
            file,
            level=None,
            members=[m for m in file.group_member_ids if m not in excluded],
            scope=grant.get("scope"),
            external_number=grant.get("certificate_number"),
            decided_on=decided_on,
            actor=str(grant["decided_by"]),
            now=now,
            settings=settings,
            effective_on=now.date(),
        )
    except (rules.RestorationWindowPassed, rules.InvalidTransition) as exc:
        file.status, file.reason = DecisionStatus.REFUSED.value, exc.detail
        action = "decision.refused"
    else:
        file.status, file.recognition_id = DecisionStatus.GRANTED.value, recognition.id
        file.reason = grant.get("reason")
        action = "decision.released" if released else "decision.taken"
    await DecisionFileRepository(session).flush()
    await record_decision(
        session, file, action, before, extra={"certificate_number": grant.get("certificate_number")}
    )


async def on_majors_changed(
    session: AsyncSession, audit_id: str, *, settings: Settings, now: datetime
) -> None:
    """A major of ``audit_id`` verified, withdrawn or downgraded (or its report arrived): a
    decision held on it takes effect once none is open."""
    held = await DecisionFileRepository(session).of_audit(audit_id, status=DecisionStatus.HELD)
    for file in held:
        if await NonconformityRepository(session).open_majors_of_audit(audit_id):
            continue
        if await AuditReportRepository(session).get(audit_id) is None:
            continue  # its findings have not arrived yet
        assert file.held is not None
        before = decision_state(file)
        file.steps = [
            *file.steps,
            {
                "at": now.isoformat(),
                "by": "system:audit",
                "step": "majors_verified",
                "reason": "every major nonconformity of the audit verified closed",
            },
        ]
        await _take_effect(session, file, file.held, settings=settings, now=now, before=before)


async def on_stage2_required(
    session: AsyncSession, event: Stage2RequiredV1, *, now: datetime
) -> None:
    """Majors of the audit not verified in time: no decision rests on it any more. A decision
    held on it lapses (refused, with the reason); an open file waits for the new audit."""
    report = await AuditReportRepository(session).get(event.audit_id, for_update=True)
    if report is not None:
        if report.stage2_required_on is not None:
            return  # already known
        report.stage2_required_on = now.date()
    reason = (
        f"{event.open_major_nc} major nonconformity(ies) of the audit not verified by "
        f"{event.deadline.isoformat()}: a new stage 2 (evaluation) is required ({STAGE2_RULE})"
    )
    repository = DecisionFileRepository(session)
    lapsed = []
    for file in await repository.of_audit(event.audit_id):
        status = DecisionStatus(file.status)
        if status is DecisionStatus.HELD:
            lapsed.append((file, decision_state(file)))
            file.status, file.reason = DecisionStatus.REFUSED.value, reason
            step = "lapsed"
        elif status in rules.OPEN_DECISIONS:
            file.status = DecisionStatus.AWAITING_REPORT.value
            step = "new_audit_required"
        else:
            continue
        file.steps = [
            *file.steps,
            {"at": now.isoformat(), "by": "system:audit", "step": step, "reason": reason},
        ]
    await repository.flush()
    for file, before in lapsed:
        await record_decision(session, file, "decision.lapsed", before)
