"""Lifecycle rules and key figures, directly (no I/O)."""

from __future__ import annotations

import pytest

from cap_diagnostic.diagnostics.rules.lifecycle import (
    Action,
    Exits,
    InvalidTransition,
    Kind,
    NotEditable,
    Status,
    allowed_actions,
    durable_employment_rate,
    dynamic_exit_rate,
    ensure_editable,
    next_status,
)


def test_a_cap_session_is_scheduled_then_held_then_rated_then_closed() -> None:
    status = Status.DRAFT
    for action, expected in (
        (Action.SCHEDULE, Status.SCHEDULED),
        (Action.START, Status.IN_SESSION),
        (Action.COMPLETE, Status.RATED),
        (Action.ISSUE_PLAN, Status.PLAN_ISSUED),
        (Action.FOLLOW_UP, Status.FOLLOW_UP),
        (Action.CLOSE, Status.CLOSED),
    ):
        status = next_status(Kind.CAP_SESSION, status, action)
        assert status is expected


def test_a_self_assessment_starts_without_a_session() -> None:
    assert next_status(Kind.SELF_ASSESSMENT, Status.DRAFT, Action.START) is Status.IN_SESSION
    with pytest.raises(InvalidTransition):
        next_status(Kind.SELF_ASSESSMENT, Status.DRAFT, Action.SCHEDULE)
    with pytest.raises(InvalidTransition):  # a CAP session is scheduled first
        next_status(Kind.CAP_SESSION, Status.DRAFT, Action.START)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.DRAFT, Action.COMPLETE),
        (Status.SCHEDULED, Action.COMPLETE),
        (Status.RATED, Action.COMPLETE),
        (Status.CLOSED, Action.CLOSE),
        (Status.CLOSED, Action.START),
        (Status.IN_SESSION, Action.CLOSE),
    ],
)
def test_impossible_steps_are_refused_with_what_is_possible(status: Status, action: Action) -> None:
    with pytest.raises(InvalidTransition) as caught:
        next_status(Kind.CAP_SESSION, status, action)
    assert caught.value.status == 409
    assert caught.value.extensions["allowed_actions"] == allowed_actions(Kind.CAP_SESSION, status)


def test_only_running_diagnostics_are_editable() -> None:
    for status in (Status.DRAFT, Status.SCHEDULED, Status.IN_SESSION):
        ensure_editable(status)
    for status in (Status.RATED, Status.PLAN_ISSUED, Status.FOLLOW_UP, Status.CLOSED):
        with pytest.raises(NotEditable):
            ensure_editable(status)


def test_dynamic_exit_rate_counts_three_categories_and_ignores_neutralised_exits() -> None:
    exits = Exits(
        emploi_durable=5, emploi_transition=3, sortie_positive=4, autres=8, neutralisees=6
    )
    assert dynamic_exit_rate(exits) == 0.6  # (5 + 3 + 4) / (5 + 3 + 4 + 8)
    assert durable_employment_rate(exits) == 0.25  # 5 / 20
    assert dynamic_exit_rate(Exits(neutralisees=3)) is None
