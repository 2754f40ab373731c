"""Appeals against decisions (ISO/IEC 17021-1 §9.7).

The structure (its central function's member_admin, or an admin) appeals a refusal, or a granted
CAP RSE level, within the scheme's ``appeal_days`` of the decision; once per decision taken
(a second appeal of the same decision is 409). The appeal is decided by people who took no part
in the decision appealed nor in the audit:

* **CAP RSE** — committee members or admins who did not take the decision, did not audit the
  file and pass the committee impartiality check (:mod:`cap_labelling.impartiality`).
  Overturned, the file is pending again for a new decision by someone else (a recognition
  granted by the appealed decision stays in force until then).
* **CAP ISO 9001** — the certification body's system (its API client, ``certifications:write``)
  or an admin, not on the audit team nor the original decider. An overturned refusal carries the
  certificate number: the certificate is granted, majors permitting (otherwise held).

Each step publishes ``decision.appeal_lodged.v1`` / ``decision.appeal_decided.v1``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling import rules
from cap_labelling.appeals.repository import AppealRepository
from cap_labelling.appeals.schemas import AppealCreate, AppealDecision
from cap_labelling.config import Settings
from cap_labelling.decisions import answers, from_audits
from cap_labelling.decisions import service as decisions
from cap_labelling.decisions.rules import STAGE2_RULE
from cap_labelling.decisions.trail import decision_state, record_decision
from cap_labelling.impartiality import service as impartiality
from cap_labelling.impartiality.service import ConflictOfInterest
from cap_labelling.models import DecisionAppeal, DecisionFile, tables
from cap_labelling.repository import AuditReportRepository
from cap_labelling.rules import DecisionStatus, Scheme
from cap_shared.clock import Clock
from cap_shared.conditional import Precondition
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import DecisionAppealDecidedV1, DecisionAppealLodgedV1
from cap_shared.outbox import add_event
from cap_shared.problems import Conflict, Forbidden, InvalidInput
from cap_shared.security import Principal, Role

SOURCE = "/cap/labelling"


class AlreadyAppealed(Conflict):
    """This decision was already appealed."""

    code, title = "already-appealed", "This decision was already appealed"
    title_fr = "Cette décision a déjà fait l'objet d'un recours"


class NoAppeal(Conflict):
    """No appeal is waiting for a decision."""

    code, title = "no-appeal-lodged", "No appeal is waiting for a decision"
    title_fr = "Aucun recours en attente de décision"


async def _current(session: AsyncSession, file: DecisionFile) -> DecisionAppeal | None:
    """The appeal of the file's current round, locked, if any."""
    return await AppealRepository(session).of_round(file.id, round_=file.round)


async def lodge(
    session: AsyncSession,
    principal: Principal,
    *,
    file_id: str,
    data: AppealCreate,
    settings: Settings,
    clock: Clock,
) -> DecisionAppeal:
    """The structure appeals the file's decision, within the appeal period, once."""
    file = await decisions.get(session, principal, file_id=file_id, for_update=True)
    if not principal.has_role(Role.ADMIN) and file.organisation_id not in (
        principal.organisation_ids(Role.MEMBER_ADMIN)
    ):
        raise Forbidden(
            "the applicant structure (its member_admin) appeals its decision",
            detail_fr=(
                "c'est la structure candidate (son member_admin) qui forme un "
                "recours contre sa décision"
            ),
        )
    now = clock.now()
    rules.may_appeal(
        Scheme(file.scheme),
        DecisionStatus(file.status),
        file.decided_on,
        now.date(),
        settings.scheme_parameters(file.scheme).appeal_days,
    )
    if await _current(session, file) is not None:
        raise AlreadyAppealed(
            "this decision was already appealed: an appeal is decided once",
            detail_fr=(
                "cette décision a déjà fait l'objet d'un recours : un recours "
                "n'est tranché qu'une fois"
            ),
            extensions={"round": file.round},
        )
    appeal = DecisionAppeal(
        id=str(uuid.uuid4()),
        decision_id=file.id,
        round=file.round,
        organisation_id=file.organisation_id,
        scheme=file.scheme,
        decision_status=file.status,
        decision_level=file.level,
        decision_decided_by=file.decided_by,
        decision_decided_on=file.decided_on,
        reason=data.reason.strip(),
        lodged_by=principal.subject,
        lodged_at=now,
        status="lodged",
    )
    await AppealRepository(session).add(appeal)
    envelope = new_event(
        DecisionAppealLodgedV1(
            appeal_id=appeal.id,
            decision_id=file.id,
            organisation_id=file.organisation_id,
            scheme=file.scheme,
            certification_body_id=file.certification_body_id,
            decision_status=file.status,
            lodged_by=principal.subject,
            lodged_at=now,
        ),
        source=SOURCE,
        subject=file.id,
        actor=principal.subject,
    )
    await add_event(session, tables.outbox, envelope)
    state = decision_state(file)
    await record_decision(
        session,
        file,
        "decision.appealed",
        state,
        event_id=envelope.id,
        extra={"appeal": {"id": appeal.id, "reason": appeal.reason, "status": appeal.status}},
    )
    return appeal


