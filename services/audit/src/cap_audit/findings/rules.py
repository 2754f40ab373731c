"""Rules of findings: a nonconformity's life, its deadlines, majors and escalation. Pure.

Finding (nonconformity): ``open → response_submitted → plan_accepted → verified_closed`` (sent
back: ``open`` again); observations, opportunities and strengths need no answer. Majors of a
deciding audit not verified in time require a new stage 2; minors escalate at the next audit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from cap_audit.audits.rules import InvalidTransition, RuleViolation, SchemeRules
from cap_shared.dates import add_months


class FindingType(StrEnum):
    """The kinds of finding."""

    MAJOR_NC = "major_nc"
    MINOR_NC = "minor_nc"
    OBSERVATION = "observation"
    OPPORTUNITY = "opportunity"
    STRENGTH = "strength"


class FindingStatus(StrEnum):
    """Where a finding stands."""

    OPEN = "open"
    RESPONSE_SUBMITTED = "response_submitted"
    PLAN_ACCEPTED = "plan_accepted"
    VERIFIED_CLOSED = "verified_closed"
    NOTED = "noted"  # observations, opportunities, strengths
    APPEALED = "appealed"  # under appeal: its deadlines stop
    WITHDRAWN = "withdrawn"  # overturned on appeal: counts for nothing


NONCONFORMITIES = frozenset({FindingType.MAJOR_NC, FindingType.MINOR_NC})
#: A finding in these states no longer needs anything (closed, or withdrawn on appeal).
SETTLED = frozenset({FindingStatus.VERIFIED_CLOSED, FindingStatus.WITHDRAWN})


RULE_NEW_STAGE2 = (
    "ISO/IEC 17021-1 §9.5.3.2 majors not verified within major_verification_months "
    "of the last day of stage 2: a new stage 2"
)


# findings ------------------------------------------------------------------------------------
class FindingStep(StrEnum):
    """What moves a nonconformity on."""

    RESPOND = "respond"  # the organisation
    ACCEPT_PLAN = "accept_plan"  # the auditor
    SEND_BACK = "send_back"  # the auditor
    VERIFY = "verify"  # the auditor, on evidence


_FINDING_STEPS: dict[FindingStep, dict[FindingStatus, FindingStatus]] = {
    FindingStep.RESPOND: {FindingStatus.OPEN: FindingStatus.RESPONSE_SUBMITTED},
    FindingStep.ACCEPT_PLAN: {FindingStatus.RESPONSE_SUBMITTED: FindingStatus.PLAN_ACCEPTED},
    FindingStep.SEND_BACK: {FindingStatus.RESPONSE_SUBMITTED: FindingStatus.OPEN},
    FindingStep.VERIFY: {
        FindingStatus.RESPONSE_SUBMITTED: FindingStatus.VERIFIED_CLOSED,
        FindingStatus.PLAN_ACCEPTED: FindingStatus.VERIFIED_CLOSED,
    },
}


def next_finding_status(
    kind: FindingType, status: FindingStatus, step: FindingStep
) -> FindingStatus:
    """A nonconformity's next status; an NC closes only through a verification."""
    if kind not in NONCONFORMITIES:
        raise InvalidTransition(
            f"a {kind.value} needs no answer",
            detail_fr=f"un constat « {kind.value} » n'appelle pas de réponse",
        )
    target = _FINDING_STEPS[step].get(status)
    if target is None:
        raise InvalidTransition(
            f"cannot {step.value} a nonconformity that is {status.value}",
            detail_fr=(
                f"impossible d'effectuer « {step.value} » sur une non-conformité à "
                f"l'état « {status.value} »"
            ),
            extensions={"status": status.value},
        )
    return target


def response_due(kind: FindingType, submitted_on: date, rules: SchemeRules) -> date | None:
    """Deadline to answer a nonconformity (none for other findings)."""
    if kind not in NONCONFORMITIES:
        return None
    return submitted_on + timedelta(days=rules.nc_response_days)


