"""Committee impartiality (ISO/IEC 17021-1 §5.2.11): nobody decides on a structure they gave
consultancy, accompaniment or training within the cooling-off period — a facilitator's
accompanied CAP session, or an engagement declared by the committee member; each refusal a 409
naming the rule, the person and the engagement."""

from __future__ import annotations

from datetime import date, timedelta

from cap_labelling import rules

from .conftest import Service, ok
from .test_decisions import GOOD, accepted, decide

FACILITATOR = "0f5e8a52-6c1d-4a8e-9d55-3c1f0c9b7e21"


async def pending_file(service: Service, members: tuple[str, ...] = ()) -> dict:
    file = await accepted(service, members=members)
    report = await service.report("a", "CAP_RSE", "initial")
    for key in ("a", *members):
        await service.evaluated(key, report.audit_id, 620, GOOD)
    return file


def test_an_engagement_bars_for_the_cooling_off_period_after_it_ended() -> None:
    ended = date(2026, 3, 15)
    assert rules.barred_until(ended, 24) == date(2028, 3, 14)
    assert rules.bars("accompaniment", ended, ended, date(2028, 3, 14), 24)
    assert not rules.bars("accompaniment", ended, ended, date(2028, 3, 15), 24)
    assert rules.bars("consultancy", date(2025, 1, 1), None, date(2035, 1, 1), 24)  # going on
    assert not rules.bars("consultancy", date(2030, 1, 1), None, date(2029, 1, 1), 24)  # future
    assert not rules.bars("audited", ended, ended, date(2026, 3, 16), 24)  # bars nothing


async def test_the_facilitator_of_an_accompanied_session_may_not_decide(
    service: Service,
) -> None:
    # The structure's CAP session, accompanied by the facilitator, a year ago.
    session_day = service.runtime.clock.now() - timedelta(days=365)
    await service.completed("a", session_day, facilitators=(FACILITATOR,))
    file = await pending_file(service)
    barred = await decide(
        service, file["id"], service.committee(f"user:{FACILITATOR}"), outcome="confirm"
    )
    assert barred.status_code == 409, barred.text
    problem = barred.json()
    assert problem["type"].endswith("/conflict-of-interest")
    assert "§5.2.11" in problem["rule"]
    assert problem["person"] == f"user:{FACILITATOR}"
    assert (problem["engagement"]["kind"], problem["engagement"]["source"]) == (
        "accompaniment",
        "cap_session",
    )
    assert (
        problem["barred_until"]
        == (rules.barred_until(session_day.date(), 24) or date.min).isoformat()
    )
    # Refusing or deferring is deciding too.
    for body in (
        {"outcome": "refuse", "reason": "Non"},
        {"outcome": "defer", "reason": "Plus tard"},
    ):
        again = await decide(service, file["id"], service.committee(f"user:{FACILITATOR}"), **body)
        assert again.status_code == 409
    engagements = ok(
        await service.client.get(
            f"/v1/committee-members/{FACILITATOR}/engagements", headers=service.admin
        )
    )["data"]
    assert [(e["kind"], e["source"], e["ended_on"]) for e in engagements] == [
        ("accompaniment", "cap_session", session_day.date().isoformat())
    ]
    # Another committee member decides.
    assert ok(await decide(service, file["id"], outcome="confirm"))["status"] == "granted"


async def test_a_declared_engagement_with_a_group_member_bars_deciding(service: Service) -> None:
    member = "user:committee-2"
    url = "/v1/committee-members/committee-2/engagements"
    b = service.organisations["b"].id
    today = service.runtime.clock.today()
    training = {
        "organisation_id": b,
        "kind": "training",
        "started_on": (today - timedelta(days=200)).isoformat(),
        "ended_on": (today - timedelta(days=199)).isoformat(),
        "description": "Formation à la démarche qualité",
    }
    # A member declares their own; another member may not declare for them; an admin may.
    others = await service.client.post(url, json=training, headers=service.committee())
    assert others.status_code == 403
    declared = ok(
        await service.client.post(url, json=training, headers=service.committee(member)), 201
    )
    assert (declared["user_id"], declared["source"], declared["declared_by"]) == (
        "committee-2",
        "declared",
        member,
    )
    for bad, field in (
        ({**training, "organisation_id": "nope"}, "body.organisation_id"),
        ({**training, "kind": "audited"}, "body.kind"),
        ({**training, "ended_on": "2020-01-01"}, "body"),
        ({**training, "description": "x" * 501}, "body.description"),
        ({**training, "started_on": "99999-01-01"}, "body.started_on"),
    ):
        refused = await service.client.post(url, json=bad, headers=service.admin)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["errors"][0]["field"] == field, refused.text

    file = await pending_file(service, members=("b",))
    barred = await decide(service, file["id"], service.committee(member), outcome="confirm")
    assert barred.status_code == 409, barred.text
    assert barred.json()["engagement"]["id"] == declared["id"]
    assert barred.json()["engagement"]["organisation_id"] == b
    # The group member's engagement does not bar anyone else.
    assert ok(await decide(service, file["id"], outcome="confirm"))["status"] == "granted"


async def test_the_cooling_off_period_ends(service: Service) -> None:
    session_day = service.runtime.clock.now() - timedelta(days=2 * 366)
    await service.completed("a", session_day, facilitators=(FACILITATOR,))
    file = await pending_file(service)
    decided = await decide(
        service, file["id"], service.committee(f"user:{FACILITATOR}"), outcome="confirm"
    )
    assert decided.status_code == 200, decided.text


async def test_the_checks_are_shown_before_deciding(service: Service) -> None:
    """GET /v1/decisions/{id}/impartiality: each check of the caller with its result — the
    facilitator of the accompanied session fails the cooling-off (naming the engagement and
    until when), another committee member passes every check; structures are refused."""
    session_day = service.runtime.clock.now() - timedelta(days=365)
    await service.completed("a", session_day, facilitators=(FACILITATOR,))
    file = await pending_file(service)
    url = f"/v1/decisions/{file['id']}/impartiality"
    barred = ok(await service.client.get(url, headers=service.committee(f"user:{FACILITATOR}")))
    results = {c["check"]: c for c in barred["checks"]}
    assert (barred["impartial"], barred["person"]) == (False, f"user:{FACILITATOR}")
    assert {k: c["passed"] for k, c in results.items()} == {
        "audited": True,
        "cooling_off": False,
        "overturned_on_appeal": True,
    }
    cooling = results["cooling_off"]
    assert "§5.2.11" in cooling["rule"]
    assert [(e["kind"], e["source"]) for e in cooling["engagements"]] == [
        ("accompaniment", "cap_session")
    ]
    assert (
        cooling["barred_until"]
        == (rules.barred_until(session_day.date(), 24) or date.min).isoformat()
    )
    assert cooling["detail_fr"].startswith("1 engagement(s)")
    clear = ok(await service.client.get(url, headers=service.committee()))
    assert clear["impartial"] is True
    assert all(c["passed"] and c["engagements"] == [] for c in clear["checks"])
    # What the checks say is what deciding does.
    refused = await decide(
        service, file["id"], service.committee(f"user:{FACILITATOR}"), outcome="confirm"
    )
    assert refused.status_code == 409
    unknown = await service.client.get(
        "/v1/decisions/00000000-0000-0000-0000-000000000000/impartiality",
        headers=service.committee(),
    )
    assert unknown.status_code == 404