def _took_part(principal: Principal, decided_by: str | None) -> bool:
    """Whether the caller took the decision (the committee member, or the body's decider)."""
    if not decided_by:
        return False
    names = {decided_by, decided_by.split(":", 1)[-1]}
    return bool({principal.subject, principal.user_id} & names)


async def _check_decider(
    session: AsyncSession,
    principal: Principal,
    file: DecisionFile,
    appeal: DecisionAppeal,
    settings: Settings,
    today: date,
) -> None:
    """The appeal's decider took no part: not the original decider, not an auditor of the
    file, and (CAP RSE) impartial towards the structure."""
    if file.scheme == Scheme.CAP_RSE:
        if not principal.has_role(Role.ADMIN, Role.COMMITTEE):
            raise Forbidden(
                "the labelling committee decides appeals on CAP RSE decisions",
                detail_fr=(
                    "le comité de labellisation tranche les recours contre les décisions CAP RSE"
                ),
            )
    elif not (
        principal.has_role(Role.ADMIN)
        or (
            principal.has_role(Role.CERTIFICATION_BODY)
            and file.certification_body_id in principal.certification_body_ids()
        )
    ):
        raise Forbidden(
            "the certification body decides appeals on its decisions",
            detail_fr="l'organisme certificateur tranche les recours contre ses décisions",
        )
    if _took_part(principal, appeal.decision_decided_by):
        raise ConflictOfInterest(
            "you took the decision appealed: someone else decides on the appeal",
            detail_fr=(
                "vous avez pris la décision contestée : une autre personne tranche le recours"
            ),
            extensions={"rule": rules.APPEAL_RULE, "person": principal.subject},
        )
    report = await AuditReportRepository(session).get(file.audit_id)
    if report is not None and {principal.subject, principal.user_id} & set(report.auditor_user_ids):
        raise ConflictOfInterest(
            "you audited this file: someone else decides on the appeal",
            detail_fr="vous avez audité ce dossier : une autre personne tranche le recours",
            extensions={"rule": rules.APPEAL_RULE, "person": principal.subject},
        )
    if file.scheme == Scheme.CAP_RSE:
        await impartiality.check(
            session,
            principal,
            organisation_ids=[file.organisation_id, *file.group_member_ids],
            today=today,
            cooling_off_months=settings.scheme_parameters(file.scheme).cooling_off_months,
            what="decide on this appeal",
        )


