"""Rules of applications and of the invitations of a group's members (pure: no I/O)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from cap_labelling.rules import InvalidTransition
from cap_shared.dates import add_months
from cap_shared.problems import Conflict, ProblemError


class ApplicationStatus(StrEnum):
    """An application's status."""

    #: A group application whose named members have not all answered their invitation yet.
    AWAITING_CONSENT = "awaiting_consent"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ApplicationStep(StrEnum):
    """A step on an application."""

    ACCEPT = "accept"
    REJECT = "reject"
    WITHDRAW = "withdraw"


_STEPS = {
    ApplicationStep.ACCEPT: ApplicationStatus.ACCEPTED,
    ApplicationStep.REJECT: ApplicationStatus.REJECTED,
    ApplicationStep.WITHDRAW: ApplicationStatus.WITHDRAWN,
}


class ConsentPending(Conflict):
    """A group application goes to the federation once every named member has answered."""

    code, title = "consent-pending", "Group members have not all answered their invitation"
    title_fr = "Les membres du groupement n'ont pas tous répondu à leur invitation"


class InvitationStatus(StrEnum):
    """A group invitation's status."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    #: The application was withdrawn before the member answered.
    CANCELLED = "cancelled"


#: Applications that block another one of the same structure and scheme.
OPEN_APPLICATIONS = frozenset(
    {ApplicationStatus.AWAITING_CONSENT, ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED}
)


class NotEligible(ProblemError):
    """A structure has no completed CAP diagnostic within the eligibility window."""

    status, code, title = 422, "not-eligible", "Not eligible"
    title_fr = "Non éligible"


def months_before(day: date, months: int) -> date:
    """``day`` minus calendar months."""
    return add_months(day, -months)


def eligible(completed_at: datetime | None, today: date, window_months: int) -> bool:
    """A completed CAP diagnostic no older than ``window_months`` (counted in calendar months)."""
    return completed_at is not None and completed_at.date() >= months_before(today, window_months)


def next_status(status: ApplicationStatus, step: ApplicationStep) -> ApplicationStatus:
    """Only a submitted application is accepted, rejected or withdrawn; one awaiting its
    members' consent may only be withdrawn."""
    if status is ApplicationStatus.AWAITING_CONSENT and step is not ApplicationStep.WITHDRAW:
        raise ConsentPending(
            f"cannot {step.value} a group application before every named member has answered "
            "its invitation",
            detail_fr=(
                f"impossible d'effectuer « {step.value} » sur une candidature de "
                "groupement avant que chaque membre désigné ait répondu à son "
                "invitation"
            ),
            extensions={"status": status.value},
        )
    if status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.AWAITING_CONSENT):
        raise InvalidTransition(
            f"cannot {step.value} an application that is {status.value}",
            detail_fr=(
                f"impossible d'effectuer « {step.value} » sur une candidature à "
                f"l'état « {status.value} »"
            ),
            extensions={"status": status.value},
        )
    return _STEPS[step]
