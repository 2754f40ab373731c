"""Rules of applications (pure; dates passed in)."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from enum import StrEnum

from cap_shared.problems import Conflict, ProblemError


class Scheme(StrEnum):
    CAP_RSE = "CAP_RSE"
    CAP_ISO9001 = "CAP_ISO9001"


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ApplicationStep(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    WITHDRAW = "withdraw"


_STEPS = {
    ApplicationStep.ACCEPT: ApplicationStatus.ACCEPTED,
    ApplicationStep.REJECT: ApplicationStatus.REJECTED,
    ApplicationStep.WITHDRAW: ApplicationStatus.WITHDRAWN,
}


class InvalidTransition(Conflict):
    code, title = "invalid-transition", "Invalid status transition"


class NotEligible(ProblemError):
    """A structure has no completed CAP diagnostic within the eligibility window."""

    status, code, title = 422, "not-eligible", "Not eligible"


def months_before(day: date, months: int) -> date:
    """``day`` minus calendar months (the 31st falls back to the month's last day)."""
    month0 = day.month - 1 - months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def eligible(completed_at: datetime | None, today: date, window_months: int) -> bool:
    """A completed CAP diagnostic no older than ``window_months`` (counted in calendar months)."""
    return completed_at is not None and completed_at.date() >= months_before(today, window_months)


def next_status(status: ApplicationStatus, step: ApplicationStep) -> ApplicationStatus:
    """Only a submitted application is accepted, rejected or withdrawn."""
    if status is not ApplicationStatus.SUBMITTED:
        raise InvalidTransition(
            f"cannot {step.value} an application that is {status.value}",
            extensions={"status": status.value},
        )
    return _STEPS[step]
