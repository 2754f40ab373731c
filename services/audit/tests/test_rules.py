"""Programme, audit, finding and impartiality rules, directly, with dates passed in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cap_audit.appeals import rules as appeal_rules
from cap_audit.audits import rules as audit_rules
from cap_audit.audits.rules import AuditStatus, AuditType, Scheme
from cap_audit.bodies import rules as body_rules
from cap_audit.decisions import rules as decision_rules
from cap_audit.findings import rules as finding_rules
from cap_audit.findings.rules import FindingStatus, FindingStep, FindingType
from cap_audit.impartiality import rules as impartiality_rules
from cap_audit.programmes import rules as programme_rules
from cap_shared.contracts import schemes

R = schemes.load()["CAP_ISO9001"]
R_RSE = schemes.load()["CAP_RSE"]


def test_iso_programme_stage1_stage2_then_yearly_surveillance_and_renewal() -> None:
    accepted = date(2026, 1, 10)
    before = programme_rules.schedule(
        Scheme.CAP_ISO9001,
        R,
        accepted_on=accepted,
        cycle_start=None,
        audits=[],
        today=date(2026, 2, 1),
    )
    assert [(i.type, i.due_by, i.status) for i in before] == [
        (AuditType.STAGE1, date(2026, 4, 10), "due"),
        (AuditType.STAGE2, date(2026, 7, 9), "due"),
    ]
    audits = [
        programme_rules.Done(
            AuditType.STAGE1, AuditStatus.CLOSED, "s1", closed_on=date(2026, 3, 1)
        ),
        programme_rules.Done(
            AuditType.STAGE2, AuditStatus.CLOSED, "s2", closed_on=date(2026, 5, 20)
        ),
    ]
    after = programme_rules.schedule(
        Scheme.CAP_ISO9001,
        R,
        accepted_on=accepted,
        cycle_start=date(2026, 6, 15),
        audits=audits,
        today=date(2027, 7, 1),
    )
    assert [(i.type.value, i.due_by.isoformat(), i.status, i.cycle_year) for i in after] == [
        ("stage1", "2026-04-10", "done", None),
        ("stage2", "2026-05-30", "done", None),  # 90 days after the closed stage 1
        ("surveillance", "2027-06-15", "overdue", 2027),  # within 12 months of the decision
        ("surveillance", "2028-12-31", "due", 2028),  # once per calendar year...
        ("renewal", "2029-03-17", "due", None),  # ...none in 2029: renewal 90 days before expiry
    ]


def test_rse_programme_initial_follow_up_at_18_months_renewal_at_36() -> None:
    items = programme_rules.schedule(
        Scheme.CAP_RSE,
        R_RSE,
        accepted_on=date(2026, 1, 10),
        cycle_start=date(2026, 5, 31),
        audits=[],
        today=date(2026, 6, 1),
    )
    assert [(i.type.value, i.due_by.isoformat()) for i in items] == [
        ("initial", "2026-04-10"),
        ("follow_up", "2027-11-30"),  # 18 months, the 31st falling back to the 30th
        ("renewal", "2029-03-02"),
    ]
    custom = R_RSE.model_copy(update={"follow_up_months": 12})
    assert programme_rules.schedule(
        Scheme.CAP_RSE,
        custom,
        accepted_on=date(2026, 1, 10),
        cycle_start=date(2026, 5, 31),
        audits=[],
        today=date(2026, 6, 1),
    )[1].due_by == date(2027, 5, 31)


def test_stage_order_and_recognition_in_force() -> None:
    with pytest.raises(audit_rules.RuleViolation, match="stage 2 comes after a closed stage 1"):
        programme_rules.may_open(
            Scheme.CAP_ISO9001, AuditType.STAGE2, closed_types=set(), recognition_in_force=False
        )
    programme_rules.may_open(
        Scheme.CAP_ISO9001,
        AuditType.STAGE2,
        closed_types={AuditType.STAGE1},
        recognition_in_force=False,
    )
    with pytest.raises(audit_rules.RuleViolation, match="recognition in force"):
        programme_rules.may_open(
            Scheme.CAP_ISO9001,
            AuditType.SURVEILLANCE,
            closed_types={AuditType.STAGE1, AuditType.STAGE2},
            recognition_in_force=False,
        )
    programme_rules.may_open(
        Scheme.CAP_ISO9001, AuditType.SURVEILLANCE, closed_types=set(), recognition_in_force=True
    )
    with pytest.raises(audit_rules.RuleViolation, match="does not exist"):
        programme_rules.may_open(
            Scheme.CAP_RSE, AuditType.STAGE1, closed_types=set(), recognition_in_force=False
        )


def test_qualifications_cover_the_audit() -> None:
    quals = [{"scheme": "CAP_ISO9001", "valid_from": "2025-01-01", "valid_until": "2026-06-30"}]
    assert body_rules.qualified(quals, Scheme.CAP_ISO9001, date(2026, 6, 29), date(2026, 6, 30))
    assert not body_rules.qualified(quals, Scheme.CAP_ISO9001, date(2026, 6, 30), date(2026, 7, 1))
    assert not body_rules.qualified(quals, Scheme.CAP_RSE, date(2026, 1, 10), date(2026, 1, 11))


def test_a_nonconformity_closes_only_through_a_verification() -> None:
    status = FindingStatus.OPEN
    status = finding_rules.next_finding_status(FindingType.MAJOR_NC, status, FindingStep.RESPOND)
    status = finding_rules.next_finding_status(FindingType.MAJOR_NC, status, FindingStep.SEND_BACK)
    assert status is FindingStatus.OPEN
    with pytest.raises(audit_rules.InvalidTransition):
        finding_rules.next_finding_status(
            FindingType.MAJOR_NC, status, FindingStep.VERIFY
        )  # nothing to verify
    status = finding_rules.next_finding_status(FindingType.MAJOR_NC, status, FindingStep.RESPOND)
    status = finding_rules.next_finding_status(
        FindingType.MAJOR_NC, status, FindingStep.ACCEPT_PLAN
    )
    assert (
        finding_rules.next_finding_status(FindingType.MAJOR_NC, status, FindingStep.VERIFY)
        is FindingStatus.VERIFIED_CLOSED
    )
    with pytest.raises(audit_rules.InvalidTransition):
        finding_rules.next_finding_status(
            FindingType.STRENGTH, FindingStatus.NOTED, FindingStep.RESPOND
        )


def test_closing_needs_majors_verified_and_minor_plans_accepted() -> None:
    with pytest.raises(audit_rules.RuleViolation) as caught:
        finding_rules.may_close(
            [
                (FindingType.MAJOR_NC, FindingStatus.PLAN_ACCEPTED),
                (FindingType.MINOR_NC, FindingStatus.OPEN),
            ]
        )
    assert caught.value.extensions == {"open_major_nc": 1, "open_minor_nc": 1}
    finding_rules.may_close(
        [
            (FindingType.MAJOR_NC, FindingStatus.VERIFIED_CLOSED),
            (FindingType.MINOR_NC, FindingStatus.PLAN_ACCEPTED),
            (FindingType.OBSERVATION, FindingStatus.NOTED),
        ]
    )


def test_deadlines_90_days_and_stage2_repeated_after_6_months() -> None:
    assert finding_rules.response_due(FindingType.MAJOR_NC, date(2026, 3, 1), R) == date(
        2026, 5, 30
    )
    assert finding_rules.response_due(FindingType.OBSERVATION, date(2026, 3, 1), R) is None
    open_major = [finding_rules.Major(FindingStatus.PLAN_ACCEPTED)]
    assert finding_rules.majors_late(date(2026, 3, 1), open_major, date(2026, 9, 1), R) == 0
    assert finding_rules.majors_late(date(2026, 3, 1), open_major, date(2026, 9, 2), R) == 1
    assert finding_rules.majors_late(date(2026, 3, 1), [], date(2027, 1, 1), R) == 0


def test_a_decision_on_a_reported_iso_stage2_or_renewal_once() -> None:
    iso, reported = Scheme.CAP_ISO9001, AuditStatus.REPORT_SUBMITTED
    for audit_type in (AuditType.STAGE2, AuditType.RENEWAL):
        for status in (AuditStatus.REPORT_SUBMITTED, AuditStatus.CLOSED):
            decision_rules.may_decide(iso, audit_type, status, decided=None)
    for audit_type in (AuditType.STAGE1, AuditType.SURVEILLANCE, AuditType.SPECIAL):
        with pytest.raises(audit_rules.RuleViolation, match="stage2 or renewal"):
            decision_rules.may_decide(iso, audit_type, reported, decided=None)
    for audit_type in (AuditType.INITIAL, AuditType.RENEWAL):
        with pytest.raises(audit_rules.RuleViolation) as not_iso:
            decision_rules.may_decide(Scheme.CAP_RSE, audit_type, reported, decided=None)
        assert not_iso.value.status == 409
    for status in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS, AuditStatus.CANCELLED):
        with pytest.raises(audit_rules.InvalidTransition) as early:
            decision_rules.may_decide(iso, AuditType.STAGE2, status, decided=None)
        assert (early.value.status, early.value.extensions) == (409, {"status": status.value})
    with pytest.raises(decision_rules.AlreadyDecided) as twice:
        decision_rules.may_decide(iso, AuditType.STAGE2, AuditStatus.CLOSED, decided="granted")
    assert (twice.value.status, twice.value.code) == (409, "already-decided")


def test_a_grant_names_its_certificate_and_a_refusal_its_reason() -> None:
    assert decision_rules.decision_gaps("granted", "FR-ISO-2027-0042", None) == []
    assert decision_rules.decision_gaps("granted", "FR-1", "périmètre réduit") == []
    assert decision_rules.decision_gaps("granted", None, None) == [
        "a granted certification needs its certificate_number"
    ]
    assert decision_rules.decision_gaps("granted", "  ", None) != []
    assert decision_rules.decision_gaps("refused", None, "NC majeure non levée") == []
    assert decision_rules.decision_gaps("refused", None, " ") == ["a refusal needs its reason"]
    assert decision_rules.decision_gaps("refused", "FR-1", None) == [
        "a refusal needs its reason",
        "a refusal carries no certificate_number",
    ]


def test_the_decision_maker_is_none_of_the_audit_team() -> None:
    team = [
        impartiality_rules.Person("aud-1", "user-1", "Jeanne Martin"),
        impartiality_rules.Person("aud-2", None, "Hélène Dupré"),
    ]
    assert impartiality_rules.decider_impartial("Comité de certification", None, team) == (
        True,
        None,
    )
    for decided_by, member in (
        ("aud-1", "Jeanne Martin"),  # auditor id
        ("USER-1", "Jeanne Martin"),  # platform account
        ("user:user-1", "Jeanne Martin"),  # as a token subject
        ("  jeanne   MARTIN ", "Jeanne Martin"),  # name: case and spacing do not count
        ("Helene Dupre", "Hélène Dupré"),  # nor accents
    ):
        assert impartiality_rules.decider_impartial(decided_by, None, team) == (
            False,
            f"{member} is on the audit's team",
        ), decided_by
    # A registered auditor, not on the team, who is one of its members under another entry.
    assert impartiality_rules.decider_impartial(
        "aud-9", impartiality_rules.Person("aud-9", "user-1", "J. Martin"), team
    ) == (
        False,
        "Jeanne Martin is on the audit's team",
    )
    assert impartiality_rules.decider_impartial(
        "aud-9", impartiality_rules.Person("aud-9", "user-9", "Paul Durand"), team
    ) == (True, None)
    assert impartiality_rules.decider_impartial("aud-1", None, []) == (True, None)


# cycles ----------------------------------------------------------------------------------------
def test_each_cycle_has_its_own_schedule_and_matches_only_its_audits() -> None:
    """After a renewal, cycle 2's surveillances are not "done" by cycle 1's audits; its
    renewal is due before the recognition's real expiry."""
    cycle1 = [
        programme_rules.Done(AuditType.STAGE1, AuditStatus.CLOSED, "s1", date(2026, 3, 1), cycle=1),
        programme_rules.Done(
            AuditType.STAGE2, AuditStatus.CLOSED, "s2", date(2026, 5, 20), cycle=1
        ),
        programme_rules.Done(AuditType.SURVEILLANCE, AuditStatus.CLOSED, "v1", cycle=1),
        programme_rules.Done(AuditType.SURVEILLANCE, AuditStatus.CLOSED, "v2", cycle=1),
        programme_rules.Done(AuditType.RENEWAL, AuditStatus.CLOSED, "r1", cycle=1),
    ]
    second = programme_rules.schedule(
        Scheme.CAP_ISO9001,
        R,
        accepted_on=date(2026, 1, 10),
        cycle=2,
        cycle_start=date(2029, 6, 15),  # the previous expiry
        expiry=date(2032, 6, 15),
        audits=cycle1,
        today=date(2030, 1, 1),
    )
    assert [(i.type.value, i.due_by.isoformat(), i.status, i.cycle) for i in second] == [
        ("surveillance", "2030-06-15", "due", 2),
        ("surveillance", "2031-12-31", "due", 2),
        ("renewal", "2032-03-17", "due", 2),
    ]
    matched = programme_rules.schedule(
        Scheme.CAP_ISO9001,
        R,
        accepted_on=date(2026, 1, 10),
        cycle=2,
        cycle_start=date(2029, 6, 15),
        expiry=date(2032, 6, 15),
        audits=[
            *cycle1,
            programme_rules.Done(AuditType.SURVEILLANCE, AuditStatus.IN_PROGRESS, "v3", cycle=2),
        ],
        today=date(2030, 1, 1),
    )
    assert [(i.audit_id, i.status) for i in matched] == [
        ("v3", "in_progress"),
        (None, "due"),
        (None, "due"),
    ]


