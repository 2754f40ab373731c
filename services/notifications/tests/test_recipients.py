"""Who is told about each event (pure), and the preference rules on fixed times."""

from __future__ import annotations

from datetime import UTC, datetime, time

from cap_notifications.catalogue import EVENT_TYPES
from cap_notifications.fanout import recipients
from cap_notifications.fanout.recipients import PersonView
from cap_notifications.preferences import rules as preferences
from cap_notifications.preferences.rules import QuietHours, Settings

ORG, OTHER = "org-a", "org-b"


def person(pid: str, *memberships: dict[str, str], status: str = "active") -> PersonView:
    return PersonView(pid, status, tuple(memberships))


PEOPLE = [
    person("admin-a", {"role": "member_admin", "organisation_id": ORG}),
    person("member-a", {"role": "member", "organisation_id": ORG}),
    person("member-b", {"role": "member", "organisation_id": OTHER}),
    person("facilitator-76", {"role": "facilitator", "region": "76"}),
    person("facilitator-11", {"role": "facilitator", "region": "11"}),
    person("auditor-sgs", {"role": "auditor", "certification_body_id": "sgs-tuv"}),
    person("planner-sgs", {"role": "auditor", "certification_body_id": "sgs-tuv"}),
    #: An auditor of the body assigned to nothing, planning nothing: told of nothing.
    person("idle-sgs", {"role": "auditor", "certification_body_id": "sgs-tuv"}),
    person("auditor-other", {"role": "auditor", "certification_body_id": "bureau-veritas"}),
    person("platform-admin-gone", {"role": "admin"}, status="disabled"),
    person("committee", {"role": "committee"}),
    person("platform-admin", {"role": "admin"}),
    person("gone", {"role": "member_admin", "organisation_id": ORG}, status="disabled"),
]


def told(event_type: str, **data: object) -> dict[str, str]:
    found = recipients.resolve(
        event_type, {"organisation_id": ORG, **data}, region="76", people=PEOPLE
    )
    return {r.user_id: r.role for r in found}


def test_recipients_per_event() -> None:
    staff = {"admin-a": "member_admin", "member-a": "member"}
    assert told("diagnostic.completed.v1") == {**staff, "facilitator-76": "facilitator"}
    assert told("action.overdue.v1") == {**staff, "facilitator-76": "facilitator"}
    # A request: the structure's admins and the body's planners, not every auditor of the body
    # (issue 15 item 10); a planner named without a grant on that body is not told either.
    assert told(
        "audit.requested.v1",
        certification_body_id="sgs-tuv",
        planner_user_ids=["planner-sgs", "auditor-other"],
    ) == {"admin-a": "member_admin", "planner-sgs": "auditor"}
    assert told("audit.requested.v1", certification_body_id="sgs-tuv") == {
        "admin-a": "member_admin"
    }
    assert told("audit.planned.v1", auditor_user_ids=["auditor-other"]) == {
        **staff,
        "facilitator-76": "facilitator",
        "auditor-other": "auditor",
    }
    assert told("finding.response_due.v1", stage="reminder") == staff
    assert told("finding.response_due.v1", stage="overdue") == {
        **staff,
        "facilitator-76": "facilitator",
    }
    assert told("label.expiring.v1") == {"admin-a": "member_admin", "facilitator-76": "facilitator"}
    assert told("label.surveillance_due.v1", stage="upcoming") == {"admin-a": "member_admin"}
    assert told("recognition.status_changed.v1", status="active") == {
        **staff,
        "facilitator-76": "facilitator",
    }
    assert told("recognition.status_changed.v1", status="suspended")["committee"] == "committee"
    assert told("labelling.complaint.received.v1") == {"committee": "committee"}
    assert told("labelling.decision.opened.v1") == {"committee": "committee"}
    # Never: another structure's people, another region's facilitators, disabled accounts,
    # another body's people; the platform's admins only for what operators handle.
    operators = {
        "decision.held.v1",
        "audit.stage2_required.v1",
        "finding.appeal_lodged.v1",
        "decision.appeal_lodged.v1",
    }
    for event_type in EVENT_TYPES:
        who = told(
            event_type,
            stage="overdue",
            status="withdrawn",
            certification_body_id="sgs-tuv",
            planner_user_ids=["planner-sgs"],
            auditor_user_ids=["auditor-sgs"],
        )
        never = {
            "member-b",
            "facilitator-11",
            "gone",
            "auditor-other",
            "platform-admin-gone",
            "idle-sgs",
        }
        assert not never & set(who), event_type
        assert ("platform-admin" in who) == (event_type in operators), event_type


