"""Rules of audit programmes, audits, findings and impartiality. Pure: no I/O, dates passed in.

Programme (``docs/domain/domain.md`` §5.1, §7.6 C-D), every duration a scheme parameter
(``cap_shared.contracts.schemes``, shared with the labelling service):

* CAP ISO 9001: stage 1 within ``initial_within_days`` of acceptance, then stage 2 within
  ``stage2_within_days`` of the closed stage 1; after the certification decision, the first
  surveillance within 12 months, then one per calendar year (none in the renewal year), and the
  renewal audit before expiry (decision + 3 years), ``renewal_lead_days`` ahead;
* CAP RSE: an initial evaluation within ``initial_within_days``, a follow-up 18 months after the
  decision and a renewal at 36 months.

Audit: ``requested → accepted → planned → in_progress → report_submitted → closed``, or
``cancelled`` before it starts. Finding (nonconformity): ``open → response_submitted →
plan_accepted → verified_closed`` (sent back: ``open`` again); observations, opportunities and
strengths need no answer.

Certification decision (CAP ISO 9001, ISO/IEC 17021-1 §9.5): the body decides, the platform
records it, on a stage 2 or renewal audit whose report was submitted, once; the decision maker
took no part in the audit; a grant carries its certificate number, a refusal its reason.

Cycles, nonconformities, impartiality and sites (``docs/audit.md`` lists each rule, its scheme
parameter and its source): audits belong to a certification cycle whose start and real expiry
come from the recognition; majors of a deciding audit not verified in time require a new stage
2; minors escalate at the next audit; findings may be appealed; consultancy, accompaniment and
training bar auditing and deciding for the cooling-off period; group sites are sampled per
IAF MD 1.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from cap_shared.contracts.schemes import SchemeParameters
from cap_shared.dates import add_months
from cap_shared.problems import Conflict, ProblemError


class Scheme(StrEnum):
    CAP_RSE = "CAP_RSE"
    CAP_ISO9001 = "CAP_ISO9001"


class AuditType(StrEnum):
    STAGE1 = "stage1"
    STAGE2 = "stage2"
    SURVEILLANCE = "surveillance"
    RENEWAL = "renewal"
    INITIAL = "initial"  # CAP RSE initial evaluation
    FOLLOW_UP = "follow_up"  # CAP RSE follow-up
    SPECIAL = "special"


class AuditStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    REPORT_SUBMITTED = "report_submitted"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AuditStep(StrEnum):
    ACCEPT = "accept"
    PLAN = "plan"
    START = "start"
    SUBMIT_REPORT = "submit_report"
    CLOSE = "close"
    CANCEL = "cancel"


class FindingType(StrEnum):
    MAJOR_NC = "major_nc"
    MINOR_NC = "minor_nc"
    OBSERVATION = "observation"
    OPPORTUNITY = "opportunity"
    STRENGTH = "strength"


class FindingStatus(StrEnum):
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

#: The rules refusals name (``rule`` in the problem's extensions), with their source.
RULE_COOLING_OFF = "ISO/IEC 17021-1 §5.2.11 cooling-off (consultancy, accompaniment, training)"
RULE_LEAD_CYCLES = "ISO/IEC 17021-1 §5.2.3 familiarity threat (max_consecutive_lead_cycles)"
RULE_DECIDER = "ISO/IEC 17021-1 §9.5.1.2 the decision maker did not audit"
RULE_NEW_STAGE2 = (
    "ISO/IEC 17021-1 §9.5.3.2 majors not verified within major_verification_months "
    "of the last day of stage 2: a new stage 2"
)
RULE_APPEAL_PERIOD = "ISO/IEC 17021-1 §9.7 appeals (within appeal_days)"
RULE_APPEAL_DECIDER = "ISO/IEC 17021-1 §9.7 appeals decided by people not involved in the audit"
RULE_SAMPLING = "IAF MD 1 §7.3, §8.2 site sampling (central function at every audit)"


#: A scheme's durations and limits: the one source shared with the labelling service.
SchemeRules = SchemeParameters


@dataclass(frozen=True)
class Done:
    """An audit of the programme, as the schedule sees it."""

    type: AuditType
    status: AuditStatus
    audit_id: str
    closed_on: date | None = None
    cycle: int = 1


@dataclass(frozen=True)
class DueItem:
    """An audit the programme expects, by when, and how it stands."""

    type: AuditType
    due_by: date
    audit_id: str | None
    status: str  # "done", "in_progress", "due", "overdue"
    cycle_year: int | None = None
    cycle: int = 1


@dataclass(frozen=True)
class Cycle:
    """A programme's current certification cycle: its number (the initial audits belong to the
    first), the day its schedule counts from and the recognition's real expiry (both unknown
    until the first decision)."""

    number: int = 1
    start: date | None = None
    expiry: date | None = None
    decided_on: date | None = None


#: The audits a scheme's recognition is decided on, and the audit a failed one calls for again.
DECIDING: dict[Scheme, frozenset[AuditType]] = {
    Scheme.CAP_ISO9001: frozenset({AuditType.STAGE2, AuditType.RENEWAL}),
    Scheme.CAP_RSE: frozenset({AuditType.INITIAL, AuditType.RENEWAL}),
}
REPEATED_AS: dict[Scheme, AuditType] = {
    Scheme.CAP_ISO9001: AuditType.STAGE2,
    Scheme.CAP_RSE: AuditType.INITIAL,
}


def cycle_end(start: date, expiry: date | None, rules: SchemeRules) -> date:
    """The cycle's expiry: the recognition's real one when known, else start + validity."""
    return expiry or add_months(start, rules.validity_months)


def surveillance_dates(rules: SchemeRules, start: date, expiry: date | None = None) -> list[date]:
    """When a cycle's surveillance audits (or its follow-up) are due, counted from its start:
    the first within ``first_surveillance_months``, then one per calendar year, none in the
    expiry year (17021-1 §9.1.3.3-4); or one follow-up at ``follow_up_months``. The labelling
    service computes the same dates (``tests/test_scheme_parameters.py``)."""
    end = cycle_end(start, expiry, rules)
    if rules.surveillance == "follow_up":
        due = add_months(start, rules.follow_up_months)
        return [due] if due < end else []
    first = add_months(start, rules.first_surveillance_months)
    dates = [first, *(date(year, 12, 31) for year in range(first.year + 1, end.year))]
    return [d for d in dates if d < end]


def schedule(
    scheme: Scheme,
    rules: SchemeRules,
    *,
    accepted_on: date,
    cycle_start: date | None,
    audits: list[Done],
    today: date,
    expiry: date | None = None,
    cycle: int = 1,
    repeats: Sequence[date] = (),
) -> list[DueItem]:
    """The current cycle's audits with computed due dates, matched with that cycle's audits.

    The first cycle starts with the initial audits (ISO stage 1 within ``initial_within_days``
    of acceptance, stage 2 within ``stage2_within_days`` of the closed stage 1; the CAP RSE
    initial evaluation). Once decided (``cycle_start``), the cycle's surveillance audits are
    counted from its start and the renewal is due ``renewal_lead_days`` before the
    recognition's real ``expiry``. ``repeats``: due dates of the new stage 2 (CAP RSE: initial
    evaluation) that majors not verified in time call for. An audit counts only for the cycle
    it belongs to.
    """
    wanted: list[tuple[AuditType, date, int | None]] = []
    mine = [a for a in audits if a.cycle == cycle]
    if cycle == 1:
        if scheme is Scheme.CAP_ISO9001:
            stage1_due = accepted_on + timedelta(days=rules.initial_within_days)
            wanted.append((AuditType.STAGE1, stage1_due, None))
            stage1_closed = next(
                (a.closed_on for a in mine if a.type is AuditType.STAGE1 and a.closed_on), None
            )
            stage2_due = (stage1_closed or stage1_due) + timedelta(days=rules.stage2_within_days)
            wanted.append((AuditType.STAGE2, stage2_due, None))
        else:
            initial_due = accepted_on + timedelta(days=rules.initial_within_days)
            wanted.append((AuditType.INITIAL, initial_due, None))
    wanted += [(REPEATED_AS[scheme], due, None) for due in repeats]
    if cycle_start is not None:
        kind = AuditType.FOLLOW_UP if rules.surveillance == "follow_up" else AuditType.SURVEILLANCE
        for due in surveillance_dates(rules, cycle_start, expiry):
            wanted.append((kind, due, due.year if kind is AuditType.SURVEILLANCE else None))
        end = cycle_end(cycle_start, expiry, rules)
        wanted.append((AuditType.RENEWAL, end - timedelta(days=rules.renewal_lead_days), None))

    used: set[str] = set()
    items = []
    for audit_type, due_by, cycle_year in wanted:
        match = next(
            (
                a
                for a in mine
                if a.type is audit_type
                and a.audit_id not in used
                and a.status is not AuditStatus.CANCELLED
            ),
            None,
        )
        if match is not None:
            used.add(match.audit_id)
            status = "done" if match.status is AuditStatus.CLOSED else "in_progress"
        else:
            status = "overdue" if due_by < today else "due"
        items.append(
            DueItem(
                audit_type, due_by, match.audit_id if match else None, status, cycle_year, cycle
            )
        )
    return items


def cycle_after(
    current: Cycle,
    *,
    status: str,
    previous_status: str | None,
    cycle_start: date | None,
    decided_on: date,
    expiry: date,
) -> Cycle:
    """The programme's cycle after a change of its recognition.

    A grant (first or renewal) or the restoration of an expired recognition starts a cycle at
    ``cycle_start`` (published by the labelling service: the decision for a first grant, the
    previous expiry for a renewal or a restoration; when absent, the same computed here). The
    first grant keeps number 1 (the initial audits belong to it); any later start is the next
    cycle. Other changes (suspension, restoration from suspension, scope) keep the cycle and
    follow the recognition's expiry. The same start again changes nothing (a redelivery)."""
    starts = status == "active" and previous_status in (None, "expired", "renewed")
    if not starts:
        return replace(current, expiry=expiry) if current.start is not None else current
    first = current.start is None
    start = cycle_start or (decided_on if first else (current.expiry or decided_on))
    if start == current.start:
        return replace(current, expiry=expiry, decided_on=decided_on)
    return Cycle(
        number=current.number if first else current.number + 1,
        start=start,
        expiry=expiry,
        decided_on=decided_on,
    )


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


