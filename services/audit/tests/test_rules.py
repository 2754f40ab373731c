"""Programme, audit, finding and impartiality rules, directly, with dates passed in."""

from __future__ import annotations

from datetime import date

import pytest

from cap_audit import rules
from cap_audit.rules import AuditStatus, AuditType, FindingStatus, FindingStep, FindingType, Scheme
from cap_shared.contracts import schemes

R = schemes.load()["CAP_ISO9001"]
R_RSE = schemes.load()["CAP_RSE"]


def test_iso_programme_stage1_stage2_then_yearly_surveillance_and_renewal() -> None:
    accepted = date(2026, 1, 10)
    before = rules.schedule(
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
        rules.Done(AuditType.STAGE1, AuditStatus.CLOSED, "s1", closed_on=date(2026, 3, 1)),
        rules.Done(AuditType.STAGE2, AuditStatus.CLOSED, "s2", closed_on=date(2026, 5, 20)),
    ]
    after = rules.schedule(
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
    items = rules.schedule(
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
    assert rules.schedule(
        Scheme.CAP_RSE,
        custom,
        accepted_on=date(2026, 1, 10),
        cycle_start=date(2026, 5, 31),
        audits=[],
        today=date(2026, 6, 1),
    )[1].due_by == date(2027, 5, 31)


def test_stage_order_and_active_recognition() -> None:
    with pytest.raises(rules.RuleViolation, match="stage 2 comes after a closed stage 1"):
        rules.may_open(
            Scheme.CAP_ISO9001, AuditType.STAGE2, closed_types=set(), recognition_active=False
        )
    rules.may_open(
        Scheme.CAP_ISO9001,
        AuditType.STAGE2,
        closed_types={AuditType.STAGE1},
        recognition_active=False,
    )
    with pytest.raises(rules.RuleViolation, match="active recognition"):
        rules.may_open(
            Scheme.CAP_ISO9001,
            AuditType.SURVEILLANCE,
            closed_types={AuditType.STAGE1, AuditType.STAGE2},
            recognition_active=False,
        )
    rules.may_open(
        Scheme.CAP_ISO9001, AuditType.SURVEILLANCE, closed_types=set(), recognition_active=True
    )
    with pytest.raises(rules.RuleViolation, match="does not exist"):
        rules.may_open(
            Scheme.CAP_RSE, AuditType.STAGE1, closed_types=set(), recognition_active=False
        )


def test_qualifications_cover_the_audit() -> None:
    quals = [{"scheme": "CAP_ISO9001", "valid_from": "2025-01-01", "valid_until": "2026-06-30"}]
    assert rules.qualified(quals, Scheme.CAP_ISO9001, date(2026, 6, 29), date(2026, 6, 30))
    assert not rules.qualified(quals, Scheme.CAP_ISO9001, date(2026, 6, 30), date(2026, 7, 1))
    assert not rules.qualified(quals, Scheme.CAP_RSE, date(2026, 1, 10), date(2026, 1, 11))


def test_a_nonconformity_closes_only_through_a_verification() -> None:
    status = FindingStatus.OPEN
    status = rules.next_finding_status(FindingType.MAJOR_NC, status, FindingStep.RESPOND)
    status = rules.next_finding_status(FindingType.MAJOR_NC, status, FindingStep.SEND_BACK)
    assert status is FindingStatus.OPEN
    with pytest.raises(rules.InvalidTransition):
        rules.next_finding_status(
            FindingType.MAJOR_NC, status, FindingStep.VERIFY
        )  # nothing to verify
    status = rules.next_finding_status(FindingType.MAJOR_NC, status, FindingStep.RESPOND)
    status = rules.next_finding_status(FindingType.MAJOR_NC, status, FindingStep.ACCEPT_PLAN)
    assert (
        rules.next_finding_status(FindingType.MAJOR_NC, status, FindingStep.VERIFY)
        is FindingStatus.VERIFIED_CLOSED
    )
    with pytest.raises(rules.InvalidTransition):
        rules.next_finding_status(FindingType.STRENGTH, FindingStatus.NOTED, FindingStep.RESPOND)


def test_closing_needs_majors_verified_and_minor_plans_accepted() -> None:
    with pytest.raises(rules.RuleViolation) as caught:
        rules.may_close(
            [
                (FindingType.MAJOR_NC, FindingStatus.PLAN_ACCEPTED),
                (FindingType.MINOR_NC, FindingStatus.OPEN),
            ]
        )
    assert caught.value.extensions == {"open_major_nc": 1, "open_minor_nc": 1}
    rules.may_close(
        [
            (FindingType.MAJOR_NC, FindingStatus.VERIFIED_CLOSED),
            (FindingType.MINOR_NC, FindingStatus.PLAN_ACCEPTED),
            (FindingType.OBSERVATION, FindingStatus.NOTED),
        ]
    )


def test_deadlines_90_days_and_stage2_repeated_after_6_months() -> None:
    assert rules.response_due(FindingType.MAJOR_NC, date(2026, 3, 1), R) == date(2026, 5, 30)
    assert rules.response_due(FindingType.OBSERVATION, date(2026, 3, 1), R) is None
    open_major = [rules.Major(FindingStatus.PLAN_ACCEPTED)]
    assert rules.majors_late(date(2026, 3, 1), open_major, date(2026, 9, 1), R) == 0
    assert rules.majors_late(date(2026, 3, 1), open_major, date(2026, 9, 2), R) == 1
    assert rules.majors_late(date(2026, 3, 1), [], date(2027, 1, 1), R) == 0


def test_a_decision_on_a_reported_iso_stage2_or_renewal_once() -> None:
    iso, reported = Scheme.CAP_ISO9001, AuditStatus.REPORT_SUBMITTED
    for audit_type in (AuditType.STAGE2, AuditType.RENEWAL):
        for status in (AuditStatus.REPORT_SUBMITTED, AuditStatus.CLOSED):
            rules.may_decide(iso, audit_type, status, decided=None)
    for audit_type in (AuditType.STAGE1, AuditType.SURVEILLANCE, AuditType.SPECIAL):
        with pytest.raises(rules.RuleViolation, match="stage2 or renewal"):
            rules.may_decide(iso, audit_type, reported, decided=None)
    for audit_type in (AuditType.INITIAL, AuditType.RENEWAL):
        with pytest.raises(rules.RuleViolation) as not_iso:
            rules.may_decide(Scheme.CAP_RSE, audit_type, reported, decided=None)
        assert not_iso.value.status == 409
    for status in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS, AuditStatus.CANCELLED):
        with pytest.raises(rules.InvalidTransition) as early:
            rules.may_decide(iso, AuditType.STAGE2, status, decided=None)
        assert (early.value.status, early.value.extensions) == (409, {"status": status.value})
    with pytest.raises(rules.AlreadyDecided) as twice:
        rules.may_decide(iso, AuditType.STAGE2, AuditStatus.CLOSED, decided="granted")
    assert (twice.value.status, twice.value.code) == (409, "already-decided")


def test_a_grant_names_its_certificate_and_a_refusal_its_reason() -> None:
    assert rules.decision_gaps("granted", "FR-ISO-2027-0042", None) == []
    assert rules.decision_gaps("granted", "FR-1", "périmètre réduit") == []
    assert rules.decision_gaps("granted", None, None) == [
        "a granted certification needs its certificate_number"
    ]
    assert rules.decision_gaps("granted", "  ", None) != []
    assert rules.decision_gaps("refused", None, "NC majeure non levée") == []
    assert rules.decision_gaps("refused", None, " ") == ["a refusal needs its reason"]
    assert rules.decision_gaps("refused", "FR-1", None) == [
        "a refusal needs its reason",
        "a refusal carries no certificate_number",
    ]


def test_the_decision_maker_is_none_of_the_audit_team() -> None:
    team = [
        rules.Person("aud-1", "user-1", "Jeanne Martin"),
        rules.Person("aud-2", None, "Hélène Dupré"),
    ]
    assert rules.decider_impartial("Comité de certification", None, team) == (True, None)
    for decided_by, member in (
        ("aud-1", "Jeanne Martin"),  # auditor id
        ("USER-1", "Jeanne Martin"),  # platform account
        ("user:user-1", "Jeanne Martin"),  # as a token subject
        ("  jeanne   MARTIN ", "Jeanne Martin"),  # name: case and spacing do not count
        ("Helene Dupre", "Hélène Dupré"),  # nor accents
    ):
        assert rules.decider_impartial(decided_by, None, team) == (
            False,
            f"{member} is on the audit's team",
        ), decided_by
    # A registered auditor, not on the team, who is one of its members under another entry.
    assert rules.decider_impartial("aud-9", rules.Person("aud-9", "user-1", "J. Martin"), team) == (
        False,
        "Jeanne Martin is on the audit's team",
    )
    assert rules.decider_impartial(
        "aud-9", rules.Person("aud-9", "user-9", "Paul Durand"), team
    ) == (True, None)
    assert rules.decider_impartial("aud-1", None, []) == (True, None)
