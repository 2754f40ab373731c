"""Rules of decision files (pure: no I/O): the problems a decision answers, the ISO rules it
names, and what a group's structures see of each other's evaluation."""

from __future__ import annotations

from typing import Any

from cap_labelling.models import AuditReport
from cap_shared.problems import Conflict, Forbidden, InvalidInput, ProblemError


class NotImpartial(Forbidden):
    """Not impartial."""

    code, title = "not-impartial", "Not impartial"
    title_fr = "Non impartial"


class LevelAboveRule(ProblemError):
    """Level above the rule."""

    status, code, title = 422, "level-above-rule", "Level above the rule"
    title_fr = "Niveau supérieur à la règle"


class RuleNotMet(ProblemError):
    """The level rule is not met."""

    status, code, title = 422, "rule-not-met", "The level rule is not met"
    title_fr = "La règle de niveau n'est pas satisfaite"


class EvaluationPending(Conflict):
    """The auditor's evaluation has not arrived yet."""

    code, title = "evaluation-pending", "The auditor's evaluation has not arrived yet"
    title_fr = "L'évaluation de l'auditeur n'est pas encore arrivée"


class EvaluationIncomplete(Conflict):
    """The auditor's evaluation is incomplete."""

    code, title = "evaluation-incomplete", "The auditor's evaluation is incomplete"
    title_fr = "L'évaluation de l'auditeur est incomplète"


def what(missing: dict[str, Any]) -> str:
    """What an incomplete evaluation lacks, in English."""
    if "unrated_criteria" in missing:
        return "criteria not rated by the auditor: " + ", ".join(missing["unrated_criteria"][:20])
    return "no evaluation by the auditor in the deciding audit"


def what_fr(missing: dict[str, Any]) -> str:
    """What an incomplete evaluation lacks, in French."""
    if "unrated_criteria" in missing:
        return "critères non notés par l'auditeur : " + ", ".join(missing["unrated_criteria"][:20])
    return "aucune évaluation de l'auditeur dans l'audit qui décide"


class MajorsNotVerified(Conflict):
    """Major nonconformities of the audit not verified closed."""

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
    """The certification body decides."""

    code, title = "body-decides", "The certification body decides"
    title_fr = "L'organisme certificateur décide"


# evaluation ---------------------------------------------------------------------------------
def on_its_way(report: AuditReport | None, member: str) -> bool:
    """Whether the deciding report carried evaluated maturity of ``member`` (its scores are
    then on their way from the diagnostic service)."""
    if report is None or report.evaluated_criteria == 0:
        return False
    # Reports recorded before sites were kept: the maturity was the audited structure's.
    sites = report.evaluated_site_ids or [report.organisation_id]
    return member in sites


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


# deciding -------------------------------------------------------------------------------------
def need_reason(reason: str | None, why: str, why_fr: str) -> str:
    """The reason given, stripped (422 naming ``body.reason`` when there is none)."""
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
