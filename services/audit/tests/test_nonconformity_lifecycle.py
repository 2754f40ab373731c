"""The nonconformity lifecycle through the API (docs/domain/domain.md §7.6 E): minors of earlier audits
escalate to major at the next audit's report, minors adding up to a major (when set), and
appeals against findings within the period, decided by someone who took no part in the audit,
deadlines stopped meanwhile."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cap_shared.testing.conditional import if_match

from .conftest import Service, ok, use_parameters
from .test_audits import accepted, events, setup_body, step, team
from .test_certification_decision import decided
from .test_majors import ANSWER, run_deadlines
from .test_webhooks import secret_for, send, signed


async def run(
    service: Service,
    people: dict,
    audit_id: str,
    findings: list[dict[str, Any]],
    *,
    dates: tuple[str, str] = ("2027-01-11", "2027-01-12"),
) -> list[dict]:
    """The body accepts, plans (lead alone), starts the audit, records ``findings`` and
    submits the report; the findings as recorded."""
    body = service.body()
    await step(service, audit_id, body, "accept")
    ok(
        await service.client.put(
            f"/v1/audits/{audit_id}/plan",
            json={
                "start_date": dates[0],
                "end_date": dates[1],
                "plan": "Plan",
                "team": team(people, ("lead", "lead")),
            },
            headers=await if_match(service.client, f"/v1/audits/{audit_id}", body),
        )
    )
    await step(service, audit_id, body, "start")
    recorded = [
        ok(
            await service.client.post(f"/v1/audits/{audit_id}/findings", json=f, headers=body),
            201,
        )
        for f in findings
    ]
    await step(service, audit_id, body, "submit_report", summary="Rapport")
    return recorded


async def get(service: Service, url: str) -> Any:
    return ok(await service.client.get(url, headers=service.admin))


async def test_a_minor_not_closed_by_the_next_audit_becomes_a_major(service: Service) -> None:
    people = await setup_body(service)
    programme = await accepted(service)
    stage1 = programme["schedule"][0]["audit_id"]
    (minor,) = await run(
        service,
        people,
        stage1,
        [{"type": "minor_nc", "title": "Plan de formation incomplet", "clause": "7.2"}],
    )
    ok(
        await service.client.post(
            f"/v1/findings/{minor['id']}/response", json=ANSWER, headers=service.member()
        )
    )
    body = service.body()
    ok(
        await service.client.post(
            f"/v1/findings/{minor['id']}/review", json={"decision": "accept_plan"}, headers=body
        )
    )
    await step(service, stage1, body, "close")  # a minor closes the audit on an accepted plan

    stage2 = ok(
        await service.client.post(
            f"/v1/audit-programmes/{programme['id']}/audits",
            json={"type": "stage2"},
            headers=service.admin,
        ),
        201,
    )["id"]
    service.runtime.clock.set(datetime(2027, 3, 2, 17, tzinfo=UTC))
    await run(service, people, stage2, [], dates=("2027-03-01", "2027-03-02"))

    escalated = await get(service, f"/v1/findings/{minor['id']}")
    assert (
        escalated["type"],
        escalated["status"],
        escalated["escalated_from"],
        escalated["escalated_on"],
        escalated["response_due"],
    ) == ("major_nc", "open", "minor_nc", "2027-03-02", "2027-05-31")
    change = (await events(service, "finding.status_changed.v1"))[-1]
    assert (
        change["finding_id"],
        change["type"],
        change["previous_type"],
        change["previous_status"],
        change["status"],
        change["audit_id"],
    ) == (minor["id"], "major_nc", "minor_nc", "plan_accepted", "open", stage1)
    report = next(
        r for r in await events(service, "audit.report_submitted.v1") if r["audit_id"] == stage2
    )
    assert [(f["finding_id"], f["type"], f["escalated_from"]) for f in report["findings"]] == [
        (minor["id"], "major_nc", "minor_nc")
    ]
    assert (report["programme_id"], report["cycle"]) == (programme["id"], 1)

    # It counts for stage 2: its closure and its decision wait for it.
    refused = await service.client.post(
        f"/v1/audits/{stage2}/transitions", json={"step": "close"}, headers=body
    )
    assert refused.status_code == 409
    assert refused.json()["open_major_nc"] == 1
    secret = await secret_for(service)
    ok(await send(service, *signed(secret, decided(stage2))))
    (decision,) = await events(service, "certification.decided.v1")
    assert decision["open_major_nc"] == 1
    # The organisation answers it although stage 1 is closed; verified, stage 2 closes.
    ok(
        await service.client.post(
            f"/v1/findings/{minor['id']}/response", json=ANSWER, headers=service.member()
        )
    )
    ok(
        await service.client.post(
            f"/v1/findings/{minor['id']}/review", json={"decision": "verify"}, headers=body
        )
    )
    assert (await step(service, stage2, body, "close"))["status"] == "closed"


async def test_the_next_audit_shows_the_minors_its_report_escalated(service: Service) -> None:
    """Its report lists the escalated minor and counts it as its major, and its closure waits
    for it: the audit's own view says so too (it showed no finding while refusing to close
    for an open major)."""
    people = await setup_body(service)
    programme = await accepted(service)
    stage1 = programme["schedule"][0]["audit_id"]
    (minor,) = await run(
        service,
        people,
        stage1,
        [{"type": "minor_nc", "title": "Plan de formation incomplet", "clause": "7.2"}],
    )
    body = service.body()
    ok(
        await service.client.post(
            f"/v1/findings/{minor['id']}/response", json=ANSWER, headers=service.member()
        )
    )
    ok(
        await service.client.post(
            f"/v1/findings/{minor['id']}/review", json={"decision": "accept_plan"}, headers=body
        )
    )
    await step(service, stage1, body, "close")
    stage2 = ok(
        await service.client.post(
            f"/v1/audit-programmes/{programme['id']}/audits",
            json={"type": "stage2"},
            headers=service.admin,
        ),
        201,
    )["id"]
    service.runtime.clock.set(datetime(2027, 3, 2, 17, tzinfo=UTC))
    own = await run(
        service,
        people,
        stage2,
        [{"type": "observation", "title": "Affichage à revoir"}],
        dates=("2027-03-01", "2027-03-02"),
    )
    (report,) = [
        r for r in await events(service, "audit.report_submitted.v1") if r["audit_id"] == stage2
    ]
    assert report["summary"] == {"observation": 1, "major_nc": 1}
    shown = await get(service, f"/v1/audits/{stage2}")
    assert shown["findings"] == report["summary"]
    listed = (await get(service, f"/v1/audits/{stage2}/findings"))["data"]
    assert [(f["id"], f["audit_id"], f["type"]) for f in listed] == [
        (minor["id"], stage1, "major_nc"),  # found at stage 1, escalated by stage 2
        (own[0]["id"], stage2, "observation"),
    ]
    refused = await service.client.post(
        f"/v1/audits/{stage2}/transitions", json={"step": "close"}, headers=body
    )
    assert refused.json()["open_major_nc"] == shown["findings"]["major_nc"]


@pytest.fixture
def three_minors_make_a_major(tmp_path: Path, service: Service) -> None:
    """The scheme parameters with ``minors_as_major: 3`` (CAP RSE), for this service."""
    use_parameters(service, tmp_path, "CAP_RSE", minors_as_major=3)
    assert service.runtime.settings.scheme_parameters("CAP_RSE").minors_as_major == 3


@pytest.mark.usefixtures("three_minors_make_a_major")
async def test_minors_on_one_requirement_add_up_to_a_major(service: Service) -> None:
    people = await setup_body(service)
    programme = await accepted(service, scheme="CAP_RSE")
    audit_id = programme["schedule"][0]["audit_id"]
    r8, r3 = (f"urn:coorace:referentiel:cap-rse:critere:{c}" for c in ("r8", "r3"))
    minors = [
        {"type": "minor_nc", "title": f"Écart {i}", "criterion_urn": urn}
        for i, urn in enumerate((r8, r8, r3, r8, r3))
    ]
    await run(service, people, audit_id, minors)
    findings = (await get(service, f"/v1/audits/{audit_id}/findings"))["data"]
    added = [f for f in findings if f["type"] == "major_nc"]
    assert [(f["title"], f["criterion_urn"], f["escalated_from"], f["status"]) for f in added] == [
        ("3 non-conformités mineures sur l'exigence " + r8, r8, "minor_nc", "open")
    ]
    (report,) = await events(service, "audit.report_submitted.v1")
    assert report["summary"] == {"minor_nc": 5, "major_nc": 1}
    assert added[0]["id"] in {f["finding_id"] for f in report["findings"]}


async def test_appeals_stop_deadlines_and_are_decided_by_someone_outside_the_audit(
    service: Service,
) -> None:
    people = await setup_body(service)
    programme = await accepted(service)
    audit_id = programme["schedule"][0]["audit_id"]
    service.runtime.clock.set(datetime(2027, 1, 12, 17, tzinfo=UTC))
    major, other, observation = await run(
        service,
        people,
        audit_id,
        [
            {"type": "major_nc", "title": "Revue de direction absente", "clause": "9.3"},
            {"type": "major_nc", "title": "Audit interne non réalisé", "clause": "9.2"},
            {"type": "observation", "title": "Affichage à revoir"},
        ],
    )
    shown = await get(service, f"/v1/findings/{major['id']}")
    assert (shown["response_due"], shown["appeal_deadline"]) == ("2027-04-12", "2027-02-11")
    url = f"/v1/findings/{major['id']}/appeal"
    reason = {"reason": "La revue a eu lieu, compte rendu joint."}
    plain_member = service.headers(
        {"role": "member", "organisation_id": service.organisations["a"].id}
    )
    assert (await service.client.post(url, json=reason, headers=plain_member)).status_code == 403
    stranger = await service.client.post(url, json=reason, headers=service.member("b"))
    assert stranger.status_code == 404
    noted = await service.client.post(
        f"/v1/findings/{observation['id']}/appeal", json=reason, headers=service.member()
    )
    assert noted.status_code == 409

    service.runtime.clock.set(datetime(2027, 2, 1, 9, tzinfo=UTC))
    lodged = ok(await service.client.post(url, json=reason, headers=service.member()), 201)
    assert (lodged["status"], lodged["appeal"]["reason"], lodged["appeal"]["outcome"]) == (
        "appealed",
        reason["reason"],
        None,
    )
    twice = await service.client.post(url, json=reason, headers=service.member())
    assert (twice.status_code, twice.json()["type"].split("/")[-1]) == (409, "already-appealed")
    (appeal_event,) = await events(service, "finding.appeal_lodged.v1")
    assert (appeal_event["finding_id"], appeal_event["finding_type"]) == (major["id"], "major_nc")
    change = (await events(service, "finding.status_changed.v1"))[-1]
    assert (change["previous_status"], change["status"]) == ("open", "appealed")

    # While appealed, its deadline stops: no reminder for it.
    service.runtime.clock.set(datetime(2027, 4, 5, 9, tzinfo=UTC))
    await run_deadlines(service)
    assert {n["finding_id"] for n in await events(service, "finding.response_due.v1")} == {
        other["id"]
    }

    # Decided by someone who took no part in the audit: not its lead, even as an admin.
    decision = {"outcome": "downgraded", "reason": "Revue tenue, compte rendu incomplet."}
    decide_url = f"{url}/decision"
    lead_admin = service.headers({"role": "admin"}, subject=f"user:{people['lead']['user_id']}")
    partial = await service.client.post(decide_url, json=decision, headers=lead_admin)
    assert partial.status_code == 409, partial.text
    assert partial.json()["rule"].startswith("ISO/IEC 17021-1 §9.7")
    lead = service.auditor(people["lead"]["user_id"])
    assert (await service.client.post(decide_url, json=decision, headers=lead)).status_code == 403
    read_only = service.body(scope="audits:read")
    assert (
        await service.client.post(decide_url, json=decision, headers=read_only)
    ).status_code == 403
    outsider = service.member("b")
    assert (
        await service.client.post(decide_url, json=decision, headers=outsider)
    ).status_code == 403

    decided_appeal = ok(
        await service.client.post(decide_url, json=decision, headers=service.body())
    )
    stopped = (date(2027, 4, 5) - date(2027, 2, 1)).days
    assert (
        decided_appeal["type"],
        decided_appeal["status"],
        decided_appeal["response_due"],
        decided_appeal["appeal"]["outcome"],
    ) == (
        "minor_nc",
        "open",
        (date(2027, 4, 12) + timedelta(days=stopped)).isoformat(),
        "downgraded",
    )
    again = await service.client.post(decide_url, json=decision, headers=service.admin)
    assert (again.status_code, again.json()["type"].split("/")[-1]) == (409, "appeal-decided")
    (outcome,) = await events(service, "finding.appeal_decided.v1")
    assert (outcome["outcome"], outcome["reason"]) == ("downgraded", decision["reason"])
    change = (await events(service, "finding.status_changed.v1"))[-1]
    assert (
        change["previous_status"],
        change["status"],
        change["type"],
        change["previous_type"],
    ) == (
        "appealed",
        "open",
        "minor_nc",
        "major_nc",
    )

    # Too late for the other major.
    late = await service.client.post(
        f"/v1/findings/{other['id']}/appeal", json=reason, headers=service.member()
    )
    assert late.status_code == 409
    assert late.json()["deadline"] == "2027-02-11"


async def test_an_overturned_finding_is_withdrawn_and_counts_for_nothing(
    service: Service,
) -> None:
    people = await setup_body(service)
    programme = await accepted(service)
    audit_id = programme["schedule"][0]["audit_id"]
    (major,) = await run(
        service,
        people,
        audit_id,
        [{"type": "major_nc", "title": "Revue de direction absente", "clause": "9.3"}],
    )
    url = f"/v1/findings/{major['id']}/appeal"
    ok(
        await service.client.post(url, json={"reason": "Hors périmètre"}, headers=service.admin),
        201,
    )
    body = service.body()
    pending = await service.client.post(
        f"/v1/audits/{audit_id}/transitions", json={"step": "close"}, headers=body
    )
    assert pending.status_code == 409  # an appeal pending holds the closure
    ok(
        await service.client.post(
            f"{url}/decision",
            json={"outcome": "overturned", "reason": "Exigence hors périmètre certifié."},
            headers=body,
        )
    )
    withdrawn = await get(service, f"/v1/findings/{major['id']}")
    assert withdrawn["status"] == "withdrawn"
    audit = await get(service, f"/v1/audits/{audit_id}")
    assert audit["findings"] == {}
    assert (await step(service, audit_id, body, "close"))["status"] == "closed"
    answer = await service.client.post(
        f"/v1/findings/{major['id']}/response", json=ANSWER, headers=service.member()
    )
    assert answer.status_code == 409


async def test_outsiders_get_a_problem_never_a_500(service: Service) -> None:
    """Control characters (PostgreSQL stores no NUL), HTML, another structure's ids, huge
    numbers: 4xx problems, nothing stored."""
    people = await setup_body(service)
    programme = await accepted(service)
    audit_id = programme["schedule"][0]["audit_id"]
    (major,) = await run(
        service, people, audit_id, [{"type": "major_nc", "title": "NC", "clause": "9.3"}]
    )
    url = f"/v1/findings/{major['id']}/appeal"
    for path in ("/v1/findings/a%00b", "/v1/audits/a%00b", "/v1/audit-programmes/a%00b"):
        response = await service.client.get(path, headers=service.admin)
        assert response.status_code == 422, path
    for reason in ("a\u0000bcd", "bell\u0007", "x" * 4001):
        refused = await service.client.post(url, json={"reason": reason}, headers=service.admin)
        assert refused.status_code == 422, reason
        assert refused.headers["content-type"].startswith("application/problem+json")
    decision = await service.client.post(
        f"{url}/decision", json={"outcome": "upheld", "reason": "ok\u0000"}, headers=service.body()
    )
    assert decision.status_code == 422
    assert (await get(service, f"/v1/findings/{major['id']}"))["appeal"] is None
    html = "<script>alert('x')</script>\nLigne 2"
    lodged = ok(await service.client.post(url, json={"reason": html}, headers=service.admin), 201)
    assert lodged["appeal"]["reason"] == html  # stored as text, served as JSON
    huge = await service.client.put(
        f"/v1/audits/{audit_id}/maturity",
        json={"levels": [{"criterion_urn": "urn:x", "level": 10**30}]},
        headers=service.admin,
    )
    assert huge.status_code == 422
