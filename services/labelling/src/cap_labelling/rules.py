"""Rules of applications, decisions and recognitions (pure: no I/O, dates passed in).

Recognition lifecycle (``docs/domain/domain.md`` §5.4, §7.6 C-D; every duration a scheme parameter,
``cap_shared.contracts.schemes``, shared with the audit service):

* granted ``active`` at the decision, valid ``validity_months`` (36);
* surveillance: CAP ISO 9001 first within 12 months of the decision, then one per calendar year
  (none in the expiry year); CAP RSE one follow-up at 18 months. A surveillance still missing
  ``surveillance_grace_days`` after its due date suspends the recognition, as does a major
  nonconformity past its response deadline;
* ``suspended`` for longer than ``suspension_max_months`` (6): ``withdrawn``;
* past its expiry date: ``expired``; a renewal decided within ``restoration_months`` (6) of the
  expiry restores it (new cycle, expiry counted from the previous one); later, a new initial
  application is needed;
* a renewal decided before expiry marks the cycle ``renewed`` and opens the next one;
* a cycle's schedule (surveillance, expiry) counts from its **start**: the decision for a first
  grant, the previous expiry for a renewal or a restoration.

Also here: which engagements bar deciding (cooling-off), the appeal period, and when a CAP ISO
9001 certificate's scope may be reduced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from cap_shared.contracts.schemes import SchemeParameters
from cap_shared.dates import add_months
from cap_shared.problems import Conflict


class Scheme(StrEnum):
    """The two recognition schemes."""

    CAP_RSE = "CAP_RSE"
    CAP_ISO9001 = "CAP_ISO9001"


class InvalidTransition(Conflict):
    """Invalid status transition."""

    code, title = "invalid-transition", "Invalid status transition"
    title_fr = "Changement de statut impossible"


# decisions --------------------------------------------------------------------------------
class DecisionStatus(StrEnum):
    """A decision file's status."""

    AWAITING_REPORT = "awaiting_report"
    PENDING = "pending"
    DEFERRED = "deferred"
    GRANTED = "granted"
    REFUSED = "refused"
    #: A grant recorded while majors of its audit are open: effective once they are verified.
    HELD = "held"


class DecisionOutcome(StrEnum):
    """The committee's decision on a file."""

    CONFIRM = "confirm"
    REFUSE = "refuse"
    DEFER = "defer"


OPEN_DECISIONS = frozenset(
    {DecisionStatus.AWAITING_REPORT, DecisionStatus.PENDING, DecisionStatus.DEFERRED}
)

#: Audit types whose report opens a decision file: the initial one and the renewal.
DECIDING_AUDITS = {
    Scheme.CAP_RSE: {"initial": "initial", "renewal": "renewal"},
    Scheme.CAP_ISO9001: {"stage2": "initial", "renewal": "renewal"},
}
#: Audit types that count as the cycle's surveillance.
SURVEILLANCE_AUDITS = frozenset({"surveillance", "follow_up"})


class AlreadyDecided(Conflict):
    """Already decided."""

    code, title = "already-decided", "Already decided"
    title_fr = "Déjà décidé"


class NoReport(Conflict):
    """No audit report yet."""

    code, title = "no-audit-report", "No audit report yet"
    title_fr = "Pas encore de rapport d'audit"


def may_decide(status: DecisionStatus) -> None:
    """A file is decided once, and only with its audit report."""
    if status is DecisionStatus.AWAITING_REPORT:
        raise NoReport(
            "the audit report has not been submitted: nothing to decide on yet",
            detail_fr="le rapport d'audit n'a pas été remis : rien à décider pour l'instant",
        )
    if status not in OPEN_DECISIONS:
        raise AlreadyDecided(
            f"this file was already decided ({status.value})",
            detail_fr=f"ce dossier a déjà été décidé ({status.value})",
            extensions={"status": status.value},
        )


# recognitions -------------------------------------------------------------------------------
class RecognitionStatus(StrEnum):
    """A recognition's status."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    RENEWED = "renewed"


class RecognitionStep(StrEnum):
    """The committee's steps on a recognition."""

    SUSPEND = "suspend"
    RESTORE = "restore"
    WITHDRAW = "withdraw"


