"""Rules of impartiality (ISO/IEC 17021-1 §5.2): cooling-off, consecutive leads, deciders. Pure.

Consultancy, accompaniment and training bar auditing and deciding for the cooling-off period;
the decision maker and the appeal decider took no part in the audit.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cap_shared.dates import add_months
from cap_shared.problems import ProblemError

RULE_COOLING_OFF = "ISO/IEC 17021-1 §5.2.11 cooling-off (consultancy, accompaniment, training)"
RULE_LEAD_CYCLES = "ISO/IEC 17021-1 §5.2.3 familiarity threat (max_consecutive_lead_cycles)"


class NotImpartial(ProblemError):
    """The person gave consultancy, accompaniment or training to the organisation within the
    cooling-off period, or would lead one cycle too many (the problem names the rule)."""

    status, code, title = 409, "auditor-not-impartial", "Auditor not impartial"
    title_fr = "Auditeur non impartial"


#: Engagements that bar auditing and deciding for the cooling-off period (17021-1 §5.2.11);
#: ``audited`` is kept for the history and the consecutive-lead limit, and bars nothing.
BARRING_KINDS = frozenset({"consultancy", "accompaniment", "training"})
ENGAGEMENT_KINDS = (*sorted(BARRING_KINDS), "audited")


@dataclass(frozen=True)
class EngagementFact:
    """Someone's engagement with an organisation on a day (what impartiality looks at)."""

    id: str
    kind: str
    on: date
    organisation_id: str


def barring_engagement(
    engagements: Iterable[EngagementFact], *, on: date, cooling_off_months: int
) -> EngagementFact | None:
    """The latest consultancy, accompaniment or training within ``cooling_off_months`` before
    ``on`` (the audit's first day, the decision's day), if any: it bars the person. Having
    audited the organisation bars nothing."""
    since = add_months(on, -cooling_off_months)
    return max(
        (e for e in engagements if e.kind in BARRING_KINDS and since <= e.on <= on),
        key=lambda e: e.on,
        default=None,
    )


def barred_until(engagement: EngagementFact, cooling_off_months: int) -> date:
    """The first day the engagement no longer bars."""
    return add_months(engagement.on, cooling_off_months) + timedelta(days=1)


def consecutive_lead_cycles(cycles_led: Iterable[int], cycle: int) -> int:
    """How many cycles right before ``cycle`` the person led without a break."""
    led, count = set(cycles_led), 0
    while cycle - count - 1 in led:
        count += 1
    return count


def lead_limit_reached(cycles_led: Iterable[int], cycle: int, limit: int | None) -> bool:
    """Whether leading an audit of ``cycle`` would exceed ``max_consecutive_lead_cycles``
    (None: no limit). Several audits of one cycle count as one cycle."""
    return limit is not None and consecutive_lead_cycles(cycles_led, cycle) >= limit


@dataclass(frozen=True)
class Person:
    """Someone as the audit service knows them: an auditor id, a platform account, a name."""

    auditor_id: str | None = None
    user_id: str | None = None
    name: str | None = None


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
