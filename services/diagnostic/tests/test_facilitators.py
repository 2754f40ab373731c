"""Facilitators of an accompanied CAP session as platform accounts: recorded when they act on the
session or named by an admin, shown with how, published with the completion (an accompaniment
engagement for the audit and labelling services)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa

from cap_diagnostic.models import tables
from cap_shared.contracts.diagnostic import DiagnosticCompletedV1

from .conftest import Service, answer
from .test_diagnostics import act, open_diagnostic, rate_all


def person(service: Service, *grants: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A person's account id and token."""
    user_id = str(uuid.uuid4())
    return user_id, service.headers(*grants, subject=f"user:{user_id}")


async def completed_events(service: Service) -> dict[str, DiagnosticCompletedV1]:
    async with service.runtime.db.session() as session:
        payloads = (
            await session.execute(
                sa.select(tables.outbox.c.payload).where(
                    tables.outbox.c.event_type == "diagnostic.completed.v1"
                )
            )
        ).scalars()
        events = [DiagnosticCompletedV1.model_validate(json.loads(p)["data"]) for p in payloads]
    return {e.diagnostic_id: e for e in events}


async def get(service: Service, diagnostic_id: str) -> dict[str, Any]:
    got = await service.client.get(f"/v1/diagnostics/{diagnostic_id}", headers=service.admin)
    assert got.status_code == 200, got.text
    return dict(got.json())


async def test_the_facilitator_who_runs_the_session_is_published_with_its_completion(
    service: Service,
) -> None:
    facilitator, as_facilitator = person(service, {"role": "facilitator", "region": "52"})
    # The structure opens it; the region's facilitator schedules and starts it.
    diagnostic = await open_diagnostic(service, service.member(role="member_admin"))
    assert diagnostic["facilitator_user_ids"] == []
    for action in ("schedule", "start"):
        moved = await act(service, diagnostic["id"], action, headers=as_facilitator)
        assert moved.status_code == 200, moved.text
    await rate_all(service, diagnostic["id"])
    done = await act(service, diagnostic["id"], "complete")  # the member completes it
    assert done.status_code == 200, done.text

    body = done.json()
    assert body["facilitator_user_ids"] == [facilitator]
    (account,) = body["facilitator_accounts"]
    assert (account["user_id"], account["how"], account["by"]) == (
        facilitator,
        "acted",
        f"user:{facilitator}",
    )
    assert account["at"].startswith("2026-11-20")  # the service's clock
    event = (await completed_events(service))[diagnostic["id"]]
    assert (event.kind, event.facilitator_user_ids) == ("cap_session", [facilitator])

    # After completion nothing more is recorded (the accompaniment was published once).
    _other, as_other = person(service, {"role": "facilitator", "region": "52"})
    planned = await act(service, diagnostic["id"], "issue_plan", headers=as_other)
    assert planned.status_code == 200, planned.text
    assert planned.json()["facilitator_user_ids"] == [facilitator]


async def test_a_facilitator_rating_or_completing_is_recorded_once_and_a_system_never(
    service: Service,
) -> None:
    rater, as_rater = person(service, {"role": "facilitator", "region": "52"})
    closer, as_closer = person(service, {"role": "facilitator", "region": "52"})
    diagnostic = await open_diagnostic(service, service.member())
    for action in ("schedule", "start"):
        assert (await act(service, diagnostic["id"], action)).status_code == 200
    for _ in range(2):
        rated = await service.client.put(
            f"/v1/diagnostics/{diagnostic['id']}/answers",
            json={"answers": [answer("urn:coorace:referentiel:cap:critere:t1.1", 2)]},
            headers=as_rater,
        )
        assert rated.status_code == 200, rated.text
    await rate_all(service, diagnostic["id"])
    done = await act(service, diagnostic["id"], "complete", headers=as_closer)
    assert done.status_code == 200, done.text
    assert done.json()["facilitator_user_ids"] == sorted([rater, closer])
    assert [a["user_id"] for a in done.json()["facilitator_accounts"]] == [rater, closer]
    assert sorted((await completed_events(service))[diagnostic["id"]].facilitator_user_ids) == (
        sorted([rater, closer])
    )