_RECOGNITION_STEPS = {
    RecognitionStep.SUSPEND: ({RecognitionStatus.ACTIVE}, RecognitionStatus.SUSPENDED),
    RecognitionStep.RESTORE: ({RecognitionStatus.SUSPENDED}, RecognitionStatus.ACTIVE),
    RecognitionStep.WITHDRAW: (
        {RecognitionStatus.ACTIVE, RecognitionStatus.SUSPENDED},
        RecognitionStatus.WITHDRAWN,
    ),
}


class Notices(BaseModel):
    """When the labelling service tells people ahead of time (``LABELLING_NOTICES__...``)."""

    #: Days before expiry when ``label.expiring.v1`` is published.
    expiring_days: list[int] = Field(default=[90, 30, 7], max_length=10)
    #: Days before a surveillance's due date when ``label.surveillance_due.v1`` is published.
    surveillance_days: int = Field(default=60, ge=0, le=365)


@dataclass(frozen=True)
class LifecycleRules:
    """What the recognition lifecycle reasons with: each scheme's parameters (the one source,
    :mod:`cap_shared.contracts.schemes`) and the notice days."""

    parameters: Mapping[str, SchemeParameters]
    notices: Notices = dataclass_field(default_factory=Notices)

    def of(self, scheme: str) -> SchemeParameters:
        """The parameters of ``scheme``."""
        return self.parameters[str(scheme)]


def next_recognition_status(status: RecognitionStatus, step: RecognitionStep) -> RecognitionStatus:
    """A manual step by the committee: suspend, restore or withdraw."""
    sources, target = _RECOGNITION_STEPS[step]
    if status not in sources:
        raise InvalidTransition(
            f"cannot {step.value} a recognition that is {status.value}",
            detail_fr=(
                f"impossible d'effectuer « {step.value} » sur une reconnaissance à "
                f"l'état « {status.value} »"
            ),
            extensions={"status": status.value},
        )
    return target


def surveillance_dates(scheme: Scheme, cycle_start: date, rules: LifecycleRules) -> list[date]:
    """When the cycle's surveillance audits are due, counted from the cycle's start (the
    decision for a first grant, the previous expiry for a renewal or a restoration)."""
    parameters = rules.of(scheme)
    expiry = add_months(cycle_start, parameters.validity_months)
    if parameters.surveillance == "follow_up":
        due = add_months(cycle_start, parameters.follow_up_months)
        return [due] if due < expiry else []
    first = add_months(cycle_start, parameters.first_surveillance_months)
    dates = [first]
    # Then one per calendar year, none in the expiry (renewal) year.
    dates += [date(year, 12, 31) for year in range(first.year + 1, expiry.year)]
    return [d for d in dates if d < expiry]


def next_surveillance(
    scheme: Scheme, cycle_start: date, done: int, rules: LifecycleRules
) -> date | None:
    """The next surveillance due date, ``done`` surveillances having been reported."""
    dates = surveillance_dates(scheme, cycle_start, rules)
    return dates[done] if done < len(dates) else None


@dataclass(frozen=True)
class RecognitionState:
    """What the automatic rules need to know about a recognition."""

    scheme: Scheme
    status: RecognitionStatus
    cycle_start: date
    expiry_date: date
    suspended_on: date | None
    surveillances_done: int


@dataclass(frozen=True)
class Change:
    """An automatic status change and its public reason code."""

    target: RecognitionStatus
    reason_code: str


def due_change(state: RecognitionState, today: date, rules: LifecycleRules) -> Change | None:
    """The change the calendar calls for today, if any (expiry first, then withdrawal, then
    suspension for a missed surveillance)."""
    if state.status not in (RecognitionStatus.ACTIVE, RecognitionStatus.SUSPENDED):
        return None
    parameters = rules.of(state.scheme)
    if today > state.expiry_date:
        return Change(RecognitionStatus.EXPIRED, "expired")
    if (
        state.status is RecognitionStatus.SUSPENDED
        and state.suspended_on is not None
        and today >= add_months(state.suspended_on, parameters.suspension_max_months)
    ):
        return Change(RecognitionStatus.WITHDRAWN, "suspension_period_ended")
    if state.status is RecognitionStatus.ACTIVE:
        due = next_surveillance(state.scheme, state.cycle_start, state.surveillances_done, rules)
        if due is not None and today > due + timedelta(days=parameters.surveillance_grace_days):
            return Change(RecognitionStatus.SUSPENDED, "surveillance_overdue")
    return None