class NotImpartial(ProblemError):
    """The person gave consultancy, accompaniment or training to the organisation within the
    cooling-off period, or would lead one cycle too many (the problem names the rule)."""

    status, code, title = 409, "auditor-not-impartial", "Auditor not impartial"
    title_fr = "Auditeur non impartial"


class NotQualified(ProblemError):
    """The auditor holds no valid qualification for the scheme on the audit's dates."""

    status, code, title = 422, "auditor-not-qualified", "Auditor not qualified"
    title_fr = "Auditeur non qualifié"


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
    return [s.value for s in AuditStep if status in _STEPS[s]]


def may_open(
    scheme: Scheme,
    audit_type: AuditType,
    *,
    closed_types: set[AuditType],
    recognition_in_force: bool,
) -> None:
    """Stage 2 only after a closed stage 1; surveillance and follow-up only on a recognition in
    force — active, or suspended (the missed surveillance is how a suspension for it is
    lifted, ISO/IEC 17021-1 §9.6.5); the initial audits only once the scheme is right."""
    iso = {
        AuditType.STAGE1,
        AuditType.STAGE2,
        AuditType.SURVEILLANCE,
        AuditType.RENEWAL,
        AuditType.SPECIAL,
    }
    rse = {AuditType.INITIAL, AuditType.FOLLOW_UP, AuditType.RENEWAL, AuditType.SPECIAL}
    if audit_type not in (iso if scheme is Scheme.CAP_ISO9001 else rse):
        raise RuleViolation(
            f"a {audit_type.value} audit does not exist in {scheme.value}",
            detail_fr=f"un audit {audit_type.value} n'existe pas en {scheme.value}",
        )
    if audit_type is AuditType.STAGE2 and AuditType.STAGE1 not in closed_types:
        raise RuleViolation(
            "stage 2 comes after a closed stage 1",
            detail_fr="l'étape 2 vient après une étape 1 clôturée",
        )
    if audit_type in (AuditType.SURVEILLANCE, AuditType.FOLLOW_UP) and not recognition_in_force:
        raise RuleViolation(
            f"a {audit_type.value} audit needs a recognition in force (active or suspended)",
            detail_fr=(
                f"un audit {audit_type.value} demande une reconnaissance en vigueur "
                "(active ou suspendue)"
            ),
        )


