"""Who must know about each event (pure: the people are passed in).

Recipients are found through the people's roles (``identity.user.changed.v1``): the members of
the organisation concerned by role, the facilitators of its region, the certification body's
people in charge of the audit, the labelling committee, the platform's admins (operators).
Disabled accounts are never notified; each person is listed once, with the role that makes them
a recipient (the first in the order below), which picks their default preferences.

A certification body's people hear only of the audits that are theirs (issue 15): of a request,
the body's **planners** (``planner_user_ids``, the auditors the audit service designates to plan
the body's audits); of the plan, the assigned **team** (``auditor_user_ids``); of what follows
(findings, appeals, decisions), both. An auditor assigned to nothing hears nothing, and nobody
is told as a body's person without a grant on that body.

Some events name neither the body nor its people (a finding's deadline or status, an appeal's
outcome): the fan-out finds them in the journal of the audit or decision they belong to and
passes them in ``data`` (``certification_body_id``, ``planner_user_ids``, ``auditor_user_ids``)
for resolution only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

#: team: the audit's assigned auditors; planners: the body's planners named by the event;
#: in_charge: both (what the journal knows of the audit).
Auditors = Literal["none", "team", "planners", "in_charge"]


@dataclass(frozen=True)
class Audience:
    """Who an event type reaches."""

    organisation_roles: frozenset[str] = frozenset()
    facilitators: bool = False
    committee: bool = False
    auditors: Auditors = "none"
    #: The platform's admins (operators).
    admins: bool = False


@dataclass(frozen=True)
class PersonView:
    """What resolution needs to know about a person."""

    id: str
    status: str
    memberships: tuple[Mapping[str, Any], ...]

    def holds(self, role: str, **scope: str | None) -> bool:
        """Whether they hold ``role`` with this scope (organisation, region...)."""
        return any(
            m.get("role") == role and all(m.get(k) == v for k, v in scope.items())
            for m in self.memberships
        )

    def works_for(self, certification_body_id: str) -> bool:
        """Whether they hold any grant on this certification body (an auditor's, typically)."""
        return any(
            m.get("certification_body_id") == certification_body_id for m in self.memberships
        )


@dataclass(frozen=True)
class Recipient:
    """A person to tell, and why."""

    user_id: str
    #: Why they are told: member_admin, member, facilitator, auditor, committee or admin.
    role: str


STAFF = frozenset({"member_admin", "member"})
ADMINS = frozenset({"member_admin"})
MEMBERS = frozenset({"member"})

#: What a ``finding.status_changed.v1`` is about; None: a routine step nobody is told of
#: (answered, plan accepted, sent back, verified: systems subscribed still get it).
FindingChange = Literal["escalated", "downgraded", "appealed", "appeal_upheld", "withdrawn"]


def finding_change(data: Mapping[str, Any]) -> FindingChange | None:
    """Escalated (minor to major), downgraded (major to minor on appeal), appealed, back from an
    upheld appeal, or withdrawn on appeal; None for the other steps of a nonconformity."""
    previous_type, kind = data.get("previous_type"), data.get("type")
    if previous_type == "minor_nc" and kind == "major_nc":
        return "escalated"
    if previous_type == "major_nc" and kind == "minor_nc":
        return "downgraded"
    status, previous = data.get("status"), data.get("previous_status")
    if status == "withdrawn":
        return "withdrawn"
    if status == "appealed":
        return "appealed"
    if previous == "appealed":
        return "appeal_upheld"
    return None


def audience(event_type: str, data: Mapping[str, Any]) -> Audience:
    """The audience of one event (some depend on its content: overdue, suspended...)."""
    match event_type:
        case "diagnostic.completed.v1" | "action.overdue.v1":
            return Audience(STAFF, facilitators=True)
        case "action.due_soon.v1":
            return Audience(STAFF)
        case "audit.requested.v1":
            # The body's planners only: an auditor assigned to nothing does not learn of it.
            return Audience(ADMINS, auditors="planners")
        case "audit.planned.v1":
            return Audience(STAFF, facilitators=True, auditors="team")
        case "audit.report_submitted.v1":
            return Audience(STAFF, facilitators=True)
        case "finding.response_due.v1":
            if data.get("stage") == "verification_overdue":
                # The body must verify the answered major; the structure risks its recognition.
                return Audience(STAFF, facilitators=True, auditors="in_charge")
            return Audience(STAFF, facilitators=data.get("stage") == "overdue")
        case "labelling.group_invitation.sent.v1":
            # Only the invited structure's member_admins may accept or decline (issue 15).
            return Audience(ADMINS)
        case "labelling.application.accepted.v1" | "label.expiring.v1":
            return Audience(ADMINS, facilitators=True)
        case "label.surveillance_due.v1":
            return Audience(ADMINS, facilitators=data.get("stage") == "overdue")
        case "recognition.status_changed.v1":
            return Audience(
                STAFF,
                facilitators=True,
                committee=data.get("status") in ("suspended", "withdrawn")
                or data.get("reason") == "scope_reduced",
            )
        case "labelling.complaint.received.v1" | "labelling.decision.opened.v1":
            return Audience(committee=True)
        case "decision.held.v1":
            # Operators (admins, committee), the body, the structure's admins.
            return Audience(ADMINS, committee=True, auditors="in_charge", admins=True)
        case "audit.stage2_required.v1":
            return Audience(
                ADMINS, facilitators=True, committee=True, auditors="in_charge", admins=True
            )
        case "finding.status_changed.v1":
            match finding_change(data):
                case "escalated":
                    return Audience(STAFF, facilitators=True, auditors="in_charge")
                case "downgraded" | "appealed" | "appeal_upheld" | "withdrawn":
                    # The member_admins are told by the appeal's own events.
                    return Audience(MEMBERS, facilitators=True)
            return Audience()
        case "finding.appeal_lodged.v1":
            # The body handles it, an admin may record the outcome, the structure is confirmed.
            return Audience(ADMINS, auditors="in_charge", admins=True)
        case "finding.appeal_decided.v1":
            return Audience(ADMINS, auditors="in_charge")
        case "decision.appeal_lodged.v1":
            # CAP RSE appeals are decided by committee members or admins, ISO ones by the body
            # or an admin.
            return Audience(
                ADMINS, committee=data.get("scheme") == "CAP_RSE", auditors="in_charge", admins=True
            )
        case "decision.appeal_decided.v1":
            return Audience(STAFF, committee=data.get("scheme") == "CAP_RSE", auditors="in_charge")
        case "certification.decided.v1":
            # A refusal, as a grant is told (recognition.status_changed.v1): the structure may
            # appeal it. A grant is told by its certificate, or by decision.held.v1.
            if data.get("outcome") == "refused":
                return Audience(STAFF, facilitators=True)
            return Audience()
        case "decision.taken.v1":
            # The committee's refusal or deferral, as the body's refusal is told; a grant is
            # told by its recognition (recognition.status_changed.v1).
            if data.get("outcome") in ("refused", "deferred"):
                return Audience(STAFF, facilitators=True)
            return Audience()
    return Audience()


@dataclass(frozen=True)
class Concerned:
    """Who an event can concern, as the directory is searched (a superset of its recipients:
    :func:`resolve` still decides, on these people only)."""

    #: The organisation's people holding one of these roles.
    organisation_id: str | None
    organisation_roles: frozenset[str]
    #: The region's facilitators (None: none).
    facilitators_of: str | None
    #: Everyone holding one of these roles, wherever (committee, admin).
    roles: frozenset[str]
    #: People named by the event or its journal (the audit's team, the body's planners).
    user_ids: frozenset[str]

    @property
    def nobody(self) -> bool:
        """Whether no one can be concerned (nothing to look up)."""
        return not (
            (self.organisation_id and self.organisation_roles)
            or self.facilitators_of
            or self.roles
            or self.user_ids
        )


def concerned(event_type: str, data: Mapping[str, Any], *, region: str | None) -> Concerned:
    """The people :func:`resolve` may pick for this event, as search criteria."""
    who = audience(event_type, data)
    team = {str(u) for u in data.get("auditor_user_ids") or ()}
    planners = {str(u) for u in data.get("planner_user_ids") or ()}
    named = {"none": set(), "team": team, "planners": planners, "in_charge": team | planners}
    organisation_id = data.get("organisation_id")
    return Concerned(
        organisation_id=str(organisation_id) if organisation_id else None,
        organisation_roles=who.organisation_roles if organisation_id else frozenset(),
        facilitators_of=region if who.facilitators and region else None,
        roles=frozenset(
            role for role, wanted in (("committee", who.committee), ("admin", who.admins)) if wanted
        ),
        user_ids=frozenset(named[who.auditors]),
    )


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
    planners = set(data.get("planner_user_ids") or ())
    in_charge = {"team": team, "planners": planners, "in_charge": team | planners}
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
            and who.auditors in ("planners", "in_charge")
            and person.id in in_charge[who.auditors]
            and body
            and person.works_for(body)
        ):
            role = "auditor"
        if role is None and who.committee and person.holds("committee"):
            role = "committee"
        if role is None and who.admins and person.holds("admin"):
            role = "admin"
        if role is not None:
            found[person.id] = Recipient(person.id, role)
    return sorted(found.values(), key=lambda r: r.user_id)