class RestorationWindowPassed(Conflict):
    """Too late to restore."""

    code, title = "restoration-window-passed", "Too late to restore"
    title_fr = "Délai de rétablissement dépassé"


@dataclass(frozen=True)
class Cycle:
    """A recognition's cycle: decided, effective, expiring; its schedule counts from
    ``cycle_start`` (the decision when None)."""

    decided_on: date
    effective_date: date
    expiry_date: date
    cycle_start: date | None = None

    @property
    def start(self) -> date:
        """The day the cycle's surveillance schedule counts from."""
        return self.cycle_start or self.decided_on


def initial_cycle(decided_on: date, parameters: SchemeParameters) -> Cycle:
    """A first recognition: effective at the decision, valid ``validity_months``; the cycle
    starts at the decision (17021-1 §9.1.3.2)."""
    return Cycle(
        decided_on, decided_on, add_months(decided_on, parameters.validity_months), decided_on
    )


def renewal_cycle(
    previous_status: RecognitionStatus,
    previous_expiry: date,
    decided_on: date,
    parameters: SchemeParameters,
) -> Cycle:
    """The next cycle: effective at the renewal decision, starting at the previous expiry (its
    surveillance and expiry count from there, 17021-1 §9.6.3.2; a restoration too, §9.6.3.2.3).

    An expired recognition is restored only within ``restoration_months`` of its expiry; a
    withdrawn or already renewed one is not renewed at all.
    """
    if previous_status in (RecognitionStatus.WITHDRAWN, RecognitionStatus.RENEWED):
        raise InvalidTransition(
            f"a {previous_status.value} recognition is not renewed",
            detail_fr=(
                f"une reconnaissance à l'état « {previous_status.value} » ne se renouvelle pas"
            ),
            extensions={"status": previous_status.value},
        )
    if decided_on > previous_expiry:
        limit = add_months(previous_expiry, parameters.restoration_months)
        if decided_on > limit:
            raise RestorationWindowPassed(
                f"the recognition expired on {previous_expiry.isoformat()}; restoration was possible "
                f"until {limit.isoformat()}: a new initial application is needed",
                detail_fr=(
                    f"la reconnaissance a expiré le {previous_expiry.isoformat()} ; le "
                    f"rétablissement était possible jusqu'au {limit.isoformat()} : une "
                    "nouvelle candidature initiale est nécessaire"
                ),
                extensions={"expired_on": previous_expiry.isoformat(), "limit": limit.isoformat()},
            )
    return Cycle(
        decided_on,
        decided_on,
        add_months(previous_expiry, parameters.validity_months),
        previous_expiry,
    )


def expiring_step(expiry_date: date, today: date, days: list[int]) -> int | None:
    """The most urgent expiry notice step reached (90, 30, 7 days before), or None.

    A job that missed a step (down for a while) sends only the most urgent one reached.
    """
    left = (expiry_date - today).days
    reached = [d for d in days if 0 <= left <= d]
    return min(reached) if reached else None


# impartiality -------------------------------------------------------------------------------
#: Engagements with a structure that bar deciding on it (ISO/IEC 17021-1 §5.2.11): consultancy,
#: accompaniment (a facilitator's accompanied CAP session), training given.
BARRING_ENGAGEMENTS = frozenset({"consultancy", "accompaniment", "training"})
COOLING_OFF_RULE = (
    "ISO/IEC 17021-1 §5.2.11 cooling-off: no decision on a structure by someone who gave it "
    "consultancy, accompaniment or training within the scheme's cooling_off_months"
)


def barred_until(ended_on: date | None, months: int) -> date | None:
    """The last day an engagement that ended on ``ended_on`` bars its person (None: it has
    not ended, so it bars until it does and ``months`` after)."""
    if ended_on is None:
        return None
    return add_months(ended_on, months) - timedelta(days=1)


def bars(
    kind: str, started_on: date | None, ended_on: date | None, today: date, months: int
) -> bool:
    """Whether an engagement bars its person from deciding on the structure ``today``."""
    if kind not in BARRING_ENGAGEMENTS:
        return False
    if started_on is not None and started_on > today:
        return False
    until = barred_until(ended_on, months)
    return until is None or today <= until