#: Engagements that bar auditing and deciding for the cooling-off period (17021-1 §5.2.11);
#: ``audited`` is kept for the history and the consecutive-lead limit, and bars nothing.
BARRING_KINDS = frozenset({"consultancy", "accompaniment", "training"})
ENGAGEMENT_KINDS = (*sorted(BARRING_KINDS), "audited")


@dataclass(frozen=True)
class EngagementFact:
    """Someone's engagement with an organisation on a day (what impartiality looks at)."""

    id: str
    kind: str
    on: date
    organisation_id: str


def barring_engagement(
    engagements: Iterable[EngagementFact], *, on: date, cooling_off_months: int
) -> EngagementFact | None:
    """The latest consultancy, accompaniment or training within ``cooling_off_months`` before
    ``on`` (the audit's first day, the decision's day), if any: it bars the person. Having
    audited the organisation bars nothing."""
    since = add_months(on, -cooling_off_months)
    return max(
        (e for e in engagements if e.kind in BARRING_KINDS and since <= e.on <= on),
        key=lambda e: e.on,
        default=None,
    )


def barred_until(engagement: EngagementFact, cooling_off_months: int) -> date:
    """The first day the engagement no longer bars."""
    return add_months(engagement.on, cooling_off_months) + timedelta(days=1)


