"""The auditor's evaluated maturity of a CAP RSE audit, recorded as a scored, completed diagnostic
(kind ``audit_evaluation``) from ``audit.report_submitted.v1`` — once per audit, read-only."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any, Literal

import pytest
import sqlalchemy as sa

from cap_diagnostic.events.handlers import HANDLERS
from cap_diagnostic.models import tables
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import AuditReportSubmittedV1, EvaluatedMaturityV1, FindingV1
from cap_shared.contracts.diagnostic import DiagnosticCompletedV1

from .conftest import Service, answer
from .test_diagnostics import act, criteria_of, open_diagnostic

RSE = "urn:coorace:referentiel:cap-rse:critere:"
CAP = "urn:coorace:referentiel:cap:critere:"


def report(
    service: Service,
    levels: dict[str, int | None],
    *,
    key: str = "a",
    scheme: Literal["CAP_RSE", "CAP_ISO9001"] = "CAP_RSE",
    audit_id: str | None = None,
    findings: list[FindingV1] | None = None,
    sites: dict[str, dict[str, int | None]] | None = None,
    site_ids: list[str] | None = None,
) -> AuditReportSubmittedV1:
    """A report with the audited organisation's levels (None: judged not applicable) and, per
    member site id, the site's."""
    items = [(None, urn, level) for urn, level in levels.items()] + [
        (site, urn, level) for site, given in (sites or {}).items() for urn, level in given.items()
    ]
    return AuditReportSubmittedV1(
        audit_id=audit_id or str(uuid.uuid4()),
        organisation_id=service.organisations[key].id,
        scheme=scheme,
        audit_type="initial",
        submitted_at=datetime(2026, 11, 20, 16, tzinfo=UTC),
        last_day=date(2026, 11, 19),
        certification_body_id="sgs-tuv",
        findings=findings or [],
        evaluated_maturity=[
            EvaluatedMaturityV1(
                criterion_urn=urn, level=level or 0, not_applicable=level is None, site_id=site
            )
            for site, urn, level in items
        ],
        site_ids=list(sites or {}) if site_ids is None else site_ids,
    )


async def deliver(service: Service, event: AuditReportSubmittedV1) -> None:
    """As the worker hands a delivery to the service's handler (a new envelope each time)."""
    envelope = new_event(event, source="/cap/audit", subject=event.audit_id, actor="user:auditor")
    async with service.runtime.db.session() as session:
        await HANDLERS["audit.report_submitted.v1"](session, envelope, event)


async def evaluations_of(service: Service, key: str = "a") -> list[dict[str, Any]]:
    listed = await service.client.get(
        "/v1/diagnostics",
        params={"organisation_id": service.organisations[key].id},
        headers=service.admin,
    )
    assert listed.status_code == 200, listed.text
    return [d for d in listed.json()["data"] if d["kind"] == "audit_evaluation"]


async def completions(service: Service) -> list[DiagnosticCompletedV1]:
    async with service.runtime.db.session() as session:
        payloads = (
            await session.execute(
                sa.select(tables.outbox.c.payload)
                .where(tables.outbox.c.event_type == "diagnostic.completed.v1")
                .order_by(tables.outbox.c.seq)
            )
        ).scalars()
        return [DiagnosticCompletedV1.model_validate(json.loads(p)["data"]) for p in payloads]


async def self_assessment(service: Service, level: int, *, not_applicable: str = "") -> dict:
    """Structure a's completed CAP RSE self-assessment, every criterion at ``level`` (one marked
    not applicable)."""
    diagnostic = await open_diagnostic(
        service, service.member(), referential_code="CAP_RSE", kind="self_assessment"
    )
    assert (await act(service, diagnostic["id"], "start")).status_code == 200
    batch = [
        answer(c["urn"], level)
        if c["urn"] != not_applicable
        else answer(c["urn"], None, not_applicable=True, not_applicable_reason="Sans objet")
        for c in await criteria_of(service, "CAP_RSE")
    ]
    put = await service.client.put(
        f"/v1/diagnostics/{diagnostic['id']}/answers",
        json={"answers": batch},
        headers=service.member(),
    )
    assert put.status_code == 200, put.text
    done = await act(service, diagnostic["id"], "complete")
    assert done.status_code == 200, done.text
    return dict(done.json())


async def answers_of(service: Service, diagnostic_id: str) -> dict[str, dict[str, Any]]:
    got = await service.client.get(
        f"/v1/diagnostics/{diagnostic_id}/answers", headers=service.admin
    )
    assert got.status_code == 200, got.text
    return {a["criterion"]: a for a in got.json()["data"]}


