"""Recognition lifecycle rules, on fixed dates (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from cap_labelling import rules
from cap_labelling.rules import LifecycleRules, RecognitionState, RecognitionStatus, Scheme
from cap_shared.contracts import schemes

RULES = LifecycleRules(schemes.load())
ISO = RULES.of(Scheme.CAP_ISO9001)
DECIDED = date(2026, 3, 15)


def state(status: RecognitionStatus = RecognitionStatus.ACTIVE, **kw: object) -> RecognitionState:
    values: dict[str, object] = {
        "scheme": Scheme.CAP_ISO9001,
        "status": status,
        "cycle_start": DECIDED,
        "expiry_date": date(2029, 3, 15),
        "suspended_on": None,
        "surveillances_done": 0,
    }
    values.update(kw)
    return RecognitionState(**values)  # type: ignore[arg-type]


def test_surveillance_dates_per_scheme() -> None:
    # ISO: first within 12 months, then one per calendar year, none in the expiry year.
    assert rules.surveillance_dates(Scheme.CAP_ISO9001, DECIDED, RULES) == [
        date(2027, 3, 15),
        date(2028, 12, 31),
    ]
    # CAP RSE: one follow-up at 18 months.
    assert rules.surveillance_dates(Scheme.CAP_RSE, DECIDED, RULES) == [date(2027, 9, 15)]
    assert rules.next_surveillance(Scheme.CAP_ISO9001, DECIDED, 2, RULES) is None


def test_a_missed_surveillance_suspends_the_day_after_it_was_due() -> None:
    assert rules.due_change(state(), date(2027, 3, 15), RULES) is None
    change = rules.due_change(state(), date(2027, 3, 16), RULES)
    assert change == rules.Change(RecognitionStatus.SUSPENDED, "surveillance_overdue")
    # Done: the next one is due at the end of 2028.
    assert rules.due_change(state(surveillances_done=1), date(2027, 3, 16), RULES) is None
    graceful = LifecycleRules(
        {**RULES.parameters, "CAP_ISO9001": ISO.model_copy(update={"surveillance_grace_days": 30})}
    )
    assert rules.due_change(state(), date(2027, 4, 14), graceful) is None
    assert rules.due_change(state(), date(2027, 4, 15), graceful) is not None


def test_six_months_of_suspension_withdraw() -> None:
    suspended = state(RecognitionStatus.SUSPENDED, suspended_on=date(2027, 3, 16))
    assert rules.due_change(suspended, date(2027, 9, 15), RULES) is None
    assert rules.due_change(suspended, date(2027, 9, 16), RULES) == rules.Change(
        RecognitionStatus.WITHDRAWN, "suspension_period_ended"
    )


def test_expiry_comes_first_and_ends_the_rules() -> None:
    suspended = state(RecognitionStatus.SUSPENDED, suspended_on=date(2029, 1, 1))
    assert rules.due_change(suspended, date(2029, 3, 16), RULES) == rules.Change(
        RecognitionStatus.EXPIRED, "expired"
    )
    for final in (
        RecognitionStatus.EXPIRED,
        RecognitionStatus.WITHDRAWN,
        RecognitionStatus.RENEWED,
    ):
        assert rules.due_change(state(final), date(2035, 1, 1), RULES) is None


def test_renewal_before_expiry_and_restoration_within_six_months() -> None:
    expiry = date(2029, 3, 15)
    early = rules.renewal_cycle(RecognitionStatus.ACTIVE, expiry, date(2029, 1, 10), ISO)
    assert (early.effective_date, early.expiry_date) == (date(2029, 1, 10), date(2032, 3, 15))
    late = rules.renewal_cycle(RecognitionStatus.EXPIRED, expiry, date(2029, 9, 15), ISO)
    assert late.expiry_date == date(2032, 3, 15)  # counted from the previous cycle
    with pytest.raises(rules.RestorationWindowPassed):
        rules.renewal_cycle(RecognitionStatus.EXPIRED, expiry, date(2029, 9, 16), ISO)
    with pytest.raises(rules.InvalidTransition):
        rules.renewal_cycle(RecognitionStatus.WITHDRAWN, expiry, date(2029, 1, 10), ISO)
    assert rules.initial_cycle(DECIDED, ISO).expiry_date == date(2029, 3, 15)


def test_a_renewed_cycle_counts_from_the_previous_expiry() -> None:
    """Renewed before expiry or restored after it, the next cycle starts at the previous
    expiry: its surveillance is due from there, not from the renewal decision."""
    expiry = date(2029, 3, 15)
    early = rules.renewal_cycle(RecognitionStatus.ACTIVE, expiry, date(2029, 1, 10), ISO)
    assert (early.decided_on, early.start) == (date(2029, 1, 10), expiry)
    assert rules.surveillance_dates(Scheme.CAP_ISO9001, early.start, RULES) == [
        date(2030, 3, 15),
        date(2031, 12, 31),
    ]
    restored = rules.renewal_cycle(RecognitionStatus.EXPIRED, expiry, date(2029, 7, 1), ISO)
    assert restored.start == expiry
    assert rules.surveillance_dates(Scheme.CAP_RSE, restored.start, RULES) == [date(2030, 9, 15)]
    assert rules.initial_cycle(DECIDED, ISO).start == DECIDED


def test_only_an_iso_certificate_in_force_has_its_scope_reduced() -> None:
    today = date(2027, 6, 1)
    for status in (RecognitionStatus.ACTIVE, RecognitionStatus.SUSPENDED):
        assert (
            rules.scope_reduced_status(Scheme.CAP_ISO9001, status, date(2029, 3, 15), today)
            is RecognitionStatus.ACTIVE
        )
    for scheme, status, expiry in (
        (Scheme.CAP_RSE, RecognitionStatus.ACTIVE, date(2029, 3, 15)),
        (Scheme.CAP_ISO9001, RecognitionStatus.WITHDRAWN, date(2029, 3, 15)),
        (Scheme.CAP_ISO9001, RecognitionStatus.EXPIRED, date(2027, 3, 15)),
        (Scheme.CAP_ISO9001, RecognitionStatus.SUSPENDED, date(2027, 5, 31)),  # past expiry
    ):
        with pytest.raises(rules.ScopeReductionNotAllowed):
            rules.scope_reduced_status(scheme, status, expiry, today)


def test_appeals_within_the_appeal_period() -> None:
    decided = date(2027, 6, 1)
    granted, refused = rules.DecisionStatus.GRANTED, rules.DecisionStatus.REFUSED
    assert rules.may_appeal(Scheme.CAP_RSE, granted, decided, date(2027, 7, 1), 30) == date(
        2027, 7, 1
    )
    with pytest.raises(rules.AppealPeriodOver):
        rules.may_appeal(Scheme.CAP_RSE, refused, decided, date(2027, 7, 2), 30)
    with pytest.raises(rules.NotAppealable):  # an ISO grant: the body's, not appealed here
        rules.may_appeal(Scheme.CAP_ISO9001, granted, decided, decided, 30)
    with pytest.raises(rules.NotAppealable):
        rules.may_appeal(Scheme.CAP_RSE, rules.DecisionStatus.PENDING, None, decided, 30)


def test_expiry_notices_at_90_30_and_7_days() -> None:
    expiry, days = date(2029, 3, 15), [90, 30, 7]
    assert rules.expiring_step(expiry, date(2028, 12, 14), days) is None  # 91 days
    assert rules.expiring_step(expiry, date(2028, 12, 15), days) == 90
    assert rules.expiring_step(expiry, date(2029, 2, 13), days) == 30
    assert rules.expiring_step(expiry, date(2029, 3, 8), days) == 7
    assert rules.expiring_step(expiry, date(2029, 3, 16), days) is None  # expired


def test_manual_steps() -> None:
    assert (
        rules.next_recognition_status(RecognitionStatus.ACTIVE, rules.RecognitionStep.SUSPEND)
        is RecognitionStatus.SUSPENDED
    )
    with pytest.raises(rules.InvalidTransition):
        rules.next_recognition_status(RecognitionStatus.WITHDRAWN, rules.RecognitionStep.RESTORE)
    with pytest.raises(rules.AlreadyDecided):
        rules.may_decide(rules.DecisionStatus.GRANTED)
    with pytest.raises(rules.NoReport):
        rules.may_decide(rules.DecisionStatus.AWAITING_REPORT)