def consecutive_lead_cycles(cycles_led: Iterable[int], cycle: int) -> int:
    """How many cycles right before ``cycle`` the person led without a break."""
    led, count = set(cycles_led), 0
    while cycle - count - 1 in led:
        count += 1
    return count


def lead_limit_reached(cycles_led: Iterable[int], cycle: int, limit: int | None) -> bool:
    """Whether leading an audit of ``cycle`` would exceed ``max_consecutive_lead_cycles``
    (None: no limit). Several audits of one cycle count as one cycle."""
    return limit is not None and consecutive_lead_cycles(cycles_led, cycle) >= limit


def qualified(qualifications: list[dict[str, str]], scheme: Scheme, start: date, end: date) -> bool:
    """Whether one qualification for ``scheme`` covers the whole audit."""
    return any(
        q.get("scheme") == scheme.value
        and date.fromisoformat(q["valid_from"]) <= start
        and end <= date.fromisoformat(q["valid_until"])
        for q in qualifications
    )


# findings ------------------------------------------------------------------------------------
class FindingStep(StrEnum):
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


# appeals -------------------------------------------------------------------------------------
class AppealOutcome(StrEnum):
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


# certification decision ----------------------------------------------------------------------
#: The audits a CAP ISO 9001 certification decision is taken on.
DECIDABLE_TYPES = frozenset({AuditType.STAGE2, AuditType.RENEWAL})
#: An audit is decided on once its report is submitted.
REPORTED = frozenset({AuditStatus.REPORT_SUBMITTED, AuditStatus.CLOSED})


class AlreadyDecided(Conflict):
    """The body's decision on this audit is already recorded."""

    code, title = "already-decided", "Already decided"
    title_fr = "Déjà décidé"


class DeciderNotImpartial(ProblemError):
    """The decision maker is one of the audit's auditors (ISO/IEC 17021-1 §9.5.1.2)."""

    status, code, title = 422, "not-impartial", "Decision maker not impartial"
    title_fr = "Décideur non impartial"