async def scores_of(service: Service, diagnostic_id: str) -> dict[str, Any]:
    got = await service.client.get(f"/v1/diagnostics/{diagnostic_id}/scores", headers=service.admin)
    assert got.status_code == 200, got.text
    return dict(got.json())


async def test_only_the_auditor_rates_what_the_auditor_did_not_evaluate_stays_unrated(
    service: Service,
) -> None:
    own = await self_assessment(service, 2, not_applicable=f"{RSE}r13")
    event = report(service, {f"{RSE}r1": 4, f"{RSE}r23": 2, f"{CAP}t2.4": 0, f"{RSE}r5": None})
    for _ in range(2):  # redelivered (even as a new envelope): still one evaluation
        await deliver(service, event)

    (evaluation,) = await evaluations_of(service)
    assert (evaluation["status"], evaluation["allowed_actions"], evaluation["audit_id"]) == (
        "rated",
        [],
        event.audit_id,
    )
    # The structure's own assessment chose the referential version, nothing else.
    assert evaluation["referential"]["id"] == own["referential"]["id"]
    assert evaluation["session_date"] == "2026-11-19"  # the audit's last day
    assert evaluation["created_by"] == "user:auditor"
    criteria = await criteria_of(service, "CAP_RSE")
    assert evaluation["progress"] == {
        "criteria": len(criteria),
        "rated": 3,
        "not_applicable": 1,
        "missing": len(criteria) - 4,
    }
    record = evaluation["audit_evaluation"]
    assert record["self_assessment_id"] == own["id"]
    assert (record["audited_organisation_id"], record["site_id"]) == (
        service.organisations["a"].id,
        None,
    )
    assert sorted(record["ratings"]["auditor"]) == ["R1", "R23", "T2.4"]
    assert record["ratings"]["not_applicable"] == ["R5"]
    assert len(record["ratings"]["unrated"]) == len(criteria) - 4
    assert set(record["ratings"]) == {"auditor", "not_applicable", "unrated"}
    assert record["ignored"] == []

    # The auditor's levels; nothing from the self-assessment, nothing rated 0 by default.
    answers = await answers_of(service, evaluation["id"])
    assert len(answers) == len(criteria)
    assert (answers[f"{RSE}r1"]["level"], answers[f"{RSE}r1"]["carried_from"]) == (4, None)
    assert answers[f"{CAP}t2.4"]["level"] == 0  # the auditor's 0 is a rating
    assert "auditeur" in answers[f"{RSE}r1"]["comment"]
    for unrated in (f"{RSE}r2", f"{RSE}r13"):  # rated 2 / not applicable by the structure
        assert (
            answers[unrated]["level"],
            answers[unrated]["not_applicable"],
            answers[unrated]["carried_from"],
        ) == (None, False, None)
    assert (answers[f"{RSE}r5"]["level"], answers[f"{RSE}r5"]["not_applicable"]) == (None, True)

    # Scored on what the auditor evaluated: unrated criteria count on neither side.
    scores = await scores_of(service, evaluation["id"])
    overall = scores["overall"]
    assert (overall["rated"], overall["not_applicable"], overall["total"]) == (
        3,
        1,
        len(criteria),
    )
    assert evaluation["overall_score"] == overall["score"]
    assert 0 < overall["score"] < 1000
    assert len(scores["missing"]) == len(criteria) - 4
    assert scores["complete"] is False
    # A core subject the auditor evaluated nothing in has no score (not 0).
    subjects = {g["code"]: g for g in scores["frameworks"]["iso26000"]}
    assert any(g["score"] is None and g["rated"] == 0 for g in subjects.values())

    # Completed through the one completion path: the same event, once, saying what it is.
    published = [e for e in await completions(service) if e.diagnostic_id == evaluation["id"]]
    (completed,) = published
    assert (completed.kind, completed.audit_id, completed.overall.score) == (
        "audit_evaluation",
        event.audit_id,
        evaluation["overall_score"],
    )
    assert completed.organisation_id == service.organisations["a"].id
    assert completed.facilitator_user_ids == []
    levels = {c.urn: (c.level, c.not_applicable) for c in completed.criteria}
    assert len(levels) == len(criteria)
    assert levels[f"{RSE}r23"] == (2, False)
    assert levels[f"{RSE}r5"] == (None, True)
    assert levels[f"{RSE}r2"] == (None, False)  # unrated: the labelling service sees it
    assert levels[f"{RSE}r13"] == (None, False)


