"""Rules of a diagnostic's life (``docs/domain/domain.md`` §7.6 A) and of its key figures. Pure, no I/O.

``draft -> scheduled -> in_session -> rated -> plan_issued -> follow_up -> closed``
(a self-assessment skips the session: ``draft -> in_session``). Answers, session details, key
figures and referential migrations are accepted only before ``rated``; completing needs every
criterion rated or marked not applicable. An audit evaluation is created ``rated`` from the
auditor's report and stays so: it has no transition.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cap_shared.field_errors import FieldError
from cap_shared.problems import Conflict, ProblemError


class Kind(StrEnum):
    """The one-day CAP session with a facilitator, a self-assessment (RSE / ISO readiness), or
    the auditor's evaluation of a CAP RSE audit (recorded from the report, never opened by hand).
    """

    CAP_SESSION = "cap_session"
    SELF_ASSESSMENT = "self_assessment"
    AUDIT_EVALUATION = "audit_evaluation"


#: Kinds people open through the API; the others are records the service makes itself.
OPENABLE = frozenset({Kind.CAP_SESSION, Kind.SELF_ASSESSMENT})
#: A third party's record (``docs/domain/domain.md`` §7.6 C: the evaluator is not the structure): it is
#: created completed and never moves, so nobody re-opens, re-plans or closes it.
RECORDS = frozenset({Kind.AUDIT_EVALUATION})


class Status(StrEnum):
    """Where a diagnostic is in its life."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    IN_SESSION = "in_session"
    RATED = "rated"
    PLAN_ISSUED = "plan_issued"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    RENEWED = "renewed"


class Action(StrEnum):
    """What moves a diagnostic from one status to the next."""

    SCHEDULE = "schedule"
    START = "start"
    COMPLETE = "complete"
    ISSUE_PLAN = "issue_plan"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"


EDITABLE = frozenset({Status.DRAFT, Status.SCHEDULED, Status.IN_SESSION})
COMPLETED = frozenset(
    {Status.RATED, Status.PLAN_ISSUED, Status.FOLLOW_UP, Status.CLOSED, Status.RENEWED}
)

#: (kind or None for both, from) -> to, per action.
_TRANSITIONS: dict[Action, dict[tuple[Kind | None, Status], Status]] = {
    Action.SCHEDULE: {(Kind.CAP_SESSION, Status.DRAFT): Status.SCHEDULED},
    Action.START: {
        (Kind.CAP_SESSION, Status.SCHEDULED): Status.IN_SESSION,
        (Kind.SELF_ASSESSMENT, Status.DRAFT): Status.IN_SESSION,
    },
    Action.COMPLETE: {(None, Status.IN_SESSION): Status.RATED},
    Action.ISSUE_PLAN: {(None, Status.RATED): Status.PLAN_ISSUED},
    Action.FOLLOW_UP: {(None, Status.PLAN_ISSUED): Status.FOLLOW_UP},
    Action.CLOSE: {
        (None, Status.RATED): Status.CLOSED,
        (None, Status.PLAN_ISSUED): Status.CLOSED,
        (None, Status.FOLLOW_UP): Status.CLOSED,
    },
}


class InvalidTransition(Conflict):
    """The action is not possible from the diagnostic's current status."""

    code, title = "invalid-transition", "Invalid status transition"
    title_fr = "Changement de statut impossible"


class NotEditable(Conflict):
    """A completed diagnostic is a record: it is not edited any more."""

    code, title = "diagnostic-not-editable", "Diagnostic not editable"
    title_fr = "Diagnostic non modifiable"


class Incomplete(ProblemError):
    """Completing needs every criterion rated or marked not applicable."""

    status, code, title = 422, "diagnostic-incomplete", "Diagnostic incomplete"
    title_fr = "Diagnostic incomplet"


class SessionDetailsMissing(ProblemError):
    """Scheduling a CAP session needs its date and facilitator."""

    status, code, title = 422, "session-details-missing", "Session details missing"
    title_fr = "Informations de séance manquantes"