def test_after_a_restoration_the_renewal_falls_before_the_real_expiry() -> None:
    """Restored four months after expiry, the certificate keeps the previous cycle's
    anniversary: the renewal is due from the real expiry, not from the restoration day."""
    items = programme_rules.schedule(
        Scheme.CAP_ISO9001,
        R,
        accepted_on=date(2026, 1, 10),
        cycle=2,
        cycle_start=date(2029, 6, 15),
        expiry=date(2032, 6, 15),
        audits=[],
        today=date(2029, 10, 20),
    )
    renewal = items[-1]
    assert (renewal.type, renewal.due_by) == (AuditType.RENEWAL, date(2032, 3, 17))
    assert renewal.due_by < date(2032, 6, 15)


def test_a_grant_a_renewal_or_a_restoration_after_expiry_starts_a_cycle() -> None:
    start = programme_rules.Cycle()
    first = programme_rules.cycle_after(
        start,
        status="active",
        previous_status=None,
        cycle_start=None,
        decided_on=date(2026, 6, 15),
        expiry=date(2029, 6, 15),
    )
    assert first == programme_rules.Cycle(
        1, date(2026, 6, 15), date(2029, 6, 15), date(2026, 6, 15)
    )
    suspended = programme_rules.cycle_after(
        first,
        status="suspended",
        previous_status="active",
        cycle_start=None,
        decided_on=date(2026, 6, 15),
        expiry=date(2029, 6, 15),
    )
    assert suspended == first
    again = programme_rules.cycle_after(  # the same grant delivered twice
        first,
        status="active",
        previous_status=None,
        cycle_start=date(2026, 6, 15),
        decided_on=date(2026, 6, 15),
        expiry=date(2029, 6, 15),
    )
    assert again.number == 1
    renewed = programme_rules.cycle_after(
        first,
        status="active",
        previous_status=None,
        cycle_start=None,  # not published: the previous expiry
        decided_on=date(2029, 5, 2),
        expiry=date(2032, 6, 15),
    )
    assert renewed == programme_rules.Cycle(
        2, date(2029, 6, 15), date(2032, 6, 15), date(2029, 5, 2)
    )
    restored = programme_rules.cycle_after(
        renewed,
        status="active",
        previous_status="expired",
        cycle_start=date(2032, 6, 15),
        decided_on=date(2032, 10, 1),
        expiry=date(2035, 6, 15),
    )
    assert (restored.number, restored.start, restored.expiry) == (
        3,
        date(2032, 6, 15),
        date(2035, 6, 15),
    )