@dataclass(frozen=True)
class Person:
    """Someone as the audit service knows them: an auditor id, a platform account, a name."""

    auditor_id: str | None = None
    user_id: str | None = None
    name: str | None = None


def may_decide(
    scheme: Scheme, audit_type: AuditType, status: AuditStatus, *, decided: str | None
) -> None:
    """A decision on a CAP ISO 9001 stage 2 or renewal audit whose report is submitted, once
    (``decided``: the outcome already recorded, if any)."""
    if scheme is not Scheme.CAP_ISO9001 or audit_type not in DECIDABLE_TYPES:
        raise RuleViolation(
            "a certification decision is taken on a CAP_ISO9001 stage2 or renewal audit, "
            f"not on a {scheme.value} {audit_type.value} audit",
            detail_fr=(
                "une décision de certification se prend sur un audit CAP_ISO9001 "
                f"d'étape 2 ou de renouvellement, pas sur un audit {scheme.value} "
                f"{audit_type.value}"
            ),
            extensions={"scheme": scheme.value, "audit_type": audit_type.value},
        )
    if status not in REPORTED:
        raise InvalidTransition(
            f"the decision comes after the audit's report, and the audit is {status.value}",
            detail_fr=(
                "la décision vient après le rapport d'audit, et l'audit est à "
                f"l'état « {status.value} »"
            ),
            extensions={"status": status.value},
        )
    if decided is not None:
        raise AlreadyDecided(
            f"the certification decision on this audit is recorded ({decided})",
            detail_fr=(
                f"la décision de certification sur cet audit est déjà enregistrée ({decided})"
            ),
            extensions={"outcome": decided},
        )


#: What :func:`decision_gaps` says, in French.
DECISION_GAPS_FR = {
    "a granted certification needs its certificate_number": (
        "une certification accordée demande son certificate_number"
    ),
    "a refusal needs its reason": "un refus demande son motif (reason)",
    "a refusal carries no certificate_number": "un refus ne porte pas de certificate_number",
}


def decision_gaps(outcome: str, certificate_number: str | None, reason: str | None) -> list[str]:
    """What a decision lacks (or must not carry): a grant needs its certificate number, a
    refusal its reason and no certificate number. Empty when complete."""
    gaps = []
    if outcome == "granted" and not (certificate_number or "").strip():
        gaps.append("a granted certification needs its certificate_number")
    if outcome == "refused":
        if not (reason or "").strip():
            gaps.append("a refusal needs its reason")
        if certificate_number is not None:
            gaps.append("a refusal carries no certificate_number")
    return gaps


def _keys(*values: str | None) -> set[str]:
    """Comparable forms of ids and names: case, accents and spacing do not count."""
    out = set()
    for value in values:
        if not value:
            continue
        text = unicodedata.normalize("NFKD", value)
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = " ".join(text.casefold().split()).removeprefix("user:")
        if text:
            out.add(text)
    return out


def decider_impartial(
    decided_by: str, registered: Person | None, team: Sequence[Person]
) -> tuple[bool, str | None]:
    """Whether the decision maker (``decided_by``, and the registered auditor it names, if any)
    is none of the audit's team, compared by auditor id, platform account and name; the reason
    otherwise."""
    decider = _keys(decided_by)
    if registered is not None:
        decider |= _keys(registered.auditor_id, registered.user_id, registered.name)
    for member in team:
        if decider & _keys(member.auditor_id, member.user_id, member.name):
            who = member.name or member.auditor_id or member.user_id
            return False, f"{who} is on the audit's team"
    return True, None


