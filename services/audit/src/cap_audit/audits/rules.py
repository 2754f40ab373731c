"""Rules of audits: the schemes, audit types and the audit's states. Pure: no I/O.

Audit: ``requested → accepted → planned → in_progress → report_submitted → closed``, or
``cancelled`` before it starts. Every duration is a scheme parameter
(``cap_shared.contracts.schemes``, shared with the labelling service); ``docs/audit.md`` lists
each rule, its scheme parameter and its source.
"""

from __future__ import annotations

from enum import StrEnum

from cap_shared.contracts.schemes import SchemeParameters
from cap_shared.problems import Conflict, ProblemError


class Scheme(StrEnum):
    """The certification schemes audited."""

    CAP_RSE = "CAP_RSE"
    CAP_ISO9001 = "CAP_ISO9001"


class AuditType(StrEnum):
    """The kinds of audit of the schemes."""

    STAGE1 = "stage1"
    STAGE2 = "stage2"
    SURVEILLANCE = "surveillance"
    RENEWAL = "renewal"
    INITIAL = "initial"  # CAP RSE initial evaluation
    FOLLOW_UP = "follow_up"  # CAP RSE follow-up
    SPECIAL = "special"


class AuditStatus(StrEnum):
    """Where an audit stands."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    REPORT_SUBMITTED = "report_submitted"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AuditStep(StrEnum):
    """What moves an audit on."""

    ACCEPT = "accept"
    PLAN = "plan"
    START = "start"
    SUBMIT_REPORT = "submit_report"
    CLOSE = "close"
    CANCEL = "cancel"


#: A scheme's durations and limits: the one source shared with the labelling service.
SchemeRules = SchemeParameters


# audits ------------------------------------------------------------------------------------
_STEPS: dict[AuditStep, dict[AuditStatus, AuditStatus]] = {
    AuditStep.ACCEPT: {AuditStatus.REQUESTED: AuditStatus.ACCEPTED},
    AuditStep.PLAN: {
        AuditStatus.ACCEPTED: AuditStatus.PLANNED,
        AuditStatus.PLANNED: AuditStatus.PLANNED,
    },
    AuditStep.START: {AuditStatus.PLANNED: AuditStatus.IN_PROGRESS},
    AuditStep.SUBMIT_REPORT: {AuditStatus.IN_PROGRESS: AuditStatus.REPORT_SUBMITTED},
    AuditStep.CLOSE: {AuditStatus.REPORT_SUBMITTED: AuditStatus.CLOSED},
    AuditStep.CANCEL: {
        AuditStatus.REQUESTED: AuditStatus.CANCELLED,
        AuditStatus.ACCEPTED: AuditStatus.CANCELLED,
        AuditStatus.PLANNED: AuditStatus.CANCELLED,
    },
}


class InvalidTransition(Conflict):
    """The step is not possible from the audit's (or finding's) current status."""

    code, title = "invalid-transition", "Invalid status transition"
    title_fr = "Changement de statut impossible"


class RuleViolation(ProblemError):
    """A certification rule forbids this (stage order, recognition in force, open NCs...)."""

    status, code, title = 409, "rule-violation", "Certification rule not met"
    title_fr = "Règle de certification non respectée"


def next_audit_status(status: AuditStatus, step: AuditStep) -> AuditStatus:
    """The status after ``step``, or :class:`InvalidTransition`."""
    target = _STEPS[step].get(status)
    if target is None:
        raise InvalidTransition(
            f"cannot {step.value} an audit that is {status.value}",
            detail_fr=(
                f"impossible d'effectuer « {step.value} » sur un audit à l'état « {status.value} »"
            ),
            extensions={"status": status.value, "allowed_steps": audit_steps(status)},
        )
    return target


def audit_steps(status: AuditStatus) -> list[str]:
    """The steps possible from ``status``."""
    return [s.value for s in AuditStep if status in _STEPS[s]]


def same_team(held: set[tuple[str, str]], wanted: set[tuple[str, str]]) -> bool:
    """Whether a re-plan keeps the team: the same auditors (ids) in the same roles."""
    return held == wanted