# majors before certification ------------------------------------------------------------------
def test_an_answered_major_must_be_verified_within_its_days() -> None:
    assert finding_rules.verification_due(FindingType.MAJOR_NC, date(2027, 3, 1), R) == date(
        2027, 3, 31
    )
    assert finding_rules.verification_due(FindingType.MINOR_NC, date(2027, 3, 1), R) is None
    due = date(2027, 3, 31)
    for status in (FindingStatus.RESPONSE_SUBMITTED, FindingStatus.PLAN_ACCEPTED):
        assert not finding_rules.verification_overdue(FindingType.MAJOR_NC, status, due, due)
        assert finding_rules.verification_overdue(
            FindingType.MAJOR_NC, status, due, date(2027, 4, 1)
        )
    for status in (FindingStatus.OPEN, FindingStatus.VERIFIED_CLOSED, FindingStatus.APPEALED):
        assert not finding_rules.verification_overdue(
            FindingType.MAJOR_NC, status, due, date(2027, 5, 1)
        )
    assert finding_rules.is_open_major(FindingType.MAJOR_NC, FindingStatus.PLAN_ACCEPTED)
    assert not finding_rules.is_open_major(FindingType.MAJOR_NC, FindingStatus.WITHDRAWN)
    assert not finding_rules.is_open_major(FindingType.MINOR_NC, FindingStatus.OPEN)