def may_close(findings: list[tuple[FindingType, FindingStatus]]) -> None:
    """An audit closes when every major NC is verified and every minor has an accepted plan
    (a finding withdrawn on appeal counts for nothing; one under appeal waits)."""
    open_majors = sum(1 for k, s in findings if is_open_major(k, s))
    open_minors = sum(
        1
        for k, s in findings
        if k is FindingType.MINOR_NC and s not in (FindingStatus.PLAN_ACCEPTED, *SETTLED)
    )
    if open_majors or open_minors:
        raise RuleViolation(
            f"{open_majors} major NC not verified, {open_minors} minor NC without an accepted plan",
            detail_fr=(
                f"{open_majors} NC majeure(s) non vérifiée(s), {open_minors} NC "
                "mineure(s) sans plan d'action accepté"
            ),
            extensions={"open_major_nc": open_majors, "open_minor_nc": open_minors},
        )


def verification_due(kind: FindingType, answered_on: date, rules: SchemeRules) -> date | None:
    """An answered major must be verified within ``major_verification_days`` of its answer
    (none for a minor: it is verified at the next audit)."""
    if kind is not FindingType.MAJOR_NC:
        return None
    return answered_on + timedelta(days=rules.major_verification_days)


def verification_overdue(
    kind: FindingType, status: FindingStatus, due: date | None, today: date
) -> bool:
    """An answered major (answered or plan accepted) still not verified after its deadline."""
    return (
        kind is FindingType.MAJOR_NC
        and status in (FindingStatus.RESPONSE_SUBMITTED, FindingStatus.PLAN_ACCEPTED)
        and due is not None
        and due < today
    )


def is_open_major(kind: FindingType, status: FindingStatus) -> bool:
    """A major that still holds a certification back: not verified closed (an answered or
    plan-accepted major is still open), not withdrawn on appeal."""
    return kind is FindingType.MAJOR_NC and status not in SETTLED


@dataclass(frozen=True)
class Major:
    """A major nonconformity of a deciding audit, as the new-stage-2 rule sees it."""

    status: FindingStatus
    verified_on: date | None = None
    #: Days spent under appeal: the deadline stops meanwhile.
    appealed_days: int = 0


def stage2_deadline(last_day: date, rules: SchemeRules) -> date:
    """The last day the majors of a deciding audit may be verified (17021-1 §9.5.3.2)."""
    return add_months(last_day, rules.major_verification_months)


def majors_late(last_day: date, majors: Iterable[Major], today: date, rules: SchemeRules) -> int:
    """Majors of a deciding audit (ISO stage 2 or renewal, CAP RSE initial or renewal) not
    verified within ``major_verification_months`` of its last day, seen on ``today``: one or
    more calls for a new stage 2. A verification after the deadline does not undo it; time
    under appeal does not count; a major withdrawn on appeal counts for nothing, one still
    under appeal waits for the outcome."""
    base = stage2_deadline(last_day, rules)
    late = 0
    for major in majors:
        if major.status in (FindingStatus.WITHDRAWN, FindingStatus.APPEALED):
            continue
        deadline = base + timedelta(days=major.appealed_days)
        if today <= deadline:
            continue
        if (
            major.status is FindingStatus.VERIFIED_CLOSED
            and major.verified_on is not None
            and major.verified_on <= deadline
        ):
            continue
        late += 1
    return late


def repeat_due(last_day: date, rules: SchemeRules) -> date:
    """When the new stage 2 called for by late majors is due: ``stage2_within_days`` after the
    verification deadline."""
    return stage2_deadline(last_day, rules) + timedelta(days=rules.stage2_within_days)


def escalates_at_next_audit(kind: FindingType, status: FindingStatus, rules: SchemeRules) -> bool:
    """A minor of an earlier audit not verified closed when the next audit's report is
    submitted becomes a major (``minor_escalates_at_next_audit``); one under appeal waits."""
    return (
        rules.minor_escalates_at_next_audit
        and kind is FindingType.MINOR_NC
        and status not in (*SETTLED, FindingStatus.APPEALED)
    )


def minors_adding_up(
    minors: Iterable[tuple[str, str | None]], rules: SchemeRules
) -> list[tuple[str, str | None, int]]:
    """(requirement, site, count) of each requirement on which an audit found
    ``minors_as_major`` or more open minors, at one site: each counts as a major (docs/domain/domain.md
    §5.2; off when None). ``minors``: each open minor's requirement (ISO clause, CAP RSE
    criterion) and site."""
    if rules.minors_as_major is None:
        return []
    counts = Counter(minors)
    return sorted(
        ((req, site, n) for (req, site), n in counts.items() if n >= rules.minors_as_major),
        key=lambda item: (item[0], item[1] or ""),
    )