# appeals (ISO/IEC 17021-1 §9.7) -------------------------------------------------------------
APPEAL_RULE = (
    "ISO/IEC 17021-1 §9.7: an appeal is decided by persons not involved in the decision "
    "appealed (nor in the audit)"
)


class NotAppealable(Conflict):
    """This decision cannot be appealed."""

    code, title = "not-appealable", "This decision cannot be appealed"
    title_fr = "Cette décision ne peut pas faire l'objet d'un recours"


class AppealPeriodOver(Conflict):
    """Too late to appeal."""

    code, title = "appeal-period-over", "Too late to appeal"
    title_fr = "Délai de recours dépassé"


def appeal_deadline(decided_on: date, appeal_days: int) -> date:
    """The last day a decision may be appealed."""
    return decided_on + timedelta(days=appeal_days)


def may_appeal(
    scheme: Scheme, status: DecisionStatus, decided_on: date | None, today: date, appeal_days: int
) -> date:
    """A refusal, or a granted CAP RSE level, is appealed within ``appeal_days`` of the
    decision; the last day to appeal."""
    appealable = (
        {DecisionStatus.GRANTED, DecisionStatus.REFUSED}
        if scheme is Scheme.CAP_RSE
        else {DecisionStatus.REFUSED}
    )
    if status not in appealable or decided_on is None:
        raise NotAppealable(
            f"a {status.value} {scheme.value} file cannot be appealed"
            + ("" if scheme is Scheme.CAP_RSE else " (only a refusal can)"),
            detail_fr=f"un dossier {scheme.value} à l'état « {status.value} » ne peut pas faire "
            "l'objet d'un recours"
            + ("" if scheme is Scheme.CAP_RSE else " (seul un refus le peut)"),
            extensions={"status": status.value},
        )
    deadline = appeal_deadline(decided_on, appeal_days)
    if today > deadline:
        raise AppealPeriodOver(
            f"the decision of {decided_on.isoformat()} could be appealed until "
            f"{deadline.isoformat()}",
            detail_fr=(
                f"la décision du {decided_on.isoformat()} pouvait faire l'objet "
                f"d'un recours jusqu'au {deadline.isoformat()}"
            ),
            extensions={"decided_on": decided_on.isoformat(), "deadline": deadline.isoformat()},
        )
    return deadline


# scope reduction (CAP ISO 9001) -----------------------------------------------------------
SCOPE_RULE = (
    "ISO/IEC 17021-1 §9.6.5: the scope is reduced to exclude the parts not meeting the "
    "requirements, instead of suspending or withdrawing the whole certificate"
)


class ScopeReductionNotAllowed(Conflict):
    """The scope of this recognition cannot be reduced."""

    code, title = "scope-reduction-not-allowed", "The scope of this recognition cannot be reduced"
    title_fr = "Le périmètre de cette reconnaissance ne peut pas être réduit"


def scope_reduced_status(
    scheme: Scheme, status: RecognitionStatus, expiry_date: date, today: date
) -> RecognitionStatus:
    """A certificate in force (active, or suspended: the reduction replaces the suspension)
    keeps — or gets back — ``active`` with its reduced scope; CAP ISO 9001 only."""
    if scheme is not Scheme.CAP_ISO9001:
        raise ScopeReductionNotAllowed(
            "only a CAP ISO 9001 certificate has its scope reduced (a label has a level)",
            detail_fr=(
                "seul un certificat CAP ISO 9001 voit son périmètre réduit (un label a un niveau)"
            ),
            extensions={"rule": SCOPE_RULE},
        )
    if status not in (RecognitionStatus.ACTIVE, RecognitionStatus.SUSPENDED) or today > expiry_date:
        raise ScopeReductionNotAllowed(
            f"a {status.value} certificate is not in force: its scope is not reduced",
            detail_fr=(
                f"un certificat à l'état « {status.value} » n'est pas en vigueur : "
                "son périmètre ne se réduit pas"
            ),
            extensions={"status": status.value, "rule": SCOPE_RULE},
        )
    return RecognitionStatus.ACTIVE