def test_majors_late_after_six_months_call_for_a_new_stage2() -> None:
    last_day = date(2027, 3, 2)
    deadline = finding_rules.stage2_deadline(last_day, R)
    assert deadline == date(2027, 9, 2)
    after = deadline + timedelta(days=1)
    late_verified = finding_rules.Major(FindingStatus.VERIFIED_CLOSED, verified_on=after)
    in_time = finding_rules.Major(FindingStatus.VERIFIED_CLOSED, verified_on=deadline)
    assert finding_rules.majors_late(last_day, [in_time, late_verified], deadline, R) == 0
    assert finding_rules.majors_late(last_day, [in_time, late_verified], after, R) == 1
    # Withdrawn on appeal: nothing; under appeal: waits; time under appeal does not count.
    assert (
        finding_rules.majors_late(
            last_day, [finding_rules.Major(FindingStatus.WITHDRAWN)], after, R
        )
        == 0
    )
    assert (
        finding_rules.majors_late(last_day, [finding_rules.Major(FindingStatus.APPEALED)], after, R)
        == 0
    )
    appealed = finding_rules.Major(FindingStatus.OPEN, appealed_days=10)
    assert finding_rules.majors_late(last_day, [appealed], deadline + timedelta(days=10), R) == 0
    assert finding_rules.majors_late(last_day, [appealed], deadline + timedelta(days=11), R) == 1
    assert finding_rules.repeat_due(last_day, R) == date(2027, 12, 1)  # + stage2_within_days


