"""Rules of audit programmes, audits, findings and impartiality. Pure: no I/O, dates passed in.

Programme (``domain.md`` §5.1, §7.6 C-D), every duration a scheme parameter
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
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
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


NONCONFORMITIES = frozenset({FindingType.MAJOR_NC, FindingType.MINOR_NC})


#: A scheme's durations and limits: the one source shared with the labelling service.
SchemeRules = SchemeParameters


@dataclass(frozen=True)
class Done:
    """An audit of the programme, as the schedule sees it."""

    type: AuditType
    status: AuditStatus
    audit_id: str
    closed_on: date | None = None


@dataclass(frozen=True)
class DueItem:
    """An audit the programme expects, by when, and how it stands."""

    type: AuditType
    due_by: date
    audit_id: str | None
    status: str  # "done", "in_progress", "due", "overdue"
    cycle_year: int | None = None


def schedule(
    scheme: Scheme,
    rules: SchemeRules,
    *,
    accepted_on: date,
    decided_on: date | None,
    audits: list[Done],
    today: date,
) -> list[DueItem]:
    """The programme's audits with computed due dates, matched with the audits done so far."""
    wanted: list[tuple[AuditType, date, int | None]] = []
    if scheme is Scheme.CAP_ISO9001:
        stage1_due = accepted_on + timedelta(days=rules.initial_within_days)
        wanted.append((AuditType.STAGE1, stage1_due, None))
        stage1_closed = next(
            (a.closed_on for a in audits if a.type is AuditType.STAGE1 and a.closed_on), None
        )
        wanted.append(
            (
                AuditType.STAGE2,
                (stage1_closed or stage1_due) + timedelta(days=rules.stage2_within_days),
                None,
            )
        )
        if decided_on is not None:
            expiry = add_months(decided_on, rules.validity_months)
            first = add_months(decided_on, rules.first_surveillance_months)
            wanted.append((AuditType.SURVEILLANCE, first, first.year))
            # Then one per calendar year, not in the renewal year.
            for year in range(first.year + 1, expiry.year):
                wanted.append((AuditType.SURVEILLANCE, date(year, 12, 31), year))
            wanted.append(
                (AuditType.RENEWAL, expiry - timedelta(days=rules.renewal_lead_days), None)
            )
    else:
        wanted.append(
            (AuditType.INITIAL, accepted_on + timedelta(days=rules.initial_within_days), None)
        )
        if decided_on is not None:
            if rules.surveillance == "follow_up":
                wanted.append(
                    (AuditType.FOLLOW_UP, add_months(decided_on, rules.follow_up_months), None)
                )
            expiry = add_months(decided_on, rules.validity_months)
            wanted.append(
                (AuditType.RENEWAL, expiry - timedelta(days=rules.renewal_lead_days), None)
            )

    used: set[str] = set()
    items = []
    for audit_type, due_by, cycle_year in wanted:
        match = next(
            (
                a
                for a in audits
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
            DueItem(audit_type, due_by, match.audit_id if match else None, status, cycle_year)
        )
    return items


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


class RuleViolation(ProblemError):
    """A certification rule forbids this (stage order, active recognition, open NCs...)."""

    status, code, title = 409, "rule-violation", "Certification rule not met"


class NotImpartial(ProblemError):
    """The auditor advised or audited the organisation within the impartiality window."""

    status, code, title = 409, "auditor-not-impartial", "Auditor not impartial"


class NotQualified(ProblemError):
    """The auditor holds no valid qualification for the scheme on the audit's dates."""

    status, code, title = 422, "auditor-not-qualified", "Auditor not qualified"


def next_audit_status(status: AuditStatus, step: AuditStep) -> AuditStatus:
    """The status after ``step``, or :class:`InvalidTransition`."""
    target = _STEPS[step].get(status)
    if target is None:
        raise InvalidTransition(
            f"cannot {step.value} an audit that is {status.value}",
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
    recognition_active: bool,
) -> None:
    """Stage 2 only after a closed stage 1; surveillance and follow-up only on an active
    recognition; the initial audits only once the scheme is right."""
    iso = {
        AuditType.STAGE1,
        AuditType.STAGE2,
        AuditType.SURVEILLANCE,
        AuditType.RENEWAL,
        AuditType.SPECIAL,
    }
    rse = {AuditType.INITIAL, AuditType.FOLLOW_UP, AuditType.RENEWAL, AuditType.SPECIAL}
    if audit_type not in (iso if scheme is Scheme.CAP_ISO9001 else rse):
        raise RuleViolation(f"a {audit_type.value} audit does not exist in {scheme.value}")
    if audit_type is AuditType.STAGE2 and AuditType.STAGE1 not in closed_types:
        raise RuleViolation("stage 2 comes after a closed stage 1")
    if audit_type in (AuditType.SURVEILLANCE, AuditType.FOLLOW_UP) and not recognition_active:
        raise RuleViolation(f"a {audit_type.value} audit needs an active recognition")


def impartial(
    engagements: list[tuple[str, date]], *, on: date, window_months: int
) -> tuple[bool, str | None]:
    """Whether none of the auditor's engagements with the organisation (advised / audited, on
    a date) falls within ``window_months`` before ``on``; the reason otherwise."""
    for kind, day in sorted(engagements, key=lambda e: e[1], reverse=True):
        if add_months(on, -window_months) <= day <= on:
            return False, f"{kind} the organisation on {day.isoformat()}"
    return True, None


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
        raise InvalidTransition(f"a {kind.value} needs no answer")
    target = _FINDING_STEPS[step].get(status)
    if target is None:
        raise InvalidTransition(
            f"cannot {step.value} a nonconformity that is {status.value}",
            extensions={"status": status.value},
        )
    return target


def response_due(kind: FindingType, submitted_on: date, rules: SchemeRules) -> date | None:
    """Deadline to answer a nonconformity (none for other findings)."""
    if kind not in NONCONFORMITIES:
        return None
    return submitted_on + timedelta(days=rules.nc_response_days)


def may_close(findings: list[tuple[FindingType, FindingStatus]]) -> None:
    """An audit closes when every major NC is verified and every minor has an accepted plan."""
    open_majors = sum(
        1
        for k, s in findings
        if k is FindingType.MAJOR_NC and s is not FindingStatus.VERIFIED_CLOSED
    )
    open_minors = sum(
        1
        for k, s in findings
        if k is FindingType.MINOR_NC
        and s not in (FindingStatus.PLAN_ACCEPTED, FindingStatus.VERIFIED_CLOSED)
    )
    if open_majors or open_minors:
        raise RuleViolation(
            f"{open_majors} major NC not verified, {open_minors} minor NC without an accepted plan",
            extensions={"open_major_nc": open_majors, "open_minor_nc": open_minors},
        )


def stage2_must_repeat(
    stage2_last_day: date, today: date, open_majors: int, rules: SchemeRules
) -> bool:
    """Majors not verified within 6 months after the last day of stage 2: stage 2 again."""
    return open_majors > 0 and today > add_months(stage2_last_day, rules.major_verification_months)


# certification decision ----------------------------------------------------------------------
#: The audits a CAP ISO 9001 certification decision is taken on.
DECIDABLE_TYPES = frozenset({AuditType.STAGE2, AuditType.RENEWAL})
#: An audit is decided on once its report is submitted.
REPORTED = frozenset({AuditStatus.REPORT_SUBMITTED, AuditStatus.CLOSED})


class AlreadyDecided(Conflict):
    """The body's decision on this audit is already recorded."""

    code, title = "already-decided", "Already decided"


class DeciderNotImpartial(ProblemError):
    """The decision maker is one of the audit's auditors (ISO/IEC 17021-1 §9.5.1.2)."""

    status, code, title = 422, "not-impartial", "Decision maker not impartial"


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
            extensions={"scheme": scheme.value, "audit_type": audit_type.value},
        )
    if status not in REPORTED:
        raise InvalidTransition(
            f"the decision comes after the audit's report, and the audit is {status.value}",
            extensions={"status": status.value},
        )
    if decided is not None:
        raise AlreadyDecided(
            f"the certification decision on this audit is recorded ({decided})",
            extensions={"outcome": decided},
        )


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