async def test_without_any_assessment_the_latest_version_and_nothing_rated_by_default(
    service: Service,
) -> None:
    await deliver(service, report(service, {f"{RSE}r1": 4}))
    (evaluation,) = await evaluations_of(service)
    criteria = await criteria_of(service, "CAP_RSE")  # the latest version
    record = evaluation["audit_evaluation"]
    assert record["self_assessment_id"] is None
    assert record["ratings"]["auditor"] == ["R1"]
    assert len(record["ratings"]["unrated"]) == len(criteria) - 1
    answers = await answers_of(service, evaluation["id"])
    assert {a["level"] for u, a in answers.items() if u != f"{RSE}r1"} == {None}
    # One criterion evaluated, at the top of its scale: that is all the score says.
    assert (evaluation["overall_score"], evaluation["overall_band"]) == (1000, "Exemplaire")
    assert evaluation["progress"]["rated"] == 1


async def test_a_group_audit_records_one_evaluation_per_site(service: Service) -> None:
    member = await service.add_organisation("c", region="52")
    other = await service.add_organisation("d", region="11")
    stranger = str(uuid.uuid4())
    event = report(
        service,
        {f"{RSE}r1": 3},
        sites={
            member.id: {f"{RSE}r1": 1, f"{RSE}r2": None},
            stranger: {f"{RSE}r3": 4},  # not one of the report's sites
        },
        site_ids=[member.id, other.id],
    )
    for _ in range(2):  # redelivered: nothing more
        await deliver(service, event)

    central = {d["audit_id"]: d for d in await evaluations_of(service, "a")}
    at_member = {d["audit_id"]: d for d in await evaluations_of(service, "c")}
    at_other = {d["audit_id"]: d for d in await evaluations_of(service, "d")}
    assert set(central) == set(at_member) == set(at_other) == {event.audit_id}
    a, c, d = central[event.audit_id], at_member[event.audit_id], at_other[event.audit_id]
    assert [e["audit_evaluation"]["site_id"] for e in (a, c, d)] == [None, member.id, other.id]
    assert {e["audit_evaluation"]["audited_organisation_id"] for e in (a, c, d)} == {
        service.organisations["a"].id
    }
    # Each site's own ratings.
    assert a["audit_evaluation"]["ratings"]["auditor"] == ["R1"]
    assert (await answers_of(service, a["id"]))[f"{RSE}r1"]["level"] == 3
    assert c["audit_evaluation"]["ratings"]["auditor"] == ["R1"]
    assert c["audit_evaluation"]["ratings"]["not_applicable"] == ["R2"]
    site_answers = await answers_of(service, c["id"])
    assert (site_answers[f"{RSE}r1"]["level"], site_answers[f"{RSE}r2"]["not_applicable"]) == (
        1,
        True,
    )
    # A site the auditor rated nothing on still has its evaluation: everything unrated.
    assert d["audit_evaluation"]["ratings"]["auditor"] == []
    assert (d["overall_score"], d["progress"]["rated"]) == (None, 0)
    # The item for a site that is not the report's is bad data: ignored, said in the central one.
    (ignored,) = a["audit_evaluation"]["ignored"]
    assert (ignored["criterion_urn"], ignored["site_id"]) == (f"{RSE}r3", stranger)
    assert "unknown site" in ignored["reason"]
    assert await evaluations_of(service, "b") == []

    # One diagnostic.completed.v1 per site, each for that organisation.
    published = {
        e.organisation_id: e for e in await completions(service) if e.audit_id == event.audit_id
    }
    assert len([e for e in await completions(service) if e.audit_id == event.audit_id]) == 3
    assert set(published) == {service.organisations["a"].id, member.id, other.id}
    assert {e.kind for e in published.values()} == {"audit_evaluation"}
    assert published[member.id].diagnostic_id == c["id"]
    assert published[other.id].overall.score is None
    # The site's own people read it; the central function's region rule applies as usual.
    site_url = f"/v1/diagnostics/{c['id']}"
    assert (await service.client.get(site_url, headers=service.member("c"))).status_code == 200
    assert (await service.client.get(site_url, headers=service.member("b"))).status_code == 404


async def test_a_site_not_registered_here_yet_is_retried(service: Service) -> None:
    unknown = str(uuid.uuid4())
    event = report(service, {f"{RSE}r1": 3}, site_ids=[unknown])
    with pytest.raises(LookupError):
        await deliver(service, event)
    assert await evaluations_of(service) == []