# nonconformity lifecycle ----------------------------------------------------------------------
def test_a_minor_not_closed_by_the_next_audit_escalates() -> None:
    for status in (
        FindingStatus.OPEN,
        FindingStatus.RESPONSE_SUBMITTED,
        FindingStatus.PLAN_ACCEPTED,
    ):
        assert finding_rules.escalates_at_next_audit(FindingType.MINOR_NC, status, R)
    for status in (FindingStatus.VERIFIED_CLOSED, FindingStatus.WITHDRAWN, FindingStatus.APPEALED):
        assert not finding_rules.escalates_at_next_audit(FindingType.MINOR_NC, status, R)
    assert not finding_rules.escalates_at_next_audit(FindingType.MAJOR_NC, FindingStatus.OPEN, R)
    off = R.model_copy(update={"minor_escalates_at_next_audit": False})
    assert not finding_rules.escalates_at_next_audit(FindingType.MINOR_NC, FindingStatus.OPEN, off)


def test_minors_on_one_requirement_add_up_to_a_major_when_set() -> None:
    minors = [("8.4", None), ("8.4", None), ("8.4", "site-1"), ("7.2", None), ("8.4", None)]
    assert finding_rules.minors_adding_up(minors, R) == []  # off by default
    three = R.model_copy(update={"minors_as_major": 3})
    assert finding_rules.minors_adding_up(minors, three) == [("8.4", None, 3)]
    two = R.model_copy(update={"minors_as_major": 2})
    assert finding_rules.minors_adding_up(minors, two) == [("8.4", None, 3)]  # per site


