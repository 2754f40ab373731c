"""Applications: eligibility from completed diagnostics (controllable clock), groups, decisions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from cap_labelling.applications import rules
from cap_labelling.models import tables

from .conftest import Service, ok


def test_eligibility_window_counts_calendar_months() -> None:
    today = date(2026, 11, 26)
    assert rules.eligible(datetime(2024, 11, 26, tzinfo=UTC), today, 24)
    assert not rules.eligible(datetime(2024, 11, 25, 23, tzinfo=UTC), today, 24)
    assert not rules.eligible(None, today, 24)
    assert rules.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)


def body(service: Service, **extra) -> dict:
    return {
        "organisation_id": service.organisations["a"].id,
        "scheme": "CAP_RSE",
        "certification_body_id": "sgs-tuv",
        **extra,
    }


async def test_only_a_recently_diagnosed_structure_may_apply(service: Service) -> None:
    refused = await service.client.post(
        "/v1/applications", json=body(service), headers=service.member_admin()
    )
    assert refused.status_code == 422
    assert refused.json()["organisations"] == [service.organisations["a"].id]
    await service.completed(
        "a", service.runtime.clock.now() - timedelta(days=800)
    )  # older than 24 months
    assert (
        await service.client.post(
            "/v1/applications", json=body(service), headers=service.member_admin()
        )
    ).status_code == 422
    await service.completed("a", service.runtime.clock.now() - timedelta(days=30))
    application = ok(
        await service.client.post(
            "/v1/applications", json=body(service), headers=service.member_admin()
        ),
        201,
    )
    assert application["status"] == "submitted"
    assert application["eligibility"][service.organisations["a"].id]["overall_score"] == 600
    again = await service.client.post(
        "/v1/applications", json=body(service), headers=service.member_admin()
    )
    assert again.status_code == 409
    # Twenty-five months later the same diagnostic no longer makes it eligible.
    service.runtime.clock.advance(timedelta(days=25 * 31))
    late = await service.client.post(
        "/v1/applications", json=body(service, scheme="CAP_ISO9001"), headers=service.member_admin()
    )
    assert late.status_code == 422


async def test_a_group_names_each_registered_member_once(service: Service) -> None:
    await service.completed("a", service.runtime.clock.now() - timedelta(days=10))
    unknown = await service.client.post(
        "/v1/applications",
        json=body(service, group_member_ids=["nope"]),
        headers=service.member_admin(),
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.group_member_ids.0"
    itself = await service.client.post(
        "/v1/applications",
        json=body(service, group_member_ids=[service.organisations["a"].id]),
        headers=service.member_admin(),
    )
    assert itself.status_code == 422
    twice = await service.client.post(
        "/v1/applications",
        json=body(service, group_member_ids=[service.organisations["b"].id] * 2),
        headers=service.member_admin(),
    )
    assert twice.status_code == 422
    # Members' eligibility is theirs to show: naming one without a diagnostic is no refusal
    # (it is checked when the member accepts, test_group_invitations.py).
    group = ok(
        await service.client.post(
            "/v1/applications",
            json=body(service, group_member_ids=[service.organisations["c"].id]),
            headers=service.member_admin(),
        ),
        201,
    )
    assert (group["status"], group["group_member_ids"]) == ("awaiting_consent", [])
    assert set(group["eligibility"]) == {service.organisations["a"].id}


async def test_acceptance_publishes_the_event_once_and_decisions_are_the_federations(
    service: Service,
) -> None:
    await service.completed("a", service.runtime.clock.now() - timedelta(days=10))
    other = await service.client.post(
        "/v1/applications", json=body(service), headers=service.member_admin("b")
    )
    assert other.status_code == 403  # b cannot apply for a
    member = await service.client.post(
        "/v1/applications",
        json=body(service),
        headers=service.headers(
            {"role": "member", "organisation_id": service.organisations["a"].id}
        ),
    )
    assert member.status_code == 403
    application = ok(
        await service.client.post(
            "/v1/applications", json=body(service), headers=service.member_admin()
        ),
        201,
    )
    url = f"/v1/applications/{application['id']}/transitions"
    assert (
        await service.client.post(url, json={"step": "accept"}, headers=service.member_admin())
    ).status_code == 403
    assert (
        await service.client.post(url, json={"step": "reject"}, headers=service.admin)
    ).status_code == 400  # a reason
    accepted = ok(
        await service.client.post(
            url, json={"step": "accept"}, headers=service.headers({"role": "committee"})
        )
    )
    assert accepted["status"] == "accepted"
    twice = await service.client.post(url, json={"step": "accept"}, headers=service.admin)
    assert twice.status_code == 409
    async with service.runtime.db.session() as session:
        rows = (
            (
                await session.execute(
                    sa.select(tables.outbox.c.payload).where(
                        tables.outbox.c.event_type == "labelling.application.accepted.v1"
                    )
                )
            )
            .scalars()
            .all()
        )
    (payload,) = rows
    data = json.loads(payload)["data"]
    assert (data["application_id"], data["scheme"], data["certification_body_id"]) == (
        application["id"],
        "CAP_RSE",
        "sgs-tuv",
    )
    outsider = await service.client.get(
        f"/v1/applications/{application['id']}", headers=service.member_admin("b")
    )
    assert outsider.status_code == 404