async def test_only_facilitators_of_the_region_acting_on_a_cap_session_are_recorded(
    service: Service,
) -> None:
    admin, as_admin = person(service, {"role": "admin"})
    # A person who is a member of the structure and a facilitator elsewhere, an admin: not
    # facilitators of this session.
    _elsewhere, as_elsewhere = person(
        service,
        {"role": "member", "organisation_id": service.organisations["a"].id},
        {"role": "facilitator", "region": "11"},
    )
    session = await open_diagnostic(service, as_elsewhere)
    for action in ("schedule", "start"):
        assert (await act(service, session["id"], action, headers=as_admin)).status_code == 200
    assert (await get(service, session["id"]))["facilitator_user_ids"] == []
    # A self-assessment is the structure's own work: a facilitator helping is not recorded.
    _facilitator, as_facilitator = person(service, {"role": "facilitator", "region": "52"})
    own = await open_diagnostic(service, as_facilitator, kind="self_assessment")
    assert own["facilitator_user_ids"] == []
    assert (await act(service, own["id"], "start", headers=as_facilitator)).status_code == 200
    await rate_all(service, own["id"])
    done = await act(service, own["id"], "complete", headers=as_facilitator)
    assert done.status_code == 200, done.text
    assert done.json()["facilitator_user_ids"] == []
    assert (await completed_events(service))[own["id"]].facilitator_user_ids == []
    assert admin not in (await get(service, session["id"]))["facilitator_user_ids"]


async def test_an_admin_names_facilitators_and_nobody_else_may(service: Service) -> None:
    named, colleague = str(uuid.uuid4()), str(uuid.uuid4())
    acted, as_facilitator = person(service, {"role": "facilitator", "region": "52"})
    diagnostic = await open_diagnostic(service, as_facilitator)
    url = f"/v1/diagnostics/{diagnostic['id']}"
    # The structure (or a facilitator) naming accounts: refused, and nothing changes.
    for who in (service.member(), service.member(role="member_admin"), as_facilitator):
        refused = await service.client.patch(
            url, json={"facilitator_user_ids": [named]}, headers=who
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"].endswith("/facilitators-named-by-admin")
    # Another structure learns nothing: 404, as for any of its diagnostics.
    hidden = await service.client.patch(
        url, json={"facilitator_user_ids": [named]}, headers=service.member("b")
    )
    assert hidden.status_code == 404, hidden.text
    opened = await service.client.post(
        "/v1/diagnostics",
        json={"organisation_id": service.organisations["a"].id, "facilitator_user_ids": [named]},
        headers=service.member(role="member_admin"),
    )
    assert opened.status_code == 403, opened.text
    assert (await get(service, diagnostic["id"]))["facilitator_user_ids"] == [acted]

    # An admin names two; the acted one stays; the list shows how each came.
    patched = await service.client.patch(
        url, json={"facilitator_user_ids": [named, colleague.upper(), named]}, headers=service.admin
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["facilitator_user_ids"] == sorted([acted, named, colleague])
    hows = {a["user_id"]: (a["how"], a["by"]) for a in patched.json()["facilitator_accounts"]}
    assert hows[named][0] == hows[colleague][0] == "named"
    assert hows[acted][0] == "acted"
    # Naming again replaces what was named (not what was done).
    again = await service.client.patch(
        url, json={"facilitator_user_ids": [colleague]}, headers=service.admin
    )
    assert again.json()["facilitator_user_ids"] == sorted([acted, colleague])
    for action in ("schedule", "start"):
        assert (await act(service, diagnostic["id"], action)).status_code == 200
    await rate_all(service, diagnostic["id"])
    assert (await act(service, diagnostic["id"], "complete")).status_code == 200
    event = (await completed_events(service))[diagnostic["id"]]
    assert event.facilitator_user_ids == sorted([acted, colleague])
    # Completed: the list is final.
    late = await service.client.patch(
        url, json={"facilitator_user_ids": [named]}, headers=service.admin
    )
    assert late.status_code == 409, late.text


async def test_facilitator_accounts_are_validated(service: Service) -> None:
    diagnostic = await open_diagnostic(service, service.member())
    url = f"/v1/diagnostics/{diagnostic['id']}"
    for bad in (
        ["pas-un-compte"],
        ["<script>alert(1)</script>"],
        [f"{uuid.uuid4()}\n"],
        [str(uuid.uuid4()) for _ in range(11)],
        [12345678901234567890],
        "not-a-list",
    ):
        refused = await service.client.patch(
            url, json={"facilitator_user_ids": bad}, headers=service.admin
        )
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert any(
            e["field"].startswith("body.facilitator_user_ids") for e in refused.json()["errors"]
        ), refused.json()
    # A self-assessment has no facilitator to name.
    own = await open_diagnostic(service, service.member(), kind="self_assessment")
    refused = await service.client.patch(
        f"/v1/diagnostics/{own['id']}",
        json={"facilitator_user_ids": [str(uuid.uuid4())]},
        headers=service.admin,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "body.facilitator_user_ids"
    assert (await get(service, diagnostic["id"]))["facilitator_user_ids"] == []
