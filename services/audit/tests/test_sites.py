"""Group sites through the API: the programme's sample per audit type (IAF MD 1), shown on the
audit and enforced by its plan; findings and evaluated maturity attributed to member sites; the
report event carrying them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cap_audit.config import Settings
from cap_audit.programmes.service import on_application_accepted
from cap_shared.clock import using
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import ApplicationAcceptedV1
from cap_shared.testing.conditional import if_match

from .conftest import Service, ok
from .test_audits import events, setup_body, step, team


async def group(service: Service, members: list[str], scheme: str = "CAP_ISO9001") -> dict:
    """An accepted application of organisation A for itself and ``members``: its programme."""
    event = ApplicationAcceptedV1(
        application_id=str(uuid.uuid4()),
        organisation_id=service.organisations["a"].id,
        group_member_ids=members,
        scheme=scheme,
        certification_body_id="sgs-tuv",
        accepted_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    with using(service.runtime.clock):
        async with service.runtime.db.session() as session:
            await on_application_accepted(
                session, new_event(event, source="/cap/labelling"), event, settings=Settings()
            )
    listed = ok(await service.client.get("/v1/audit-programmes", headers=service.admin))["data"]
    return next(p for p in listed if p["application_id"] == event.application_id)


def plan_with(people: dict, sites: list[str] | None) -> dict:
    body = {
        "start_date": "2027-01-11",
        "end_date": "2027-01-12",
        "plan": "Siège puis sites",
        "team": team(people, ("lead", "lead")),
    }
    return body if sites is None else {**body, "site_ids": sites}


async def test_a_group_audit_covers_its_iaf_md1_sample(service: Service) -> None:
    people = await setup_body(service)
    members = [str(uuid.uuid4()) for _ in range(9)]
    programme = await group(service, members)
    central = service.organisations["a"].id
    assert [(s["audit_type"], s["size"]) for s in programme["sampling"]] == [
        ("stage1", 3),  # √9
        ("stage2", 3),
        ("surveillance", 2),  # ⌈0.6 · 3⌉
        ("renewal", 3),  # ⌈0.8 · 3⌉
    ]
    audit_id = programme["schedule"][0]["audit_id"]
    shown = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.member()))
    sampling = shown["sampling"]
    assert (sampling["sites"], sampling["size"], sampling["sampled"], sampling["factor"]) == (
        9,
        3,
        True,
        1.0,
    )
    (drawn,) = sampling["random_site_ids"]  # ⌈25 % of 3⌉, drawn from the audit: stable
    assert drawn in members
    assert sampling["required_site_ids"] == [central, drawn]
    assert sampling["rule"].startswith("IAF MD 1")
    again = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))
    assert again["sampling"] == sampling

    body = service.body()
    await step(service, audit_id, body, "accept")
    chosen = [m for m in members if m != drawn][:2]
    url = f"/v1/audits/{audit_id}/plan"
    for sites, says in (
        (None, "names its sites"),
        ([drawn, *chosen], central),  # the central function left out
        ([central, *[m for m in members if m != drawn][:3]], drawn),  # the random site left out
        ([central, drawn, chosen[0]], "the sample is 3 member sites, the plan has 2"),
        ([central, drawn, *chosen, service.organisations["b"].id], "not a site"),
    ):
        refused = await service.client.put(
            url,
            json=plan_with(people, sites),
            headers=await if_match(service.client, f"/v1/audits/{audit_id}", body),
        )
        assert refused.status_code == 422, (sites, refused.text)
        problem = refused.json()
        assert problem["type"].endswith("/sample-not-covered")
        assert any(says in e["message"] for e in problem["errors"]), problem
        assert all(e["field"].startswith("body.site_ids") for e in problem["errors"])
    planned = ok(
        await service.client.put(
            url,
            json=plan_with(people, [central, drawn, *chosen]),
            headers=await if_match(service.client, f"/v1/audits/{audit_id}", body),
        )
    )
    assert planned["site_ids"] == [central, drawn, *chosen]


async def test_findings_and_maturity_belong_to_member_sites_and_the_report_says_so(
    service: Service,
) -> None:
    people = await setup_body(service)
    members = [str(uuid.uuid4()) for _ in range(2)]
    programme = await group(service, members, scheme="CAP_RSE")
    central = service.organisations["a"].id
    assert [(s["audit_type"], s["size"], s["sampled"]) for s in programme["sampling"]] == [
        ("initial", 2, False),  # no sampling for a label: every member
        ("follow_up", 1, False),  # ⌈30 %⌉ of them at the follow-up
        ("renewal", 2, False),
    ]
    audit_id = programme["schedule"][0]["audit_id"]
    body = service.body()
    await step(service, audit_id, body, "accept")
    short = await service.client.put(
        f"/v1/audits/{audit_id}/plan",
        json=plan_with(people, [central, members[0]]),
        headers=await if_match(service.client, f"/v1/audits/{audit_id}", body),
    )
    assert short.status_code == 422
    ok(
        await service.client.put(
            f"/v1/audits/{audit_id}/plan",
            json=plan_with(people, [central, *members]),
            headers=await if_match(service.client, f"/v1/audits/{audit_id}", body),
        )
    )
    await step(service, audit_id, body, "start")
    urn = "urn:coorace:referentiel:cap-rse:critere:r8"
    at_site = ok(
        await service.client.post(
            f"/v1/audits/{audit_id}/findings",
            json={
                "type": "minor_nc",
                "title": "Registre absent",
                "criterion_urn": urn,
                "site_id": members[1],
            },
            headers=body,
        ),
        201,
    )
    assert at_site["site_id"] == members[1]
    at_hq = ok(
        await service.client.post(
            f"/v1/audits/{audit_id}/findings",
            json={"type": "strength", "title": "Pilotage", "site_id": central},
            headers=body,
        ),
        201,
    )
    assert at_hq["site_id"] is None  # the central function
    foreign = await service.client.post(
        f"/v1/audits/{audit_id}/findings",
        json={"type": "observation", "title": "Ailleurs", "site_id": service.organisations["b"].id},
        headers=body,
    )
    assert foreign.status_code == 422
    assert foreign.json()["errors"][0]["field"] == "body.site_id"
    for bad in ("<b>x</b>", "a" * 37, "x\u0000y"):
        odd = await service.client.post(
            f"/v1/audits/{audit_id}/findings",
            json={"type": "observation", "title": "Ailleurs", "site_id": bad},
            headers=body,
        )
        assert odd.status_code == 422, bad

    levels = [
        {"criterion_urn": urn, "level": 2},
        {"criterion_urn": urn, "level": 1, "site_id": members[0]},
        {"criterion_urn": urn, "level": 3, "site_id": members[1], "not_applicable": True},
    ]
    ok(
        await service.client.put(
            f"/v1/audits/{audit_id}/maturity", json={"levels": levels}, headers=body
        )
    )
    stranger = await service.client.put(
        f"/v1/audits/{audit_id}/maturity",
        json={
            "levels": [{"criterion_urn": urn, "level": 1, "site_id": service.organisations["b"].id}]
        },
        headers=body,
    )
    assert stranger.status_code == 422
    assert stranger.json()["errors"][0]["field"] == "body.levels.0.site_id"
    await step(service, audit_id, body, "submit_report", summary="Évaluation du groupe")

    (report,) = await events(service, "audit.report_submitted.v1")
    assert (report["programme_id"], report["cycle"], sorted(report["site_ids"])) == (
        programme["id"],
        1,
        sorted(members),
    )
    assert {f["finding_id"]: f["site_id"] for f in report["findings"]} == {
        at_site["id"]: members[1],
        at_hq["id"]: None,
    }
    by_site = {
        m["site_id"]: (m["level"], m["not_applicable"]) for m in report["evaluated_maturity"]
    }
    assert by_site == {None: (2, False), members[0]: (1, False), members[1]: (0, True)}
