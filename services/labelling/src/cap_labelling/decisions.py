"""Decision files: the labelling committee's decision (CAP RSE) or the body's (CAP ISO 9001).

A file opens ``awaiting_report`` when an application is accepted and becomes ``pending`` when
the deciding audit's report arrives (``audit.report_submitted.v1``: the CAP RSE initial
evaluation or the ISO stage 2; a renewal audit opens a renewal file). Then:

* **CAP RSE** — the level is computed by the rule of the evaluation's referential version
  (:mod:`cap_labelling.level_rule`, stored data: :mod:`cap_labelling.rulebook`) for every
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

import dataclasses
import logging
import uuid
from datetime import date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling import impartiality, level_rule, recognitions, rulebook, rules, visibility
from cap_labelling.config import Settings
from cap_labelling.impartiality import ConflictOfInterest
from cap_labelling.inputs import FreeText
from cap_labelling.level_rule import LevelRule
from cap_labelling.models import (
    Application,
    AuditReport,
    DecisionAppeal,
    DecisionFile,
    Nonconformity,
    Recognition,
    tables,
)
from cap_labelling.repository import DiagnosticRepository, open_majors, open_majors_of_audit
from cap_labelling.rules import DecisionOutcome, DecisionStatus, RecognitionStatus, Scheme
from cap_shared.clock import Clock
from cap_shared.conditional import Precondition, etag_of
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import CertificationDecidedV1, Stage2RequiredV1
from cap_shared.contracts.labelling import DecisionHeldV1, DecisionOpenedV1, DecisionTakenV1
from cap_shared.dates import add_months
from cap_shared.db.rowsecurity import across_organisations
from cap_shared.outbox import add_event
from cap_shared.pagination import newest_first
from cap_shared.problems import Conflict, Forbidden, InvalidInput, NotFound, ProblemError
from cap_shared.security import Principal, Role

logger = logging.getLogger(__name__)
SOURCE = "/cap/labelling"
DEFAULT_SCOPE = "Ensemble des activités et établissements de la structure"


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["confirm", "refuse", "defer"]
    level: str | None = Field(
        default=None, max_length=30, description="Lower than the computed level, with a reason"
    )
    reason: FreeText | None = Field(default=None, max_length=2000)
    scope: FreeText | None = Field(default=None, max_length=2000)


class DecisionOut(BaseModel):
    id: str
    application_id: str | None
    organisation_id: str
    group_member_ids: list[str]
    scheme: str
    certification_body_id: str | None
    kind: str
    status: str
    audit_id: str | None
    renews_id: str | None
    #: The level rule's result: at the decision for a decided file, live for an open one.
    evaluation: dict[str, Any] | None
    computed_level: str | None
    level: str | None
    decided_on: date | None
    decided_by: str | None
    reason: str | None
    steps: list[dict[str, Any]]
    recognition_id: str | None
    #: A held grant (CAP ISO 9001): the body's decision, until when, and the open majors.
    hold: dict[str, Any] | None = None
    #: 1, then one more each time an appeal overturned the decision.
    round: int = 1
    appeals: list[AppealOut] = Field(default_factory=list)


class AppealOut(BaseModel):
    id: str
    round: int
    decision_status: str
    decision_level: str | None
    decision_decided_by: str | None
    decision_decided_on: date | None
    reason: str
    lodged_by: str
    lodged_at: datetime
    status: str
    outcome_reason: str | None
    decided_by: str | None
    decided_at: datetime | None


class NotImpartial(Forbidden):
    code, title = "not-impartial", "Not impartial"
    title_fr = "Non impartial"


class LevelAboveRule(ProblemError):
    status, code, title = 422, "level-above-rule", "Level above the rule"
    title_fr = "Niveau supérieur à la règle"


class RuleNotMet(ProblemError):
    status, code, title = 422, "rule-not-met", "The level rule is not met"
    title_fr = "La règle de niveau n'est pas satisfaite"


class EvaluationPending(Conflict):
    code, title = "evaluation-pending", "The auditor's evaluation has not arrived yet"
    title_fr = "L'évaluation de l'auditeur n'est pas encore arrivée"


class EvaluationIncomplete(Conflict):
    code, title = "evaluation-incomplete", "The auditor's evaluation is incomplete"
    title_fr = "L'évaluation de l'auditeur est incomplète"


def _what(missing: dict[str, Any]) -> str:
    if "unrated_criteria" in missing:
        return "criteria not rated by the auditor: " + ", ".join(missing["unrated_criteria"][:20])
    return "no evaluation by the auditor in the deciding audit"


def _what_fr(missing: dict[str, Any]) -> str:
    if "unrated_criteria" in missing:
        return "critères non notés par l'auditeur : " + ", ".join(missing["unrated_criteria"][:20])
    return "aucune évaluation de l'auditeur dans l'audit qui décide"


class MajorsNotVerified(Conflict):
    code, title = "majors-not-verified", "Major nonconformities of the audit not verified closed"
    title_fr = "Non-conformités majeures de l'audit dont la levée n'est pas vérifiée"


#: Whoever audited a file does not decide on it.
AUDITED_RULE = "ISO/IEC 17021-1 §9.5.1: the decision is taken by persons who did not audit"
#: No recognition while a major of the deciding audit is not verified closed.
MAJORS_RULE = (
    "ISO/IEC 17021-1 §9.5.2 c): majors of the audit corrected and verified before any "
    "certification decision takes effect"
)
#: A held decision lapses when majors are not verified in time.
STAGE2_RULE = (
    "ISO/IEC 17021-1 §9.5.3.2: majors not verified within the scheme's "
    "major_verification_months of the last day of the audit: a new stage 2 is required"
)


class BodyDecides(Conflict):
    code, title = "body-decides", "The certification body decides"
    title_fr = "L'organisme certificateur décide"


# evaluation ---------------------------------------------------------------------------------
def _on_its_way(report: AuditReport | None, member: str) -> bool:
    """Whether the deciding report carried evaluated maturity of ``member`` (its scores are
    then on their way from the diagnostic service)."""
    if report is None or report.evaluated_criteria == 0:
        return False
    # Reports recorded before sites were kept: the maturity was the audited structure's.
    sites = report.evaluated_site_ids or [report.organisation_id]
    return member in sites


async def _member_result(
    session: AsyncSession, file: DecisionFile, member: str, report: AuditReport | None
) -> dict[str, Any]:
    """The level rule applied to one structure of the file, from the **auditor's evaluation**
    of that structure in the deciding audit only (the third party's, ``docs/domain/domain.md`` §7.6 C:
    never the structure's own assessment), with what is missing for a decision."""
    majors = await open_majors(session, member, Scheme.CAP_RSE.value)
    evaluation = (
        await DiagnosticRepository(session).audit_evaluation(
            audit_id=file.audit_id, organisation_id=member
        )
        if file.audit_id
        else None
    )
    if evaluation is None:
        pending = _on_its_way(report, member)
        return {
            "level": None,
            "open_major_nc": majors,
            "source": None,
            "audit_id": file.audit_id,
            "pending": pending,
            "missing": {"audit_evaluation": file.audit_id},
            "reasons": [
                "the auditor's evaluation of this structure is being scored"
                if pending
                else "the auditor did not evaluate this structure in the deciding audit"
            ],
        }
    source = {
        "source": evaluation.kind,
        "diagnostic_id": evaluation.diagnostic_id,
        "audit_id": evaluation.audit_id,
        "completed_at": evaluation.completed_at.isoformat(),
        "referential_version": evaluation.referential_version,
    }
    unrated = [
        str(c.get("code") or c.get("urn"))
        for c in evaluation.criteria
        if c.get("level") is None and not c.get("not_applicable")
    ]
    if unrated:
        return {
            "level": None,
            "open_major_nc": majors,
            **source,
            "missing": {"unrated_criteria": unrated},
            "reasons": [
                f"{len(unrated)} applicable criteria not rated by the auditor: "
                + ", ".join(unrated[:20])
                + (", ..." if len(unrated) > 20 else "")
            ],
        }
    # The rule of the evaluation's referential version (data, imported like referentials).
    stored = await rulebook.current(
        session, evaluation.referential_code, evaluation.referential_version
    )
    if stored is None:
        return {
            "level": None,
            "open_major_nc": majors,
            **source,
            "rule": None,
            "reasons": [
                f"no level rule for {evaluation.referential_code} v{evaluation.referential_version}"
            ],
        }
    rule = stored.rule
    subjects = {
        group["code"]: group.get("score")
        for group in evaluation.scores.get("frameworks", {}).get(rule.framework, [])
    }
    overall = evaluation.scores.get("overall", {}).get("score")
    core = {
        str(c.get("code")): c.get("level")
        for c in evaluation.criteria
        if c.get("core") and not c.get("not_applicable")
    }
    result = level_rule.compute(rule, overall, subjects, majors, core)
    return {**result.as_dict(), **source, "rule": stored.reference()}


async def rule_of(session: AsyncSession, evaluation: dict[str, Any]) -> LevelRule | None:
    """The level rule a file's evaluation was computed with (its central function's)."""
    central = (evaluation.get("members") or {}).get(evaluation.get("central_function"), {})
    reference = central.get("rule") if isinstance(central, dict) else None
    if not reference:
        return None
    stored = await rulebook.current(
        session, reference["referential_code"], reference["referential_version"]
    )
    return stored.rule if stored is not None else None


async def evaluate(
    session: AsyncSession, file: DecisionFile, group_rule: str
) -> dict[str, Any] | None:
    """The CAP RSE level rule applied to every structure of the file, then the group rule.

    Each structure (the applicant and every group member) needs the auditor's evaluation of it
    in the deciding audit, every applicable criterion rated: ``evaluation_pending`` while its
    scores are on their way, ``incomplete`` (per structure: what is missing) otherwise.
    """
    if file.scheme != Scheme.CAP_RSE:
        return None
    members = [file.organisation_id, *file.group_member_ids]
    # Every structure of the group, past the database's row scope: what each reader sees of the
    # others is cut by for_reader (their result, not their scores).
    async with across_organisations(session):
        report = await session.get(AuditReport, file.audit_id) if file.audit_id else None
        results = {m: await _member_result(session, file, m, report) for m in members}
    evaluation: dict[str, Any] = {
        "level": None,
        "central_function": file.organisation_id,
        "group_rule": group_rule if file.group_member_ids else None,
        "excluded_member_ids": [],
        "members": results,
    }
    if any(r.get("pending") for r in results.values()):
        evaluation["evaluation_pending"] = file.audit_id
    incomplete = {
        m: r["missing"] for m, r in results.items() if r.get("missing") and not r.get("pending")
    }
    if incomplete:
        evaluation["incomplete"] = incomplete
    if "evaluation_pending" in evaluation or incomplete:
        return evaluation
    # A group is labelled under its central function's rule, at its weakest member's level.
    rule = await rule_of(session, evaluation)
    failing = [
        m
        for m in members
        if results[m]["level"] is None or rule is None or results[m]["level"] not in rule.labels
    ]
    if rule is None or file.organisation_id in failing:
        return evaluation
    if failing and group_rule == "all_members":
        return evaluation
    passing = [results[m]["level"] for m in members if m not in failing]
    evaluation["level"] = level_rule.lowest(rule, passing)
    evaluation["excluded_member_ids"] = failing
    return evaluation


# files ----------------------------------------------------------------------------------------
def to_out(
    file: DecisionFile,
    evaluation: dict[str, Any] | None,
    open_majors: list[Nonconformity] | None = None,
    appeals: list[DecisionAppeal] | None = None,
) -> DecisionOut:
    """A file as the API shows it."""
    hold = None
    if file.held is not None:
        hold = {
            **file.held,
            "open_majors": [
                {
                    "finding_id": m.finding_id,
                    "status": m.status,
                    "response_due": m.response_due,
                    "overdue": m.overdue,
                }
                for m in open_majors or []
            ],
        }
    return DecisionOut(
        hold=hold,
        round=file.round,
        appeals=[AppealOut.model_validate(a, from_attributes=True) for a in appeals or []],
        id=file.id,
        application_id=file.application_id,
        organisation_id=file.organisation_id,
        group_member_ids=file.group_member_ids,
        scheme=file.scheme,
        certification_body_id=file.certification_body_id,
        kind=file.kind,
        status=file.status,
        audit_id=file.audit_id,
        renews_id=file.renews_id,
        evaluation=evaluation,
        computed_level=file.computed_level
        if file.computed is not None
        else (evaluation or {}).get("level"),
        level=file.level,
        decided_on=file.decided_on,
        decided_by=file.decided_by,
        reason=file.reason,
        steps=file.steps,
        recognition_id=file.recognition_id,
    )


#: What a group file shows of one structure to the people of another structure of the group
#: (the central function of a member, a member of the central function or of another member):
#: what the group's decision rests on — its level (a group is labelled at its weakest member's),
#: its open majors (they block the group), what the evaluation still lacks — never its scores,
#: the diagnostic read, nor the rule's reasons about it.
GROUP_SHARED = frozenset({"level", "open_major_nc", "pending", "missing", "audit_id", "rule"})


def for_reader(
    evaluation: dict[str, Any] | None, readable: set[str] | None
) -> dict[str, Any] | None:
    """``evaluation`` as a caller reading the structures ``readable`` (None: all) sees it."""
    if evaluation is None or readable is None:
        return evaluation
    members = evaluation.get("members") or {}
    return {
        **evaluation,
        "members": {
            member: result
            if member in readable
            else {k: v for k, v in result.items() if k in GROUP_SHARED}
            for member, result in members.items()
        },
    }


async def out(
    session: AsyncSession, file: DecisionFile, settings: Settings, *, principal: Principal
) -> DecisionOut:
    """A file with its stored evaluation (decided) or the live one (open), as the caller may
    see it (a group's structures see each other's result, not each other's scores)."""
    evaluation = file.computed
    if evaluation is None and DecisionStatus(file.status) in rules.OPEN_DECISIONS:
        evaluation = await evaluate(session, file, settings.group_rule)
    if not visibility.body_sees(principal, file.certification_body_id):
        evaluation = for_reader(evaluation, await visibility.readable(session, principal))
    majors = None
    if file.status == DecisionStatus.HELD and file.audit_id:
        majors = await open_majors_of_audit(session, file.audit_id)
    appeals = (
        (
            await session.execute(
                sa.select(DecisionAppeal)
                .where(col(DecisionAppeal.decision_id) == file.id)
                .order_by(col(DecisionAppeal.round))
            )
        )
        .scalars()
        .all()
    )
    return to_out(file, evaluation, majors, list(appeals))


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
    session.add(file)
    await session.flush()
    return file


async def _open_file(
    session: AsyncSession, organisation_id: str, scheme: Scheme, kind: str
) -> DecisionFile | None:
    query = (
        sa.select(DecisionFile)
        .where(
            col(DecisionFile.organisation_id) == organisation_id,
            col(DecisionFile.scheme) == scheme.value,
            col(DecisionFile.kind) == kind,
            col(DecisionFile.status).in_([s.value for s in rules.OPEN_DECISIONS]),
        )
        .order_by(col(DecisionFile.created_at).desc())
        .limit(1)
        .with_for_update()
    )
    return (await session.execute(query)).scalars().first()


async def on_report(
    session: AsyncSession, report: AuditReport, settings: Settings, now: datetime
) -> None:
    """A deciding audit's report makes its file pending (opening it if needed); a surveillance
    report counts for the recognition's cycle."""
    scheme = Scheme(report.scheme)
    kind = rules.DECIDING_AUDITS[scheme].get(report.audit_type)
    if kind is None:
        if report.audit_type in rules.SURVEILLANCE_AUDITS:
            await recognitions.on_surveillance_report(
                session,
                report.organisation_id,
                scheme,
                report.submitted_at.date(),
                now,
                settings.lifecycle,
            )
        return
    decided = (
        (
            await session.execute(
                sa.select(DecisionFile).where(
                    col(DecisionFile.audit_id) == report.audit_id,
                    col(DecisionFile.status).not_in([s.value for s in rules.OPEN_DECISIONS]),
                )
            )
        )
        .scalars()
        .first()
    )
    if decided is not None:
        # The body's decision came first: a decision held on this audit may now take effect.
        await on_majors_changed(session, report.audit_id, settings, now)
        return
    previous = await recognitions.current(session, report.organisation_id, scheme)
    if kind == "renewal" and previous is None:
        kind = "initial"
    file = await _open_file(session, report.organisation_id, scheme, kind)
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
        session.add(file)
    # A repeated stage 2 (or a new renewal audit) replaces the report the file rests on.
    file.audit_id, file.status = report.audit_id, DecisionStatus.PENDING.value
    await session.flush()
    evaluation = await evaluate(session, file, settings.group_rule)
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


async def expect(
    session: AsyncSession,
    file: DecisionFile,
    settings: Settings,
    principal: Principal,
    precondition: Precondition | None,
) -> None:
    """412/428 unless If-Match names the file's ETag as ``GET`` shows it to ``principal``."""
    if precondition is not None:
        precondition.check(etag_of(await out(session, file, settings, principal=principal)))


async def get(
    session: AsyncSession, principal: Principal, file_id: str, *, for_update: bool = False
) -> DecisionFile:
    """A file the caller may see (its structures' people, the committee, its body's system)."""
    file = await session.get(DecisionFile, file_id, with_for_update=for_update)
    if file is None or not (
        visibility.body_sees(principal, file.certification_body_id)
        or visibility.visible(
            [file.organisation_id, *file.group_member_ids],
            await visibility.readable(session, principal),
        )
    ):
        raise NotFound("no such decision file", detail_fr="dossier de décision introuvable")
    return file


#: Newest first (created_at, id descending).
KEYS = newest_first("decisions", col(DecisionFile.created_at), col(DecisionFile.id))


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
    readable = await visibility.readable(session, principal)
    query = sa.select(DecisionFile).where(
        visibility.scope(
            readable, col(DecisionFile.organisation_id), col(DecisionFile.group_member_ids)
        )
    )
    if status:
        query = query.where(col(DecisionFile.status) == status)
    if scheme:
        query = query.where(col(DecisionFile.scheme) == scheme)
    if organisation_id:
        query = query.where(col(DecisionFile.organisation_id) == organisation_id)
    return await KEYS.fetch(
        session,
        query,
        cursor=cursor,
        limit=limit,
    )


# deciding -------------------------------------------------------------------------------------
def _need_reason(reason: str | None, why: str, why_fr: str) -> str:
    if not (reason or "").strip():
        raise InvalidInput(
            why,
            detail_fr=why_fr,
            extensions={
                "errors": [
                    {"field": "body.reason", "message": "required", "message_fr": "obligatoire"}
                ]
            },
        )
    return (reason or "").strip()


async def decide(
    session: AsyncSession,
    principal: Principal,
    file_id: str,
    data: DecisionIn,
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
    file = await get(session, principal, file_id, for_update=True)
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
    report = await session.get(AuditReport, file.audit_id) if file.audit_id else None
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
        [file.organisation_id, *file.group_member_ids],
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
    await expect(session, file, settings, principal, precondition)
    outcome = DecisionOutcome(data.outcome)
    if outcome is DecisionOutcome.DEFER:
        reason = _need_reason(
            data.reason,
            "deferring says why (what the committee waits for)",
            "un ajournement indique son motif (ce que le comité attend)",
        )
        file.status = DecisionStatus.DEFERRED.value
        file.steps = [
            *file.steps,
            {"at": now.isoformat(), "by": principal.subject, "step": "defer", "reason": reason},
        ]
        await session.flush()
        await _announce(session, file, "deferred", reason, now, settings, actor=principal.subject)
        return file
    evaluation = await evaluate(session, file, settings.group_rule)
    assert evaluation is not None
    computed: str | None = evaluation["level"]
    file.computed, file.computed_level = evaluation, computed
    file.decided_on, file.decided_by = now.date(), principal.subject
    if outcome is DecisionOutcome.REFUSE:
        file.reason = _need_reason(data.reason, "a refusal says why", "un refus indique son motif")
        file.status = DecisionStatus.REFUSED.value
        # Decided again after an appeal: the recognition the overturned decision granted ends.
        await recognitions.on_decision_overturned(
            session, file.recognition_id, actor=principal.subject, now=now, note=file.reason
        )
        await session.flush()
        await _announce(
            session, file, "refused", file.reason, now, settings, actor=principal.subject
        )
        return file
    majors = await open_majors_of_audit(session, file.audit_id) if file.audit_id else []
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
                f"{member}: {_what(missing)}"
                for member, missing in evaluation["incomplete"].items()
            ),
            detail_fr="le niveau se décide sur l'évaluation par l'auditeur de chaque structure "
            "du dossier, chaque critère applicable noté : "
            + " ; ".join(
                f"{member} : {_what_fr(missing)}"
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
        file.reason = _need_reason(
            data.reason,
            "lowering the computed level says why",
            "abaisser le niveau calculé demande d'indiquer le motif",
        )
    else:
        file.reason = (data.reason or "").strip() or None
    members = [m for m in file.group_member_ids if m not in evaluation["excluded_member_ids"]]
    granted = await session.get(Recognition, file.recognition_id) if file.recognition_id else None
    if granted is not None and granted.status in (
        RecognitionStatus.ACTIVE,
        RecognitionStatus.SUSPENDED,
    ):
        # Decided again after an appeal: the recognition in force takes the new decision.
        recognition = await recognitions.redecided(
            session, granted, level=level, members=members, actor=principal.subject, now=now
        )
    else:
        recognition = await _grant(
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
    await session.flush()
    await _announce(session, file, "granted", file.reason, now, settings, actor=principal.subject)
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
) -> None:
    """``decision.taken.v1``: the committee's decision, with the last day to appeal it (the
    structure is told of a refusal or a deferral; a grant is told by its recognition)."""
    appeal_days = settings.scheme_parameters(file.scheme).appeal_days
    await add_event(
        session,
        tables.outbox,
        new_event(
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
                    None
                    if outcome == "deferred"
                    else rules.appeal_deadline(now.date(), appeal_days)
                ),
            ),
            source=SOURCE,
            subject=file.id,
            actor=actor,
        ),
    )


