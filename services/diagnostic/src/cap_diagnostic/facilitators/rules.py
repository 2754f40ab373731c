"""Facilitators of an accompanied CAP session, as platform accounts. Pure, no I/O.

Having run a structure's CAP session is an accompaniment (ISO/IEC 17021-1 §5.2.11): for the
scheme's cooling-off period the person may neither audit the structure nor decide on its label
or certificate. ``diagnostic.completed.v1`` therefore names them in ``facilitator_user_ids``,
and the audit and labelling services turn each into an accompaniment engagement.

How an account is recorded (each entry says which, by whom and when, and the API shows them):

* ``acted``: a person holding the ``facilitator`` role of the structure's region who opens,
  rates, edits, schedules, starts or completes the session is recorded as its facilitator, by
  their own token. Nobody can record someone else this way;
* ``named``: an admin (an operator) names accounts explicitly, when the facilitator ran the
  session without acting on the platform (answers entered by the structure afterwards). Only an
  admin may: a structure that could name anyone would bar the auditor or the committee member
  of its choice. The list an admin sends replaces the named entries; acted ones stay (they are
  facts).

Only a CAP session has facilitators (a self-assessment is the structure's own work, an audit
evaluation the auditor's). Accounts are recorded until completion, which publishes them once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from cap_shared.security import Principal, Role

ACTED = "acted"
NAMED = "named"


def acting_facilitator(principal: Principal, *, region: str) -> str | None:
    """The account of a person acting as a facilitator of ``region``; None for anyone else."""
    user_id = principal.user_id
    if user_id is None or not principal.has_role(Role.FACILITATOR):
        return None
    return user_id if region in principal.regions() else None


def with_acted(
    accounts: Sequence[Mapping[str, Any]], user_id: str, *, by: str, at: datetime
) -> list[dict[str, Any]] | None:
    """``accounts`` with ``user_id`` recorded as having acted; None when it already is."""
    if any(a["user_id"] == user_id and a["how"] == ACTED for a in accounts):
        return None
    kept = [dict(a) for a in accounts if a["user_id"] != user_id]  # acting outranks being named
    return [*kept, {"user_id": user_id, "how": ACTED, "by": by, "at": at.isoformat()}]


def with_named(
    accounts: Sequence[Mapping[str, Any]], user_ids: Iterable[str], *, by: str, at: datetime
) -> list[dict[str, Any]]:
    """``accounts`` whose named entries are replaced by ``user_ids`` (acted ones stay)."""
    acted = [dict(a) for a in accounts if a["how"] == ACTED]
    known = {a["user_id"] for a in acted}
    previous = {a["user_id"]: dict(a) for a in accounts if a["how"] == NAMED}
    named: list[dict[str, Any]] = []
    for user_id in dict.fromkeys(u.lower() for u in user_ids):
        if user_id in known:
            continue
        named.append(
            previous.get(user_id)
            or {"user_id": user_id, "how": NAMED, "by": by, "at": at.isoformat()}
        )
        known.add(user_id)
    return [*acted, *named]


def user_ids(accounts: Sequence[Mapping[str, Any]]) -> list[str]:
    """The accounts' user ids, each once, sorted."""
    return sorted({str(a["user_id"]) for a in accounts})
