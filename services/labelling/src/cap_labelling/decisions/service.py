"""Decision files: the labelling committee's decision (CAP RSE) or the body's (CAP ISO 9001).

A file opens ``awaiting_report`` when an application is accepted and becomes ``pending`` when
the deciding audit's report arrives (``audit.report_submitted.v1``: the CAP RSE initial
evaluation or the ISO stage 2; a renewal audit opens a renewal file). Then:

* **CAP RSE** — the level is computed by the rule of the evaluation's referential version
  (:mod:`cap_labelling.level_rules.rules`, stored data: :mod:`cap_labelling.level_rules.service`) for every
  structure of the file, from the auditor's evaluation of that structure in the deciding audit
  only (kind ``audit_evaluation``, every applicable criterion rated; never the structure's own
  assessment); the committee confirms (possibly at a lower level, with a reason; never higher),
  refuses or defers — never while a major of the deciding audit is not verified closed, never
  by someone who audited the file or is within the cooling-off of an engagement with it
  (:mod:`cap_labelling.impartiality`).
* **CAP ISO 9001** — the certification body decides; the platform records its decision from
  ``certification.decided.v1`` (the certifier integration). A grant while a major of the stage
  2 is open is **held** (``decision.held.v1``): it takes effect when the last one is verified,
  and lapses when ``audit.stage2_required.v1`` says a new stage 2 is required.

Group rule (``LABELLING_GROUP_RULE``): ``all_members`` — one member failing means the group is
not recognised; ``exclude_failing`` — failing members are left out (never the central function).
Appeals: :mod:`cap_labelling.appeals`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling import rules, visibility
from cap_labelling.config import Settings
from cap_labelling.decisions import from_audits
from cap_labelling.decisions.answers import expect
from cap_labelling.decisions.evaluation import evaluate, rule_of
from cap_labelling.decisions.repository import DecisionFileRepository
from cap_labelling.decisions.rules import (
    AUDITED_RULE,
    MAJORS_RULE,
    BodyDecides,
    EvaluationIncomplete,
    EvaluationPending,
    LevelAboveRule,
    MajorsNotVerified,
    NotImpartial,
    RuleNotMet,
    need_reason,
    what,
    what_fr,
)
from cap_labelling.decisions.schemas import DecisionTake
from cap_labelling.decisions.trail import decision_state, record_decision
from cap_labelling.impartiality import service as impartiality
from cap_labelling.impartiality.service import ConflictOfInterest
from cap_labelling.models import (
    Application,
    DecisionFile,
    tables,
)
from cap_labelling.recognitions import service as recognitions
from cap_labelling.recognitions.repository import RecognitionRepository
from cap_labelling.repository import AuditReportRepository, NonconformityRepository
from cap_labelling.rules import DecisionOutcome, DecisionStatus, RecognitionStatus, Scheme
from cap_shared.clock import Clock
from cap_shared.conditional import Precondition
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import DecisionTakenV1
from cap_shared.outbox import add_event
from cap_shared.problems import Forbidden, InvalidInput, NotFound
from cap_shared.security import Principal, Role

SOURCE = "/cap/labelling"


# files ----------------------------------------------------------------------------------------
async def open_for_application(session: AsyncSession, application: Application) -> DecisionFile:
    """An accepted application's file, waiting for the audit report."""
    file = DecisionFile(
        id=str(uuid.uuid4()),
        application_id=application.id,
        organisation_id=application.organisation_id,
        group_member_ids=list(application.group_member_ids),
        scheme=application.scheme,
        certification_body_id=application.certification_body_id,
        kind="initial",
        status=DecisionStatus.AWAITING_REPORT.value,
    )
    repository = DecisionFileRepository(session)
    await repository.add(file)
    await repository.flush()
    return file


async def get(
    session: AsyncSession, principal: Principal, *, file_id: str, for_update: bool = False
) -> DecisionFile:
    """A file the caller may see (its structures' people, the committee, its body's system)."""
    file = await DecisionFileRepository(session).get(file_id, for_update=for_update)
    if file is None or not (
        visibility.body_sees(principal, file.certification_body_id)
        or visibility.visible(
            [file.organisation_id, *file.group_member_ids],
            await visibility.readable(session, principal),
        )
    ):
        raise NotFound("no such decision file", detail_fr="dossier de décision introuvable")
    return file


async def page_visible(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    scheme: str | None,
    organisation_id: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[DecisionFile], str | None]:
    """A page of the files the caller may see, newest first."""
    return await DecisionFileRepository(session).page(
        readable=await visibility.readable(session, principal),
        status=status,
        scheme=scheme,
        organisation_id=organisation_id,
        cursor=cursor,
        limit=limit,
    )


