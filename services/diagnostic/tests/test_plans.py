"""Progress plans: proposals from gaps and from audit findings, the action lifecycle, overdue."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from cap_diagnostic.models import tables
from cap_diagnostic.plans.proposals import on_audit_report
from cap_diagnostic.plans.reminders import detect_overdue, remind_due_soon
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import AuditReportSubmittedV1, FindingV1
from cap_shared.contracts.diagnostic import ActionOverdueV1
from cap_shared.testing.conditional import if_match

from .conftest import Service, answer
from .test_diagnostics import act, criteria_of, open_diagnostic

CAP = "urn:coorace:referentiel:cap:critere:"


async def rated_diagnostic(
    service: Service, levels: dict[str, int], default: int = 3, figures: dict | None = None
) -> dict:
    diagnostic = await open_diagnostic(service, kind="self_assessment")
    await act(service, diagnostic["id"], "start")
    batch = [answer(c["urn"], levels.get(c["code"], default)) for c in await criteria_of(service)]
    put = await service.client.put(
        f"/v1/diagnostics/{diagnostic['id']}/answers",
        json={"answers": batch},
        headers=service.member(),
    )
    assert put.status_code == 200
    if figures is not None:
        put = await service.client.put(
            f"/v1/diagnostics/{diagnostic['id']}/key-figures",
            json=figures,
            headers=service.member(),
        )
        assert put.status_code == 200, put.text
    assert (await act(service, diagnostic["id"], "complete")).status_code == 200
    return diagnostic


async def the_plan(service: Service, **params) -> dict:
    plans = (await service.client.get("/v1/progress-plans", headers=service.member())).json()[
        "data"
    ]
    assert len(plans) == 1
    got = await service.client.get(
        f"/v1/progress-plans/{plans[0]['id']}", params=params, headers=service.member()
    )
    assert got.status_code == 200
    return got.json()


async def test_issuing_the_plan_proposes_the_templates_of_the_gaps(service: Service) -> None:
    # T2.1 (core) at 1, T3.3 at 2; everything else at 3 (3/4 of the scale: no proposal).
    diagnostic = await rated_diagnostic(service, {"T2.1": 1, "T3.3": 2})
    issued = await act(service, diagnostic["id"], "issue_plan")
    assert issued.status_code == 200, issued.text
    assert issued.json()["status"] == "plan_issued"
    assert issued.json()["allowed_actions"] == ["follow_up", "close"]
    plan = await the_plan(service)
    codes = {a["criterion_code"] for a in plan["actions"]}
    assert codes == {"T2.1", "T3.3"}
    referential = {c["code"]: c for c in await criteria_of(service)}
    expected = len(referential["T2.1"]["action_templates"]) + len(
        referential["T3.3"]["action_templates"]
    )
    assert len(plan["actions"]) == expected
    t21 = [a for a in plan["actions"] if a["criterion_code"] == "T2.1"]
    assert {a["priority"] for a in t21} == {"high"}  # a core criterion at the bottom of the scale
    assert all(a["status"] == "proposed" and a["source"] == "diagnostic" for a in plan["actions"])
    assert all(a["expected_gain"] > 0 for a in plan["actions"])
    assert all(a["due_date"] > "2026-01-01" for a in plan["actions"])
    summary = await service.client.get("/v1/diagnostics/summary", headers=service.member())
    assert summary.json()["open_actions"] == expected


async def test_a_second_diagnostic_adds_only_what_is_not_already_open(service: Service) -> None:
    first = await rated_diagnostic(service, {"T2.1": 1})
    await act(service, first["id"], "issue_plan")
    before = await the_plan(service)
    second = await rated_diagnostic(service, {"T2.1": 2, "T1.2": 0})
    await act(service, second["id"], "issue_plan")
    after = await the_plan(service)
    new = [a for a in after["actions"] if a["id"] not in {b["id"] for b in before["actions"]}]
    assert {a["criterion_code"] for a in new} == {"T1.2"}


async def test_an_action_goes_from_proposed_to_verified_and_then_is_a_record(
    service: Service,
) -> None:
    diagnostic = await rated_diagnostic(service, {"T1.1": 1})
    await act(service, diagnostic["id"], "issue_plan")
    action = (await the_plan(service))["actions"][0]
    url = f"/v1/actions/{action['id']}"
    edited = await service.client.patch(
        url,
        json={"owner": "Directrice", "due_date": "2027-03-31", "priority": "low"},
        headers=await if_match(service.client, url, service.member()),
    )
    assert edited.json()["owner"] == "Directrice"
    for step in ("plan", "start"):
        moved = await service.client.post(
            url + "/transitions",
            json={"step": step},
            headers=await if_match(service.client, url, service.member()),
        )
        assert moved.status_code == 200, moved.text
    review = await service.client.post(
        url + "/reviews",
        json={"note": "Premier comité de suivi", "progress": 40},
        headers=service.member(),
    )
    assert review.status_code == 201
    done = await service.client.post(
        url + "/transitions",
        json={"step": "complete", "note": "Livré"},
        headers=await if_match(service.client, url, service.member()),
    )
    assert done.json()["status"] == "done"
    refused = await service.client.post(
        url + "/transitions",
        json={"step": "verify"},
        headers=await if_match(service.client, url, service.member()),
    )
    assert refused.status_code == 403
    verified = await service.client.post(
        url + "/transitions",
        json={"step": "verify"},
        headers=await if_match(service.client, url, service.facilitator()),
    )
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"
    detail = (await service.client.get(url, headers=service.member())).json()
    assert [(r["note"], r["status_after"]) for r in detail["reviews"]] == [
        ("Premier comité de suivi", "in_progress"),
        ("Livré", "done"),
    ]
    locked = await service.client.patch(
        url, json={"owner": "Autre"}, headers=await if_match(service.client, url, service.member())
    )
    assert locked.status_code == 409
    wrong = await service.client.post(
        url + "/transitions",
        json={"step": "start"},
        headers=await if_match(service.client, url, service.member()),
    )
    assert wrong.status_code == 409
    assert wrong.json()["allowed_steps"] == []


async def test_manual_actions_and_bad_input(service: Service) -> None:
    diagnostic = await rated_diagnostic(service, {"T1.1": 1})
    await act(service, diagnostic["id"], "issue_plan")
    plan = await the_plan(service)
    url = f"/v1/progress-plans/{plan['id']}/actions"

    async def expected(headers: dict[str, str]) -> dict[str, str]:
        return await if_match(service.client, f"/v1/progress-plans/{plan['id']}", headers)

    missing = await service.client.post(url, json={"title": "X"}, headers=service.member())
    assert missing.status_code == 428
    assert missing.json()["type"].endswith("/precondition-required")
    read = await expected(service.member())
    created = await service.client.post(
        url,
        json={
            "title": "Questionnaire de satisfaction client",
            "criterion": CAP + "t2.6",
            "due_date": "2027-01-15",
        },
        headers=read,
    )
    assert created.status_code == 201
    assert (
        created.json()["status"],
        created.json()["criterion_code"],
        created.json()["source"],
    ) == ("planned", "T2.6", "manual")
    unknown = await service.client.post(
        url,
        json={"title": "X", "criterion": CAP + "t9.9"},
        headers=await expected(service.member()),
    )
    assert unknown.status_code == 422
    empty = await service.client.post(
        url, json={"title": ""}, headers=await expected(service.member())
    )
    assert empty.status_code == 422
    stale = await service.client.post(url, json={"title": "Y"}, headers=read)  # plan changed
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == (await expected(service.member()))["If-Match"]
    outsider = await service.client.post(
        url, json={"title": "X"}, headers={**service.member("b"), "If-Match": read["If-Match"]}
    )
    assert outsider.status_code == 404


async def test_a_reminder_goes_out_once_a_week_before_the_due_date(service: Service) -> None:
    diagnostic = await rated_diagnostic(service, {"T1.1": 1})
    await act(service, diagnostic["id"], "issue_plan")
    action = (await the_plan(service))["actions"][0]
    await service.client.patch(
        f"/v1/actions/{action['id']}",
        json={"due_date": "2026-12-10"},
        headers=await if_match(service.client, f"/v1/actions/{action['id']}", service.member()),
    )
    for day, expected in [(date(2026, 12, 2), 0), (date(2026, 12, 3), 1), (date(2026, 12, 4), 0)]:
        async with service.runtime.db.session() as session:
            assert await remind_due_soon(session, day, 7) == expected, day
    async with service.runtime.db.session() as session:
        (payload,) = (
            (
                await session.execute(
                    sa.select(tables.outbox.c.payload).where(
                        tables.outbox.c.event_type == "action.due_soon.v1"
                    )
                )
            )
            .scalars()
            .all()
        )
    data = json.loads(payload)["data"]
    assert (data["action_id"], data["days_left"], data["due_date"]) == (
        action["id"],
        7,
        "2026-12-10",
    )
    # Moved later: reminded again for the new date.
    await service.client.patch(
        f"/v1/actions/{action['id']}",
        json={"due_date": "2026-12-12"},
        headers=await if_match(service.client, f"/v1/actions/{action['id']}", service.member()),
    )
    async with service.runtime.db.session() as session:
        assert await remind_due_soon(session, date(2026, 12, 5), 7) == 1


async def test_overdue_actions_are_announced_once_per_due_date(service: Service) -> None:
    diagnostic = await rated_diagnostic(service, {"T1.1": 1})
    await act(service, diagnostic["id"], "issue_plan")
    actions = (await the_plan(service))["actions"]
    late = actions[0]
    await service.client.patch(
        f"/v1/actions/{late['id']}",
        json={"due_date": "2026-10-01"},
        headers=await if_match(service.client, f"/v1/actions/{late['id']}", service.member()),
    )
    today = date(2026, 11, 26)
    async with service.runtime.db.session() as session:
        assert await detect_overdue(session, today) == 1
    async with service.runtime.db.session() as session:
        assert await detect_overdue(session, today + timedelta(days=1)) == 0  # already announced
    async with service.runtime.db.session() as session:
        payloads = (
            (
                await session.execute(
                    sa.select(tables.outbox.c.payload).where(
                        tables.outbox.c.event_type == "action.overdue.v1"
                    )
                )
            )
            .scalars()
            .all()
        )
    (payload,) = payloads
    event = ActionOverdueV1.model_validate(json.loads(payload)["data"])
    assert (event.action_id, event.days_overdue, event.due_date) == (
        late["id"],
        56,
        date(2026, 10, 1),
    )
    plan = await the_plan(service, overdue="true")
    assert [a["id"] for a in plan["actions"]] == [late["id"]]
    # A new due date that passes again is announced again.
    await service.client.patch(
        f"/v1/actions/{late['id']}",
        json={"due_date": "2026-11-20"},
        headers=await if_match(service.client, f"/v1/actions/{late['id']}", service.member()),
    )
    async with service.runtime.db.session() as session:
        assert await detect_overdue(session, today) == 1
    # Done actions are never overdue.
    await service.client.post(
        f"/v1/actions/{late['id']}/transitions",
        json={"step": "start"},
        headers=await if_match(service.client, f"/v1/actions/{late['id']}", service.member()),
    )
    await service.client.post(
        f"/v1/actions/{late['id']}/transitions",
        json={"step": "complete"},
        headers=await if_match(service.client, f"/v1/actions/{late['id']}", service.member()),
    )
    assert not (
        await service.client.get(f"/v1/actions/{late['id']}", headers=service.member())
    ).json()["overdue"]


async def test_audit_findings_become_proposed_actions_once(service: Service) -> None:
    organisation = service.organisations["a"]
    event = AuditReportSubmittedV1(
        audit_id=str(uuid.uuid4()),
        organisation_id=organisation.id,
        scheme="CAP_RSE",
        audit_type="initial",
        submitted_at=datetime(2026, 11, 20, tzinfo=UTC),
        findings=[
            FindingV1(
                finding_id="f1",
                type="major_nc",
                title="Pas d'évaluation des risques",
                criterion_urn="urn:coorace:referentiel:cap-rse:critere:r8",
                response_due=date(2027, 2, 18),
            ),
            FindingV1(finding_id="f2", type="minor_nc", title="Registre incomplet", clause="8.4"),
            FindingV1(finding_id="f3", type="opportunity", title="Mutualiser les achats"),
            FindingV1(finding_id="f4", type="strength", title="Accueil exemplaire"),
        ],
    )
    envelope = new_event(event, source="/cap/audit", subject=event.audit_id, actor="user:auditor")
    for _ in range(2):  # a redelivery changes nothing
        async with service.runtime.db.session() as session:
            await on_audit_report(session, envelope, event)
    plan = await the_plan(service)
    by_title = {a["title"]: a for a in plan["actions"]}
    assert set(by_title) == {
        "Non-conformité majeure — Pas d'évaluation des risques",
        "Non-conformité mineure — Registre incomplet",
        "Piste de progrès — Mutualiser les achats",
    }
    major = by_title["Non-conformité majeure — Pas d'évaluation des risques"]
    assert (major["priority"], major["due_date"], major["criterion_code"], major["source"]) == (
        "high",
        "2027-02-18",
        "R8",
        "audit",
    )
    minor = by_title["Non-conformité mineure — Registre incomplet"]
    assert minor["due_date"] == "2027-02-18"  # 90 days after submission


async def test_a_finding_made_at_a_member_site_goes_to_that_site_s_plan(
    service: Service,
) -> None:
    central, site = service.organisations["a"], await service.add_organisation("c", region="52")
    event = AuditReportSubmittedV1(
        audit_id=str(uuid.uuid4()),
        organisation_id=central.id,
        scheme="CAP_ISO9001",
        audit_type="stage2",
        submitted_at=datetime(2026, 11, 20, tzinfo=UTC),
        site_ids=[site.id],
        findings=[
            FindingV1(finding_id="f1", type="minor_nc", title="Revue de direction incomplète"),
            FindingV1(finding_id="f2", type="major_nc", title="EPI non fournis", site_id=site.id),
            # A site that is not the report's: the audited organisation's plan.
            FindingV1(
                finding_id="f3", type="observation", title="Affichage", site_id=str(uuid.uuid4())
            ),
        ],
    )
    envelope = new_event(event, source="/cap/audit", subject=event.audit_id, actor="user:auditor")
    for _ in range(2):  # a redelivery changes nothing
        async with service.runtime.db.session() as session:
            await on_audit_report(session, envelope, event)

    async def titles(key: str) -> list[str]:
        listed = await service.client.get("/v1/progress-plans", headers=service.member(key))
        plans = listed.json()["data"]
        return sorted(a["title"] for p in plans for a in p["actions"])

    assert await titles("a") == [
        "Non-conformité mineure — Revue de direction incomplète",
        "Observation — Affichage",
    ]
    assert await titles("c") == ["Non-conformité majeure — EPI non fournis"]


async def test_the_overdue_job_runs_on_the_runtimes_clock(service: Service) -> None:
    """Shift the service's clock: its worker's job sees the action overdue (no wall-clock wait)."""
    from cap_diagnostic.main import SERVICE

    diagnostic = await rated_diagnostic(service, {"T1.1": 1})
    await act(service, diagnostic["id"], "issue_plan")
    action = (await the_plan(service))["actions"][0]
    job = next(j for j in SERVICE.jobs if j.name == "overdue-actions")
    async with service.runtime.db.session() as session:
        assert await job.body(session, service.runtime.job_context()) == 0
    service.runtime.clock.advance(timedelta(days=400))
    async with service.runtime.db.session() as session:
        assert await job.body(session, service.runtime.job_context()) >= 1
    overdue = await service.client.get(f"/v1/actions/{action['id']}", headers=service.member())
    assert overdue.json()["overdue"] is True


async def test_actions_are_written_on_the_copy_read_if_match(service: Service) -> None:
    """Concurrent editors: a write sends the ETag it read (428 without, 412 once stale); the
    answer's ETag is the new one, the GET's, and If-None-Match gets 304 while it holds."""
    diagnostic = await rated_diagnostic(service, {"T1.1": 1})
    await act(service, diagnostic["id"], "issue_plan")
    url = f"/v1/actions/{(await the_plan(service))['actions'][0]['id']}"
    read = await service.client.get(url, headers=service.member())
    tag = read.headers["etag"]
    assert read.headers["cache-control"] == "private, no-cache"
    unchanged = await service.client.get(url, headers={**service.member(), "If-None-Match": tag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == tag
    missing = await service.client.patch(url, json={"owner": "A"}, headers=service.member())
    assert missing.status_code == 428
    assert missing.json()["current_etag"] == tag
    mine = {**service.member(), "If-Match": tag}
    first = await service.client.patch(url, json={"owner": "A"}, headers=mine)
    assert first.status_code == 200
    new = first.headers["etag"]
    assert new != tag
    theirs = await service.client.patch(url, json={"owner": "B"}, headers=mine)  # stale copy
    assert theirs.status_code == 412
    assert theirs.json()["type"].endswith("/precondition-failed")
    assert theirs.json()["current_etag"] == new
    assert (await service.client.get(url, headers=service.member())).json()["owner"] == "A"
    assert (await service.client.get(url, headers=service.member())).headers["etag"] == new
    changed = await service.client.get(url, headers={**service.member(), "If-None-Match": tag})
    assert changed.status_code == 200
    moved = await service.client.post(
        url + "/transitions",
        json={"step": "plan"},
        headers={**service.member(), "If-Match": new},
    )
    assert moved.status_code == 200, moved.text
    assert (
        moved.headers["etag"]
        == (await service.client.get(url, headers=service.member())).headers["etag"]
    )
    unconditional = await service.client.post(
        url + "/transitions", json={"step": "start"}, headers=service.member()
    )
    assert unconditional.status_code == 428