async def test_bad_levels_and_unknown_criteria_are_ignored_and_the_findings_still_count(
    service: Service,
) -> None:
    finding = FindingV1(finding_id="f1", type="minor_nc", title="Registre incomplet")
    event = report(
        service,
        {
            f"{RSE}r1": 7,  # outside the 0-4 scale
            f"{RSE}r99": 3,  # no such criterion
            f"{RSE}r2": 3,
        },
        findings=[finding],
    )
    twice = event.evaluated_maturity[-1].model_copy(update={"level": 1})
    event = event.model_copy(update={"evaluated_maturity": [*event.evaluated_maturity, twice]})
    await deliver(service, event)
    (evaluation,) = await evaluations_of(service)
    record = evaluation["audit_evaluation"]
    assert record["ratings"]["auditor"] == ["R2"]
    assert {(i["criterion_urn"], i["level"]) for i in record["ignored"]} == {
        (f"{RSE}r1", 7),
        (f"{RSE}r99", 3),
        (f"{RSE}r2", 1),  # evaluated twice: the first counts
    }
    answers = await answers_of(service, evaluation["id"])
    assert answers[f"{RSE}r1"]["level"] is None  # not evaluated after all
    assert answers[f"{RSE}r2"]["level"] == 3
    plans = (await service.client.get("/v1/progress-plans", headers=service.member())).json()[
        "data"
    ]
    assert [a["title"] for a in plans[0]["actions"]] == [
        "Non-conformité mineure — Registre incomplet"
    ]

    # Nothing usable at all: still an evaluation (the labelling service waits for one per
    # report with evaluated maturity), every criterion unrated, the bad entries listed.
    only_bad = report(service, {f"{RSE}r1": 9, f"{RSE}r98": 2}, key="b")
    await deliver(service, only_bad)
    (empty,) = await evaluations_of(service, "b")
    assert empty["audit_evaluation"]["ratings"]["auditor"] == []
    assert len(empty["audit_evaluation"]["ignored"]) == 2
    assert empty["overall_score"] is None


async def test_iso_reports_and_reports_without_maturity_record_none(service: Service) -> None:
    await deliver(service, report(service, {}))
    await deliver(service, report(service, {f"{RSE}r1": 3}, scheme="CAP_ISO9001"))
    assert await evaluations_of(service) == []
    assert await completions(service) == []


async def test_the_structure_reads_the_evaluation_but_cannot_change_it(service: Service) -> None:
    await deliver(service, report(service, {f"{RSE}r1": 3}))
    (evaluation,) = await evaluations_of(service)
    url = f"/v1/diagnostics/{evaluation['id']}"
    for who in (
        service.member(),
        service.member(role="member_admin"),
        service.facilitator("52"),
        service.admin,
    ):
        assert (await service.client.get(url, headers=who)).status_code == 200
    assert (await service.client.get(url, headers=service.member("b"))).status_code == 404
    report_pdf = await service.client.get(f"{url}/report.pdf", headers=service.member())
    assert report_pdf.status_code == 200
    assert report_pdf.content.startswith(b"%PDF")

    for who in (service.member(role="member_admin"), service.facilitator("52"), service.admin):
        writes = [
            await service.client.put(
                f"{url}/answers", json={"answers": [answer(f"{RSE}r1", 4)]}, headers=who
            ),
            await service.client.patch(url, json={"title": "Mon évaluation"}, headers=who),
            await service.client.put(
                f"{url}/key-figures", json={"employees_in_pathway": 12}, headers=who
            ),
            await service.client.post(
                f"{url}/migrate", json={"version": 2, "strategy": "keep"}, headers=who
            ),
        ]
        for refused in writes:
            assert refused.status_code == 409, refused.text
            assert refused.json()["type"].endswith("/diagnostic-not-editable")
        for action in ("issue_plan", "close", "complete", "start", "follow_up"):
            moved = await act(service, evaluation["id"], action, headers=who)
            assert moved.status_code == 409, moved.text
            assert moved.json()["type"].endswith("/invalid-transition")
    after = (await service.client.get(url, headers=service.member())).json()
    assert (after["status"], after["revision"], after["title"]) == (
        "rated",
        evaluation["revision"],
        evaluation["title"],
    )
    assert (await answers_of(service, evaluation["id"]))[f"{RSE}r1"]["level"] == 3

    # Nobody opens one by hand.
    forged = await service.client.post(
        "/v1/diagnostics",
        json={
            "organisation_id": service.organisations["a"].id,
            "referential_code": "CAP_RSE",
            "kind": "audit_evaluation",
        },
        headers=service.admin,
    )
    assert forged.status_code == 422, forged.text
    # Nor is it offered as the structure's own answers in its next self-assessment.
    mine = await open_diagnostic(
        service, service.member(), referential_code="CAP_RSE", kind="self_assessment"
    )
    offered = await service.client.get(
        f"/v1/diagnostics/{mine['id']}/suggestions", headers=service.member()
    )
    assert offered.status_code == 200
    assert offered.json()["data"] == []