async def decide(
    session: AsyncSession,
    principal: Principal,
    *,
    file_id: str,
    data: AppealDecision,
    settings: Settings,
    clock: Clock,
    precondition: Precondition | None = None,
) -> DecisionFile:
    """Uphold the decision, or overturn it: CAP RSE, the file is decided again by someone
    else; CAP ISO 9001, the refusal becomes a grant with the body's certificate number.
    ``precondition``: If-Match on the file, checked once the decision is the caller's."""
    file = await decisions.get(session, principal, file_id=file_id, for_update=True)
    appeal = await _current(session, file)
    if appeal is None or appeal.status != "lodged":
        raise NoAppeal(
            "no appeal against this decision is waiting for a decision",
            detail_fr="aucun recours contre cette décision n'attend d'être tranché",
        )
    now = clock.now()
    await _check_decider(session, principal, file, appeal, settings, now.date())
    await answers.expect(
        session, file, settings=settings, principal=principal, precondition=precondition
    )
    reason = data.reason.strip()
    before = decision_state(file)
    if data.outcome == "overturned":
        if file.scheme == Scheme.CAP_RSE:
            _reopen(file, appeal, principal, now, reason)
        else:
            await _grant_on_appeal(session, file, data, principal, settings, now, reason)
    appeal.status, appeal.outcome_reason = data.outcome, reason
    appeal.decided_by, appeal.decided_at = principal.subject, now
    await AppealRepository(session).flush()
    envelope = new_event(
        DecisionAppealDecidedV1(
            appeal_id=appeal.id,
            decision_id=file.id,
            organisation_id=file.organisation_id,
            scheme=file.scheme,
            outcome=data.outcome,
            decided_by=principal.subject,
            decided_at=now,
            reason=reason,
        ),
        source=SOURCE,
        subject=file.id,
        actor=principal.subject,
    )
    await add_event(session, tables.outbox, envelope)
    await record_decision(
        session,
        file,
        f"decision.{data.outcome}",  # decision.upheld, decision.overturned
        before,
        event_id=envelope.id,
        extra={"appeal": {"id": appeal.id, "outcome": data.outcome, "reason": reason}},
    )
    return file


def _reopen(
    file: DecisionFile,
    appeal: DecisionAppeal,
    principal: Principal,
    now: datetime,
    reason: str,
) -> None:
    """The CAP RSE file is pending again, for a new decision by someone else."""
    file.steps = [
        *file.steps,
        {
            "at": now.isoformat(),
            "by": principal.subject,
            "step": "appeal_overturned",
            "reason": reason,
            "appeal_id": appeal.id,
            "previous": {
                "status": file.status,
                "level": file.level,
                "decided_by": file.decided_by,
                "decided_on": file.decided_on and file.decided_on.isoformat(),
                "reason": file.reason,
            },
        },
    ]
    file.round += 1
    file.status = DecisionStatus.PENDING.value
    file.computed = file.computed_level = file.level = None
    file.decided_on = file.decided_by = file.reason = None


async def _grant_on_appeal(
    session: AsyncSession,
    file: DecisionFile,
    data: AppealDecision,
    principal: Principal,
    settings: Settings,
    now: datetime,
    reason: str,
) -> None:
    """A CAP ISO 9001 refusal overturned: the certificate is granted (held while majors of the
    audit are open)."""
    if not data.certificate_number:
        raise InvalidInput(
            "overturning a refusal grants the certificate: its number is needed",
            detail_fr="infirmer un refus accorde le certificat : son numéro est nécessaire",
            extensions={
                "errors": [
                    {
                        "field": "body.certificate_number",
                        "message": "required",
                        "message_fr": "obligatoire",
                    }
                ]
            },
        )
    report = await AuditReportRepository(session).get(file.audit_id)
    if report is None or report.stage2_required_on is not None:
        raise Conflict(
            "no certificate can rest on this audit (a new stage 2 is required): uphold the "
            "refusal, a new audit decides",
            detail_fr=(
                "aucun certificat ne peut reposer sur cet audit (un nouvel audit "
                "d'étape 2 est nécessaire) : confirmez le refus, un nouvel audit "
                "décidera"
            ),
            extensions={"rule": STAGE2_RULE},
        )
    file.steps = [
        *file.steps,
        {
            "at": now.isoformat(),
            "by": principal.subject,
            "step": "appeal_overturned",
            "reason": reason,
            "previous": {"status": file.status, "reason": file.reason},
        },
    ]
    file.round += 1
    file.decided_on, file.decided_by = now.date(), principal.subject
    await from_audits.record_grant(
        session,
        file,
        grant={
            "decided_on": now.date().isoformat(),
            "decided_by": principal.subject,
            "certificate_number": data.certificate_number,
            "scope": data.scope,
            "excluded_member_ids": [],
            "reason": f"appeal: {reason}",
        },
        settings=settings,
        now=now,
    )
