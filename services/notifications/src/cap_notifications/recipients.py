"""Who must know about each event (pure: the people are passed in).

Recipients are found through the people's roles (``identity.user.changed.v1``): the members of
the organisation concerned by role, the facilitators of its region, the auditors assigned to the
audit (or, for a new request, the auditors of the certification body), the labelling committee.
Disabled accounts are never notified; each person is listed once, with the role that makes them
a recipient (the first in the order below), which picks their default preferences.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Auditors = Literal["none", "team", "body"]


@dataclass(frozen=True)
class Audience:
    """Who an event type reaches."""

    organisation_roles: frozenset[str] = frozenset()
    facilitators: bool = False
    committee: bool = False
    auditors: Auditors = "none"


@dataclass(frozen=True)
class PersonView:
    """What resolution needs to know about a person."""

    id: str
    status: str
    memberships: tuple[Mapping[str, Any], ...]

    def holds(self, role: str, **scope: str | None) -> bool:
        return any(
            m.get("role") == role and all(m.get(k) == v for k, v in scope.items())
            for m in self.memberships
        )


@dataclass(frozen=True)
class Recipient:
    user_id: str
    #: Why they are told: member_admin, member, facilitator, auditor or committee.
    role: str


STAFF = frozenset({"member_admin", "member"})
ADMINS = frozenset({"member_admin"})


def audience(event_type: str, data: Mapping[str, Any]) -> Audience:
    """The audience of one event (some depend on its content: overdue, suspended...)."""
    match event_type:
        case "diagnostic.completed.v1" | "action.overdue.v1":
            return Audience(STAFF, facilitators=True)
        case "action.due_soon.v1":
            return Audience(STAFF)
        case "audit.requested.v1":
            return Audience(ADMINS, auditors="body")
        case "audit.planned.v1":
            return Audience(STAFF, facilitators=True, auditors="team")
        case "audit.report_submitted.v1":
            return Audience(STAFF, facilitators=True)
        case "finding.response_due.v1":
            return Audience(STAFF, facilitators=data.get("stage") == "overdue")
        case "labelling.application.accepted.v1" | "label.expiring.v1":
            return Audience(ADMINS, facilitators=True)
        case "label.surveillance_due.v1":
            return Audience(ADMINS, facilitators=data.get("stage") == "overdue")
        case "recognition.status_changed.v1":
            return Audience(
                STAFF,
                facilitators=True,
                committee=data.get("status") in ("suspended", "withdrawn"),
            )
        case "labelling.complaint.received.v1" | "labelling.decision.opened.v1":
            return Audience(committee=True)
    return Audience()


def resolve(
    event_type: str,
    data: Mapping[str, Any],
    *,
    region: str | None,
    people: Iterable[PersonView],
) -> list[Recipient]:
    """The recipients of an event, each once, in a stable order."""
    who = audience(event_type, data)
    organisation_id = data.get("organisation_id")
    team = set(data.get("auditor_user_ids") or ())
    body = data.get("certification_body_id")
    found: dict[str, Recipient] = {}
    for person in people:
        if person.status != "active" or person.id in found:
            continue
        role = None
        for candidate in sorted(who.organisation_roles):
            if organisation_id and person.holds(candidate, organisation_id=organisation_id):
                role = candidate
                break
        if (
            role is None
            and who.facilitators
            and region
            and person.holds("facilitator", region=region)
        ):
            role = "facilitator"
        if role is None and who.auditors == "team" and person.id in team:
            role = "auditor"
        if (
            role is None
            and who.auditors == "body"
            and body
            and person.holds("auditor", certification_body_id=body)
        ):
            role = "auditor"
        if role is None and who.committee and person.holds("committee"):
            role = "committee"
        if role is not None:
            found[person.id] = Recipient(person.id, role)
    return sorted(found.values(), key=lambda r: r.user_id)