async def decide(
    session: AsyncSession,
    principal: Principal,
    *,
    file_id: str,
    data: DecisionTake,
    settings: Settings,
    clock: Clock,
    precondition: Precondition | None = None,
) -> DecisionFile:
    """The committee's decision on a CAP RSE file: confirm (at most the computed level), refuse
    or defer; never by someone who audited the file. ``precondition``: If-Match on the file as
    the caller reads it, checked once the decision is theirs to take (RFC 9110 §13.2.1)."""
    if not principal.has_role(Role.ADMIN, Role.COMMITTEE):
        raise Forbidden(
            "the labelling committee decides",
            detail_fr="c'est le comité de labellisation qui décide",
        )
    file = await get(session, principal, file_id=file_id, for_update=True)
    rules.may_decide(DecisionStatus(file.status))
    if file.scheme == Scheme.CAP_ISO9001:
        raise BodyDecides(
            "the certification body decides on CAP ISO 9001; its decision is recorded from the "
            "certifier integration",
            detail_fr=(
                "l'organisme certificateur décide pour CAP ISO 9001 ; sa décision "
                "est enregistrée par l'intégration avec l'organisme"
            ),
        )
    report = await AuditReportRepository(session).get(file.audit_id)
    # The audit service lists its auditors' platform accounts by user id (no ``user:`` prefix).
    if report is not None and {principal.subject, principal.user_id} & set(report.auditor_user_ids):
        raise NotImpartial(
            "you audited this file: someone else decides on it",
            detail_fr="vous avez audité ce dossier : une autre personne en décide",
            extensions={"rule": AUDITED_RULE, "person": principal.subject},
        )
    now = clock.now()
    await impartiality.check(
        session,
        principal,
        organisation_ids=[file.organisation_id, *file.group_member_ids],
        today=now.date(),
        cooling_off_months=settings.scheme_parameters(file.scheme).cooling_off_months,
    )
    overturned = {
        step["previous"].get("decided_by")
        for step in file.steps
        if step.get("step") == "appeal_overturned" and isinstance(step.get("previous"), dict)
    }
    if principal.subject in overturned:
        raise ConflictOfInterest(
            "your decision on this file was overturned on appeal: someone else decides again",
            detail_fr=(
                "votre décision sur ce dossier a été infirmée sur recours : une "
                "autre personne décide à nouveau"
            ),
            extensions={"rule": rules.APPEAL_RULE, "person": principal.subject},
        )
    outcome = DecisionOutcome(data.outcome)
    # The live evaluation, computed once: for the If-Match check (the file as read) and for
    # the decision (nothing is written in between).
    live = None
    if outcome is not DecisionOutcome.DEFER and file.computed is None:
        live = await evaluate(session, file, group_rule=settings.group_rule)
    await expect(
        session, file, settings=settings, principal=principal, precondition=precondition, live=live
    )
    before = decision_state(file)
    if outcome is DecisionOutcome.DEFER:
        reason = need_reason(
            data.reason,
            "deferring says why (what the committee waits for)",
            "un ajournement indique son motif (ce que le comité attend)",
        )
        file.status = DecisionStatus.DEFERRED.value
        file.steps = [
            *file.steps,
            {"at": now.isoformat(), "by": principal.subject, "step": "defer", "reason": reason},
        ]
        await DecisionFileRepository(session).flush()
        event_id = await _announce(
            session, file, "deferred", reason, now, settings, actor=principal.subject
        )
        await record_decision(session, file, "decision.deferred", before, event_id=event_id)
        return file
    evaluation = live or await evaluate(session, file, group_rule=settings.group_rule)
    assert evaluation is not None
    computed: str | None = evaluation["level"]
    file.computed, file.computed_level = evaluation, computed
    file.decided_on, file.decided_by = now.date(), principal.subject
    if outcome is DecisionOutcome.REFUSE:
        file.reason = need_reason(data.reason, "a refusal says why", "un refus indique son motif")
        file.status = DecisionStatus.REFUSED.value
        # Decided again after an appeal: the recognition the overturned decision granted ends.
        await recognitions.on_decision_overturned(
            session, file.recognition_id, actor=principal.subject, now=now, note=file.reason
        )
        await DecisionFileRepository(session).flush()
        event_id = await _announce(
            session, file, "refused", file.reason, now, settings, actor=principal.subject
        )
        await record_decision(session, file, "decision.refused", before, event_id=event_id)
        return file
    majors = (
        await NonconformityRepository(session).open_majors_of_audit(file.audit_id)
        if file.audit_id
        else []
    )
    if majors:
        raise MajorsNotVerified(
            f"{len(majors)} major nonconformity(ies) of the evaluation are not verified closed: "
            "the label cannot be granted before they are",
            detail_fr=(
                f"la levée de {len(majors)} non-conformité(s) majeure(s) de "
                "l'évaluation n'est pas vérifiée : le label ne peut pas être "
                "attribué avant"
            ),
            extensions={
                "rule": MAJORS_RULE,
                "audit_id": file.audit_id,
                "open_majors": [{"finding_id": m.finding_id, "status": m.status} for m in majors],
            },
        )
    if evaluation.get("evaluation_pending"):
        raise EvaluationPending(
            "the auditor's evaluation of this file's audit is being scored: try again shortly",
            detail_fr=(
                "l'évaluation de l'auditeur pour l'audit de ce dossier est en "
                "cours de notation : réessayez dans un instant"
            ),
            extensions={"audit_id": file.audit_id},
        )
    if evaluation.get("incomplete"):
        raise EvaluationIncomplete(
            "the level is decided on the auditor's evaluation of every structure of the file, "
            "every applicable criterion rated: "
            + "; ".join(
                f"{member}: {what(missing)}" for member, missing in evaluation["incomplete"].items()
            ),
            detail_fr="le niveau se décide sur l'évaluation par l'auditeur de chaque structure "
            "du dossier, chaque critère applicable noté : "
            + " ; ".join(
                f"{member} : {what_fr(missing)}"
                for member, missing in evaluation["incomplete"].items()
            ),
            extensions={"audit_id": file.audit_id, "missing": evaluation["incomplete"]},
        )
    if computed is None:
        raise RuleNotMet(
            "the level rule gives no level for this file: it can only be refused or deferred",
            detail_fr=(
                "la règle de niveau ne donne aucun niveau pour ce dossier : il ne "
                "peut qu'être refusé ou ajourné"
            ),
            extensions={"evaluation": evaluation},
        )
    rule = await rule_of(session, evaluation)
    assert rule is not None  # a computed level comes from a rule
    level = data.level or computed
    if level not in rule.labels:
        raise InvalidInput(
            f"unknown level {level!r}",
            detail_fr=f"niveau inconnu {level!r}",
            extensions={
                "errors": [
                    {
                        "field": "body.level",
                        "message": f"one of {rule.labels}",
                        "message_fr": f"une valeur parmi {rule.labels}",
                    }
                ]
            },
        )
    if rule.rank(level) > rule.rank(computed):
        raise LevelAboveRule(
            f"the rule gives {computed}: the committee may lower the level, never raise it",
            detail_fr=(
                f"la règle donne {computed} : le comité peut abaisser le niveau, jamais le relever"
            ),
            extensions={"computed_level": computed},
        )
    if level != computed:
        file.reason = need_reason(
            data.reason,
            "lowering the computed level says why",
            "abaisser le niveau calculé demande d'indiquer le motif",
        )
    else:
        file.reason = (data.reason or "").strip() or None
    members = [m for m in file.group_member_ids if m not in evaluation["excluded_member_ids"]]
    granted = (
        await RecognitionRepository(session).get(file.recognition_id)
        if file.recognition_id
        else None
    )
    if granted is not None and granted.status in (
        RecognitionStatus.ACTIVE,
        RecognitionStatus.SUSPENDED,
    ):
        # Decided again after an appeal: the recognition in force takes the new decision.
        recognition = await recognitions.redecided(
            session, granted, level=level, members=members, actor=principal.subject, now=now
        )
    else:
        recognition = await from_audits.grant_recognition(
            session,
            file,
            level=level,
            members=members,
            scope=data.scope,
            external_number=None,
            decided_on=now.date(),
            actor=principal.subject,
            now=now,
            settings=settings,
        )
    file.level, file.status, file.recognition_id = (
        level,
        DecisionStatus.GRANTED.value,
        recognition.id,
    )
    await DecisionFileRepository(session).flush()
    event_id = await _announce(
        session, file, "granted", file.reason, now, settings, actor=principal.subject
    )
    # A level below the rule's is a decision of its own kind (its reason is required).
    action = "decision.lowered" if level != computed else "decision.taken"
    await record_decision(session, file, action, before, event_id=event_id)
    return file


async def _announce(
    session: AsyncSession,
    file: DecisionFile,
    outcome: Literal["granted", "refused", "deferred"],
    reason: str | None,
    now: datetime,
    settings: Settings,
    *,
    actor: str,
) -> str:
    """``decision.taken.v1``: the committee's decision, with the last day to appeal it (the
    structure is told of a refusal or a deferral; a grant is told by its recognition); the
    envelope's id."""
    appeal_days = settings.scheme_parameters(file.scheme).appeal_days
    envelope = new_event(
        DecisionTakenV1(
            decision_id=file.id,
            organisation_id=file.organisation_id,
            group_member_ids=list(file.group_member_ids),
            scheme=Scheme(file.scheme).value,
            kind="renewal" if file.kind == "renewal" else "initial",
            outcome=outcome,
            level=file.level if outcome == "granted" else None,
            computed_level=file.computed_level,
            reason=reason,
            decided_on=now.date(),
            appeal_until=(
                None if outcome == "deferred" else rules.appeal_deadline(now.date(), appeal_days)
            ),
        ),
        source=SOURCE,
        subject=file.id,
        actor=actor,
    )
    await add_event(session, tables.outbox, envelope)
    return envelope.id