def test_recipients_of_the_certification_rules() -> None:
    staff = {"admin-a": "member_admin", "member-a": "member"}
    # The body's people in charge of the audit: its team and the body's planners.
    body = {"auditor-sgs": "auditor", "planner-sgs": "auditor"}
    operators = {"committee": "committee", "platform-admin": "admin"}
    sgs = {
        "certification_body_id": "sgs-tuv",
        "auditor_user_ids": ["auditor-sgs"],
        "planner_user_ids": ["planner-sgs"],
    }
    # An invitation to join another structure's group: the invited structure's admins alone
    # (they accept or decline; nobody of the applicant, the body or the region is told).
    assert told("labelling.group_invitation.sent.v1", **sgs) == {"admin-a": "member_admin"}
    # A decision held on open majors: operators, the body, the structure's admins.
    assert told("decision.held.v1", **sgs) == {"admin-a": "member_admin", **body, **operators}
    # A CAP RSE decision held without a body in the event: no body's people.
    assert told("decision.held.v1") == {"admin-a": "member_admin", **operators}
    assert told("audit.stage2_required.v1", **sgs) == {
        "admin-a": "member_admin",
        "facilitator-76": "facilitator",
        **body,
        **operators,
    }
    # An answered major not verified in time: the structure, its facilitators, the body.
    assert told("finding.response_due.v1", stage="verification_overdue", **sgs) == {
        **staff,
        "facilitator-76": "facilitator",
        **body,
    }
    escalated = {"type": "major_nc", "previous_type": "minor_nc", "status": "open"}
    assert told("finding.status_changed.v1", **escalated, **sgs) == {
        **staff,
        "facilitator-76": "facilitator",
        **body,
    }
    followers = {"member-a": "member", "facilitator-76": "facilitator"}
    for change in (
        {"type": "major_nc", "status": "appealed", "previous_status": "open"},
        {"type": "major_nc", "status": "withdrawn", "previous_status": "appealed"},
        {"type": "minor_nc", "status": "open", "previous_status": "appealed"},
        {"type": "minor_nc", "previous_type": "major_nc", "status": "open"},
    ):
        assert told("finding.status_changed.v1", **change, **sgs) == followers, change
    # A routine step of a nonconformity tells nobody (webhook subscribers still get it).
    for routine in ("response_submitted", "plan_accepted", "verified_closed"):
        assert told("finding.status_changed.v1", type="major_nc", status=routine, **sgs) == {}
    assert told("finding.appeal_lodged.v1", **sgs) == {
        "admin-a": "member_admin",
        **body,
        "platform-admin": "admin",
    }
    assert told("finding.appeal_decided.v1", **sgs) == {"admin-a": "member_admin", **body}
    # Decision appeals: CAP RSE ones go to the committee, ISO ones to the body.
    assert told("decision.appeal_lodged.v1", scheme="CAP_RSE") == {
        "admin-a": "member_admin",
        **operators,
    }
    assert told("decision.appeal_lodged.v1", scheme="CAP_ISO9001", **sgs) == {
        "admin-a": "member_admin",
        **body,
        "platform-admin": "admin",
    }
    assert told("decision.appeal_decided.v1", scheme="CAP_RSE") == {
        **staff,
        "committee": "committee",
    }
    # The body's refusal: the structure (which may appeal it) and its facilitators; a grant is
    # told by the certificate (recognition.status_changed.v1) or the hold (decision.held.v1).
    assert told("certification.decided.v1", outcome="refused", **sgs) == {
        **staff,
        "facilitator-76": "facilitator",
    }
    assert told("certification.decided.v1", outcome="granted", **sgs) == {}
    # The committee's refusal or deferral likewise (a refusal may be appealed); a grant is told
    # by the label itself.
    for outcome in ("refused", "deferred"):
        assert told("decision.taken.v1", outcome=outcome, scheme="CAP_RSE") == {
            **staff,
            "facilitator-76": "facilitator",
        }
    assert told("decision.taken.v1", outcome="granted", scheme="CAP_RSE") == {}
    assert told("decision.appeal_decided.v1", scheme="CAP_ISO9001", **sgs) == {**staff, **body}
    # A scope reduction is told like a suspension.
    assert told("recognition.status_changed.v1", status="active", reason="scope_reduced") == {
        **staff,
        "facilitator-76": "facilitator",
        "committee": "committee",
    }


