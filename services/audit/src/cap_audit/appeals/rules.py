"""Rules of appeals against findings (ISO/IEC 17021-1 §9.7). Pure."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from cap_audit.audits.rules import InvalidTransition, RuleViolation, SchemeRules
from cap_audit.findings.rules import NONCONFORMITIES, SETTLED, FindingStatus, FindingType
from cap_shared.problems import Conflict

RULE_APPEAL_PERIOD = "ISO/IEC 17021-1 §9.7 appeals (within appeal_days)"
RULE_APPEAL_DECIDER = "ISO/IEC 17021-1 §9.7 appeals decided by people not involved in the audit"


# appeals -------------------------------------------------------------------------------------
class AppealOutcome(StrEnum):
    """What an appeal's decision does to the finding."""

    UPHELD = "upheld"  # the finding stands
    OVERTURNED = "overturned"  # the finding is withdrawn
    DOWNGRADED = "downgraded"  # a major becomes a minor


class AlreadyAppealed(Conflict):
    """A finding is appealed once."""

    code, title = "already-appealed", "Already appealed"
    title_fr = "Recours déjà formé"


def appeal_deadline(opened_on: date, rules: SchemeRules) -> date:
    """The last day a finding may be appealed: ``appeal_days`` after the report (or after its
    escalation to major)."""
    return opened_on + timedelta(days=rules.appeal_days)


def may_appeal(
    kind: FindingType,
    status: FindingStatus,
    *,
    opened_on: date | None,
    today: date,
    rules: SchemeRules,
    appealed_before: bool,
) -> None:
    """A nonconformity of a submitted report, not closed, appealed once, within
    ``appeal_days`` of the report (17021-1 §9.7)."""
    if kind not in NONCONFORMITIES:
        raise RuleViolation(
            f"a {kind.value} is not appealed: only nonconformities are",
            detail_fr=(
                f"un constat « {kind.value} » ne se conteste pas : seules les "
                "non-conformités se contestent"
            ),
            extensions={"rule": RULE_APPEAL_PERIOD},
        )
    if appealed_before:
        raise AlreadyAppealed(
            "this finding was appealed already",
            detail_fr="ce constat fait déjà l'objet d'un recours",
            extensions={"rule": RULE_APPEAL_PERIOD},
        )
    if opened_on is None:
        raise InvalidTransition(
            "a finding is appealed once the report is submitted",
            detail_fr="un constat se conteste une fois le rapport remis",
        )
    if status in SETTLED:
        raise InvalidTransition(
            f"a {status.value} finding is not appealed",
            detail_fr=f"un constat à l'état « {status.value} » ne se conteste pas",
            extensions={"status": status.value},
        )
    deadline = appeal_deadline(opened_on, rules)
    if today > deadline:
        raise RuleViolation(
            f"the appeal period ended on {deadline.isoformat()} ({rules.appeal_days} days)",
            detail_fr=(
                f"le délai de recours a pris fin le {deadline.isoformat()} "
                f"({rules.appeal_days} jours)"
            ),
            extensions={"rule": RULE_APPEAL_PERIOD, "deadline": deadline.isoformat()},
        )


def appeal_result(
    kind: FindingType, status_before: FindingStatus, outcome: AppealOutcome
) -> tuple[FindingType, FindingStatus]:
    """The finding's type and status after the appeal: upheld, as it was; overturned,
    withdrawn; downgraded (a major only), a minor in the status it had."""
    if outcome is AppealOutcome.OVERTURNED:
        return kind, FindingStatus.WITHDRAWN
    if outcome is AppealOutcome.DOWNGRADED:
        if kind is not FindingType.MAJOR_NC:
            raise RuleViolation(
                "only a major nonconformity is downgraded",
                detail_fr="seule une non-conformité majeure peut être déclassée",
                extensions={"type": kind.value},
            )
        return FindingType.MINOR_NC, status_before
    return kind, status_before
