"""Rules of a progress action's life (``docs/domain/domain.md`` §7.6 B). Pure, no I/O.

``proposed -> planned -> in_progress -> done -> verified``, cancelled while open; ``overdue``
is derived from the due date, never stored.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from cap_diagnostic.diagnostics.rules.lifecycle import InvalidTransition
from cap_shared.problems import Conflict


class ActionStatus(StrEnum):
    """Where a progress action is. ``overdue`` is derived (due date passed, not done)."""

    PROPOSED = "proposed"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"
    CANCELLED = "cancelled"


class ActionStep(StrEnum):
    """What moves a progress action."""

    PLAN = "plan"
    START = "start"
    COMPLETE = "complete"
    VERIFY = "verify"
    REOPEN = "reopen"
    CANCEL = "cancel"


OPEN_ACTIONS = frozenset({ActionStatus.PROPOSED, ActionStatus.PLANNED, ActionStatus.IN_PROGRESS})

_ACTION_STEPS: dict[ActionStep, dict[ActionStatus, ActionStatus]] = {
    ActionStep.PLAN: {ActionStatus.PROPOSED: ActionStatus.PLANNED},
    ActionStep.START: {
        ActionStatus.PROPOSED: ActionStatus.IN_PROGRESS,
        ActionStatus.PLANNED: ActionStatus.IN_PROGRESS,
    },
    ActionStep.COMPLETE: {
        ActionStatus.PLANNED: ActionStatus.DONE,
        ActionStatus.IN_PROGRESS: ActionStatus.DONE,
    },
    ActionStep.VERIFY: {ActionStatus.DONE: ActionStatus.VERIFIED},
    ActionStep.REOPEN: {ActionStatus.DONE: ActionStatus.IN_PROGRESS},
    ActionStep.CANCEL: dict.fromkeys(OPEN_ACTIONS, ActionStatus.CANCELLED),
}


class ActionNotEditable(Conflict):
    """A verified or cancelled action is a record."""

    code, title = "action-not-editable", "Action not editable"
    title_fr = "Action non modifiable"


def next_action_status(status: ActionStatus, step: ActionStep) -> ActionStatus:
    """The status after ``step``, or :class:`InvalidTransition`."""
    target = _ACTION_STEPS[step].get(status)
    if target is None:
        raise InvalidTransition(
            f"cannot {step.value} an action that is {status.value}",
            detail_fr=(
                f"impossible d'effectuer « {step.value} » sur une action à l'état « "
                f"{status.value} »"
            ),
            extensions={"status": status.value, "allowed_steps": action_steps(status)},
        )
    return target


def action_steps(status: ActionStatus) -> list[str]:
    """Steps possible from ``status``."""
    return [s.value for s in ActionStep if status in _ACTION_STEPS[s]]


def is_overdue(status: ActionStatus, due: date | None, today: date) -> bool:
    """Due date passed and the action is still open."""
    return due is not None and due < today and status in OPEN_ACTIONS


def ensure_action_editable(status: ActionStatus) -> None:
    """:class:`ActionNotEditable` once verified or cancelled."""
    if status in (ActionStatus.VERIFIED, ActionStatus.CANCELLED):
        raise ActionNotEditable(
            f"the action is {status.value}", detail_fr=f"l'action est à l'état « {status.value} »"
        )


#: Criteria rated below this share of their scale get progress actions proposed.
PROPOSE_BELOW_RATIO = 0.75
#: The open statuses, as stored.
OPEN = sorted(s.value for s in OPEN_ACTIONS)