async def _grant(
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
        previous = await session.get(Recognition, file.renews_id, with_for_update=True)
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


async def on_body_decision(
    session: AsyncSession, event: CertificationDecidedV1, settings: Settings, now: datetime
) -> None:
    """Record the body's CAP ISO 9001 decision on its file; a grant takes effect at once, or is
    held while majors of the audit are not verified closed."""
    query = (
        sa.select(DecisionFile)
        .where(col(DecisionFile.audit_id) == event.audit_id)
        .with_for_update()
    )
    file = (await session.execute(query)).scalars().first()
    kind = rules.DECIDING_AUDITS[Scheme.CAP_ISO9001].get(event.audit_type, "initial")
    if file is None:
        file = await _open_file(session, event.organisation_id, Scheme.CAP_ISO9001, kind)
    if file is None:
        previous = await recognitions.current(session, event.organisation_id, Scheme.CAP_ISO9001)
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
        session.add(file)
    if DecisionStatus(file.status) not in rules.OPEN_DECISIONS:
        logger.info(
            "decision %s already recorded; body decision on %s ignored", file.id, event.audit_id
        )
        return
    report = await session.get(AuditReport, event.audit_id)
    if report is not None and report.stage2_required_on is not None:
        # The audit service refuses these; one in flight changes nothing.
        logger.warning("body decision on %s ignored: a new stage 2 is required", event.audit_id)
        return
    file.audit_id = event.audit_id
    decided_by = f"{event.certification_body_id}:{event.decided_by}"
    file.decided_on, file.decided_by = event.decided_on, decided_by
    excluded = [m for m in event.excluded_member_ids if m in file.group_member_ids]
    if event.outcome == "refused":
        file.status, file.reason = DecisionStatus.REFUSED.value, event.reason
    elif excluded and settings.group_rule == "all_members":
        file.status = DecisionStatus.REFUSED.value
        file.reason = (
            f"group rule: {len(excluded)} member(s) not certified by the body, so the group is not"
        )
    else:
        await record_grant(
            session,
            file,
            {
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
        )
    await session.flush()


async def record_grant(
    session: AsyncSession,
    file: DecisionFile,
    grant: dict[str, Any],
    *,
    settings: Settings,
    now: datetime,
    reported_majors: int = 0,
) -> None:
    """A CAP ISO 9001 grant (the body's, or an appeal's): it takes effect when no major of the
    deciding audit is open; otherwise it is **held** (``decision.held.v1``) until the last one
    is verified closed, or lapses when a new stage 2 is required."""
    assert file.audit_id is not None
    majors = await open_majors_of_audit(session, file.audit_id)
    report = await session.get(AuditReport, file.audit_id)
    # The body's count stands until the report (and its findings) reached this service.
    unknown = reported_majors if report is None else 0
    if not majors and not unknown:
        await _take_effect(session, file, grant, settings=settings, now=now)
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
    await session.flush()
    await add_event(
        session,
        tables.outbox,
        new_event(
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
        ),
    )


async def _take_effect(
    session: AsyncSession,
    file: DecisionFile,
    grant: dict[str, Any],
    *,
    settings: Settings,
    now: datetime,
) -> None:
    """Grant the certificate of a recorded decision (the body's number and scope)."""
    decided_on = date.fromisoformat(grant["decided_on"])
    excluded = grant.get("excluded_member_ids") or []
    try:
        recognition = await _grant(
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
    else:
        file.status, file.recognition_id = DecisionStatus.GRANTED.value, recognition.id
        file.reason = grant.get("reason")
    await session.flush()


async def on_majors_changed(
    session: AsyncSession, audit_id: str, settings: Settings, now: datetime
) -> None:
    """A major of ``audit_id`` verified, withdrawn or downgraded (or its report arrived): a
    decision held on it takes effect once none is open."""
    query = (
        sa.select(DecisionFile)
        .where(
            col(DecisionFile.audit_id) == audit_id,
            col(DecisionFile.status) == DecisionStatus.HELD.value,
        )
        .with_for_update()
    )
    for file in (await session.execute(query)).scalars().all():
        if await open_majors_of_audit(session, audit_id):
            continue
        if await session.get(AuditReport, audit_id) is None:
            continue  # its findings have not arrived yet
        assert file.held is not None
        file.steps = [
            *file.steps,
            {
                "at": now.isoformat(),
                "by": "system:audit",
                "step": "majors_verified",
                "reason": "every major nonconformity of the audit verified closed",
            },
        ]
        await _take_effect(session, file, file.held, settings=settings, now=now)


async def on_stage2_required(session: AsyncSession, event: Stage2RequiredV1, now: datetime) -> None:
    """Majors of the audit not verified in time: no decision rests on it any more. A decision
    held on it lapses (refused, with the reason); an open file waits for the new audit."""
    report = await session.get(AuditReport, event.audit_id, with_for_update=True)
    if report is not None:
        if report.stage2_required_on is not None:
            return  # already known
        report.stage2_required_on = now.date()
    reason = (
        f"{event.open_major_nc} major nonconformity(ies) of the audit not verified by "
        f"{event.deadline.isoformat()}: a new stage 2 (evaluation) is required ({STAGE2_RULE})"
    )
    query = (
        sa.select(DecisionFile)
        .where(col(DecisionFile.audit_id) == event.audit_id)
        .with_for_update()
    )
    for file in (await session.execute(query)).scalars().all():
        status = DecisionStatus(file.status)
        if status is DecisionStatus.HELD:
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
    await session.flush()