# sites and sampling (IAF MD 1) -------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    """The sites an audit of a group must cover: the central function always, ``size`` member
    sites of which ``random_site_ids`` drawn at random (or every one when sampling is not
    allowed)."""

    sites: int  # member sites of the group (n)
    size: int  # member sites to audit (y)
    sampled: bool
    factor: float | None
    central_function: str
    random_site_ids: tuple[str, ...]
    required_site_ids: tuple[str, ...]  # the central function, then required members


def _ceil(value: float) -> int:
    """Ceiling that forgives floating-point dust (0.6 · 5 is 3, not 4)."""
    return math.ceil(value - 1e-9)


def _shuffled(members: Iterable[str], seed: str) -> list[str]:
    """Members in a reproducible random order (the same seed, the same draw)."""
    return sorted(members, key=lambda m: hashlib.sha256(f"{seed}:{m}".encode()).hexdigest())


def sample(
    rules: SchemeRules,
    audit_type: AuditType,
    *,
    central_function: str,
    members: Sequence[str],
    seed: str,
) -> Sample:
    """The sample of a group's audit (IAF MD 1 §8.2: y = ⌈factor·√n⌉ of the n member sites,
    factor 1 at the initial audit, 0.6 at surveillance, 0.8 at renewal; at least
    ``random_share`` of it drawn at random, reproducibly from ``seed``). When sampling is not
    allowed, every site at the initial audit and renewal, ⌈share·n⌉ at a surveillance (IAF
    MD 1 §6.2 / MD 19). A special audit requires the central function only."""
    sites = sorted({m for m in members if m != central_function})
    n = len(sites)
    policy = rules.sampling
    phase = {
        AuditType.STAGE1: "initial",
        AuditType.STAGE2: "initial",
        AuditType.INITIAL: "initial",
        AuditType.SURVEILLANCE: "surveillance",
        AuditType.FOLLOW_UP: "surveillance",
        AuditType.RENEWAL: "renewal",
    }.get(audit_type)
    if n == 0 or phase is None:
        return Sample(n, 0, False, None, central_function, (), (central_function,))
    if not policy.allowed:
        if phase == "surveillance":
            size = _ceil(policy.without_sampling_surveillance_share * n)
            return Sample(n, size, False, None, central_function, (), (central_function,))
        return Sample(n, n, False, None, central_function, (), (central_function, *sites))
    factor = {
        "initial": policy.initial_factor,
        "surveillance": policy.surveillance_factor,
        "renewal": policy.renewal_factor,
    }[phase]
    size = min(n, max(1, _ceil(factor * math.sqrt(n))))
    drawn = tuple(sorted(_shuffled(sites, seed)[: _ceil(policy.random_share * size)]))
    return Sample(n, size, True, factor, central_function, drawn, (central_function, *drawn))


def plan_site_gaps(
    plan_sites: Sequence[str] | None, sample_: Sample, members: Sequence[str]
) -> list[dict[str, str]]:
    """What an audit plan's ``site_ids`` lacks for its sample (``errors[]`` items, empty when
    it covers it): a site of the programme each, the central function, the random sites, at
    least ``size`` member sites. A single-site programme may leave ``site_ids`` out."""
    known = {sample_.central_function, *members}
    if plan_sites is None:
        if sample_.sites == 0:
            return []
        return [
            {
                "field": "body.site_ids",
                "message": "a group's audit plan names its sites",
                "message_fr": "le plan d'audit d'un groupement indique ses sites",
            }
        ]
    errors = [
        {
            "field": f"body.site_ids.{i}",
            "message": f"{site} is not a site of the programme",
            "message_fr": f"{site} n'est pas un site du programme",
        }
        for i, site in enumerate(plan_sites)
        if site not in known
    ]
    chosen = set(plan_sites)
    missing = [s for s in sample_.required_site_ids if s not in chosen]
    if missing:
        errors.append(
            {
                "field": "body.site_ids",
                "message": "the plan leaves out required sites (central function, random "
                f"draw): {', '.join(missing)}",
                "message_fr": "le plan omet des sites obligatoires (fonction centrale, tirage "
                f"aléatoire) : {', '.join(missing)}",
            }
        )
    covered = len(chosen & (set(members) - {sample_.central_function}))
    if covered < sample_.size:
        errors.append(
            {
                "field": "body.site_ids",
                "message": f"the sample is {sample_.size} member sites, the plan has {covered}",
                "message_fr": f"l'échantillon compte {sample_.size} sites membres, le plan "
                f"{covered}",
            }
        )
    return errors