def test_defaults_by_role_and_choices() -> None:
    settings = Settings(chosen={("audit.planned.v1", "email"): "off"})
    assert settings.mode("audit.planned.v1", "in_app", ["member"]) == "on"
    assert settings.mode("audit.planned.v1", "email", ["member_admin"]) == "off"
    assert settings.mode("audit.requested.v1", "email", ["member_admin"]) == "on"
    assert settings.mode("audit.requested.v1", "email", ["member"]) == "digest"
    assert settings.mode("audit.requested.v1", "email", ["facilitator", "auditor"]) == "on"
    assert settings.mode("decision.held.v1", "email", ["admin"]) == "on"


def test_quiet_hours_delay_to_their_end_in_the_persons_time_zone() -> None:
    paris = Settings()  # 21:00-07:00 Europe/Paris
    # 22:30 in Paris (21:30 UTC in winter): delayed to 07:00 Paris = 06:00 UTC next day.
    assert preferences.release_at(datetime(2026, 12, 1, 21, 30, tzinfo=UTC), paris) == datetime(
        2026, 12, 2, 6, 0, tzinfo=UTC
    )
    # 05:00 Paris (04:00 UTC): delayed to 07:00 the same day.
    assert preferences.release_at(datetime(2026, 12, 2, 4, 0, tzinfo=UTC), paris) == datetime(
        2026, 12, 2, 6, 0, tzinfo=UTC
    )
    noon = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
    assert preferences.release_at(noon, paris) == noon
    # Summer time: 07:00 Paris is 05:00 UTC.
    assert preferences.release_at(datetime(2026, 7, 1, 3, 0, tzinfo=UTC), paris) == datetime(
        2026, 7, 1, 5, 0, tzinfo=UTC
    )
    reunion = Settings(timezone="Indian/Reunion", quiet=QuietHours(time(12), time(14)))
    # 12:30 in La Réunion (08:30 UTC) -> 14:00 there (10:00 UTC).
    assert preferences.release_at(datetime(2026, 12, 2, 8, 30, tzinfo=UTC), reunion) == datetime(
        2026, 12, 2, 10, 0, tzinfo=UTC
    )
    assert preferences.release_at(noon, Settings(quiet=None)) == noon


def test_digest_once_a_day_at_the_local_hour() -> None:
    paris = Settings(digest_hour=8)
    before = datetime(2026, 12, 2, 6, 59, tzinfo=UTC)  # 07:59 Paris
    at = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # 08:00 Paris
    assert not preferences.digest_due(before, paris, None)
    assert preferences.digest_due(at, paris, None)
    assert not preferences.digest_due(at, paris, last_sent=datetime(2026, 12, 2, 7, 0, tzinfo=UTC))
    assert preferences.digest_due(at, paris, last_sent=datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