def next_status(kind: Kind, status: Status, action: Action) -> Status:
    """The status after ``action``, or :class:`InvalidTransition`."""
    if kind in RECORDS:
        raise InvalidTransition(
            f"a {kind.value} is the auditor's record: it does not move",
            detail_fr=(
                f"un diagnostic « {kind.value} » est le relevé de l'auditeur : son "
                "statut ne change pas"
            ),
            extensions={"status": status.value, "allowed_actions": []},
        )
    table = _TRANSITIONS[action]
    target = table.get((kind, status)) or table.get((None, status))
    if target is None:
        allowed = allowed_actions(kind, status)
        raise InvalidTransition(
            f"cannot {action.value} a {kind.value} diagnostic that is {status.value}",
            detail_fr=(
                f"impossible d'effectuer « {action.value} » sur un diagnostic "
                f"{kind.value} à l'état « {status.value} »"
            ),
            extensions={"status": status.value, "allowed_actions": allowed},
        )
    return target


def _allowed(kind: Kind, status: Status, action: Action) -> bool:
    if kind in RECORDS:
        return False
    table = _TRANSITIONS[action]
    return (kind, status) in table or (None, status) in table


#: Actions the API offers.
OFFERED = frozenset(Action)


def allowed_actions(kind: Kind, status: Status) -> list[str]:
    """Actions possible now (for clients to show the right buttons)."""
    return [a.value for a in Action if a in OFFERED and _allowed(kind, status, a)]


def ensure_editable(status: Status) -> None:
    """:class:`NotEditable` once the diagnostic is completed."""
    if status not in EDITABLE:
        raise NotEditable(
            f"the diagnostic is {status.value}; its answers are final",
            detail_fr=(
                f"le diagnostic est à l'état « {status.value} » ; ses réponses sont définitives"
            ),
        )


# key figures -------------------------------------------------------------------------------
class Exits(BaseModel):
    """Exits of employees in pathway over the period, by category (``docs/domain/domain.md`` §2.4)."""

    model_config = ConfigDict(extra="forbid")

    emploi_durable: int = Field(default=0, ge=0, le=100_000)
    emploi_transition: int = Field(default=0, ge=0, le=100_000)
    sortie_positive: int = Field(default=0, ge=0, le=100_000)
    autres: int = Field(default=0, ge=0, le=100_000)
    neutralisees: int = Field(
        default=0, ge=0, le=100_000, description="Neutralised exits (illness, moving away...)"
    )


class KeyFigures(BaseModel):
    """The structure's key figures recorded with a diagnostic."""

    model_config = ConfigDict(extra="forbid")

    period_start: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    period_end: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    employees_in_pathway: int = Field(ge=0, le=100_000)
    permanent_staff: int | None = Field(default=None, ge=0, le=100_000)
    volunteers: int | None = Field(default=None, ge=0, le=100_000)
    exits: Exits = Field(default_factory=Exits)

    @model_validator(mode="after")
    def _period(self) -> KeyFigures:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise FieldError("period_end is before period_start", "period_end précède period_start")
        return self


def dynamic_exit_rate(exits: Exits) -> float | None:
    """Dynamic exits (durable + transition employment + positive exits) over counted exits.

    Neutralised exits are left out of the denominator; None when no exit counts.
    """
    dynamic = exits.emploi_durable + exits.emploi_transition + exits.sortie_positive
    counted = dynamic + exits.autres
    return round(dynamic / counted, 4) if counted else None


def durable_employment_rate(exits: Exits) -> float | None:
    """Exits to durable employment over counted exits."""
    counted = exits.emploi_durable + exits.emploi_transition + exits.sortie_positive + exits.autres
    return round(exits.emploi_durable / counted, 4) if counted else None


def figures_summary(figures: Mapping[str, object] | None) -> dict[str, object] | None:
    """Stored key figures with their derived rates."""
    if figures is None:
        return None
    parsed = KeyFigures.model_validate(figures)
    return {
        **parsed.model_dump(),
        "dynamic_exit_rate": dynamic_exit_rate(parsed.exits),
        "durable_employment_rate": durable_employment_rate(parsed.exits),
    }