def test_a_nonconformity_is_appealed_once_within_the_period() -> None:
    reported = date(2027, 3, 10)
    kwargs = {"opened_on": reported, "rules": R, "appealed_before": False}
    appeal_rules.may_appeal(
        FindingType.MAJOR_NC, FindingStatus.OPEN, today=date(2027, 4, 9), **kwargs
    )
    with pytest.raises(audit_rules.RuleViolation) as late:
        appeal_rules.may_appeal(
            FindingType.MAJOR_NC, FindingStatus.OPEN, today=date(2027, 4, 10), **kwargs
        )
    assert late.value.extensions["rule"].startswith("ISO/IEC 17021-1 §9.7")
    with pytest.raises(appeal_rules.AlreadyAppealed):
        appeal_rules.may_appeal(
            FindingType.MINOR_NC,
            FindingStatus.OPEN,
            today=reported,
            opened_on=reported,
            rules=R,
            appealed_before=True,
        )
    with pytest.raises(audit_rules.RuleViolation, match="only nonconformities"):
        appeal_rules.may_appeal(
            FindingType.OBSERVATION, FindingStatus.NOTED, today=reported, **kwargs
        )
    with pytest.raises(audit_rules.InvalidTransition):
        appeal_rules.may_appeal(
            FindingType.MAJOR_NC, FindingStatus.VERIFIED_CLOSED, today=reported, **kwargs
        )
    major, plan = FindingType.MAJOR_NC, FindingStatus.PLAN_ACCEPTED
    assert appeal_rules.appeal_result(major, plan, appeal_rules.AppealOutcome.UPHELD) == (
        major,
        plan,
    )
    assert appeal_rules.appeal_result(major, plan, appeal_rules.AppealOutcome.OVERTURNED) == (
        major,
        FindingStatus.WITHDRAWN,
    )
    assert appeal_rules.appeal_result(major, plan, appeal_rules.AppealOutcome.DOWNGRADED) == (
        FindingType.MINOR_NC,
        plan,
    )
    with pytest.raises(audit_rules.RuleViolation):
        appeal_rules.appeal_result(
            FindingType.MINOR_NC, plan, appeal_rules.AppealOutcome.DOWNGRADED
        )
    finding_rules.may_close(
        [(major, FindingStatus.WITHDRAWN), (FindingType.MINOR_NC, FindingStatus.WITHDRAWN)]
    )


# impartiality ----------------------------------------------------------------------------------
def test_consultancy_accompaniment_and_training_bar_for_the_cooling_off_audited_does_not() -> None:
    def fact(kind: str, on: date) -> impartiality_rules.EngagementFact:
        return impartiality_rules.EngagementFact(f"e-{kind}", kind, on, "org")

    audited = fact("audited", date(2026, 1, 10))
    assert (
        impartiality_rules.barring_engagement([audited], on=date(2026, 3, 1), cooling_off_months=24)
        is None
    )
    for kind in ("consultancy", "accompaniment", "training"):
        given = fact(kind, date(2024, 3, 1))
        assert (
            impartiality_rules.barring_engagement(
                [audited, given], on=date(2026, 3, 1), cooling_off_months=24
            )
            == given
        )
        assert (
            impartiality_rules.barring_engagement(
                [given], on=date(2026, 3, 2), cooling_off_months=24
            )
            is None
        )
        assert impartiality_rules.barred_until(given, 24) == date(2026, 3, 2)
    # Given after the audit's day: it does not bar that audit.
    later = fact("training", date(2026, 4, 1))
    assert (
        impartiality_rules.barring_engagement([later], on=date(2026, 3, 1), cooling_off_months=24)
        is None
    )


def test_the_same_lead_for_too_many_consecutive_cycles_when_a_limit_is_set() -> None:
    assert impartiality_rules.consecutive_lead_cycles({1, 2, 4}, 3) == 2
    assert impartiality_rules.consecutive_lead_cycles({1, 2, 4}, 5) == 1
    assert not impartiality_rules.lead_limit_reached({1, 2, 3}, 4, None)  # off by default
    assert impartiality_rules.lead_limit_reached({1, 2}, 3, 2)
    assert not impartiality_rules.lead_limit_reached(
        {1, 2}, 2, 2
    )  # several audits of one cycle: one cycle
    assert not impartiality_rules.lead_limit_reached({1}, 3, 1)  # a break


# sites and sampling ----------------------------------------------------------------------------
def test_group_sample_sizes_per_iaf_md1() -> None:
    def size(n: int, audit_type: AuditType, parameters: schemes.SchemeParameters = R) -> int:
        members = [f"site-{i:02d}" for i in range(n)]
        return programme_rules.sample(
            parameters, audit_type, central_function="hq", members=members, seed="a"
        ).size

    # √n initial, 0.6·√n surveillance, 0.8·√n renewal, rounded up (IAF MD 1 §8.2).
    assert [size(n, AuditType.STAGE2) for n in (1, 4, 9, 10, 25)] == [1, 2, 3, 4, 5]
    assert [size(n, AuditType.SURVEILLANCE) for n in (1, 4, 9, 10, 25)] == [1, 2, 2, 2, 3]
    assert [size(n, AuditType.RENEWAL) for n in (1, 4, 9, 10, 25)] == [1, 2, 3, 3, 4]
    assert size(0, AuditType.STAGE2) == 0
    # Sampling not allowed (CAP RSE): every site, ⌈30 %⌉ at a follow-up.
    assert size(10, AuditType.INITIAL, R_RSE) == 10
    assert size(10, AuditType.FOLLOW_UP, R_RSE) == 3
    assert size(10, AuditType.RENEWAL, R_RSE) == 10


def test_a_sample_draws_a_quarter_at_random_reproducibly_and_the_plan_must_cover_it() -> None:
    members = [f"site-{i:02d}" for i in range(16)]
    drawn = programme_rules.sample(
        R, AuditType.STAGE2, central_function="hq", members=members, seed="a1"
    )
    assert (drawn.size, len(drawn.random_site_ids)) == (4, 1)  # ⌈0.25 · 4⌉
    assert drawn.required_site_ids == ("hq", *drawn.random_site_ids)
    again = programme_rules.sample(
        R, AuditType.STAGE2, central_function="hq", members=members, seed="a1"
    )
    assert again == drawn
    others = {
        programme_rules.sample(
            R, AuditType.STAGE2, central_function="hq", members=members, seed=s
        ).random_site_ids
        for s in ("a2", "a3", "a4", "a5")
    }
    assert len(others | {drawn.random_site_ids}) > 1  # the draw depends on the audit
    chosen = [s for s in members if s not in drawn.random_site_ids][:3]
    good = ["hq", *drawn.random_site_ids, *chosen]
    assert programme_rules.plan_site_gaps(good, drawn, members) == []
    no_central = programme_rules.plan_site_gaps(good[1:], drawn, members)
    assert [e["field"] for e in no_central] == ["body.site_ids"]
    assert "hq" in no_central[0]["message"]
    no_random = programme_rules.plan_site_gaps(["hq", *chosen], drawn, members)
    assert any(drawn.random_site_ids[0] in e["message"] for e in no_random)
    short = programme_rules.plan_site_gaps(["hq", *drawn.random_site_ids], drawn, members)
    assert short == [
        {
            "field": "body.site_ids",
            "message": "the sample is 4 member sites, the plan has 1",
            "message_fr": "l'échantillon compte 4 sites membres, le plan 1",
        }
    ]
    stranger = programme_rules.plan_site_gaps([*good, "elsewhere"], drawn, members)
    assert stranger == [
        {
            "field": "body.site_ids.5",
            "message": "elsewhere is not a site of the programme",
            "message_fr": "elsewhere n'est pas un site du programme",
        }
    ]
    assert programme_rules.plan_site_gaps(None, drawn, members)[0]["field"] == "body.site_ids"
    alone = programme_rules.sample(
        R, AuditType.STAGE2, central_function="hq", members=[], seed="a1"
    )
    assert programme_rules.plan_site_gaps(None, alone, []) == []
