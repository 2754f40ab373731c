"""The auditor's evaluated maturity of a CAP RSE audit, recorded as a scored, completed diagnostic
(kind ``audit_evaluation``) from ``audit.report_submitted.v1`` — once per audit, read-only."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any, Literal

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
    levels: dict[str, int],
    *,
    key: str = "a",
    scheme: Literal["CAP_RSE", "CAP_ISO9001"] = "CAP_RSE",
    audit_id: str | None = None,
    findings: list[FindingV1] | None = None,
) -> AuditReportSubmittedV1:
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
            EvaluatedMaturityV1(criterion_urn=urn, level=level) for urn, level in levels.items()
        ],
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
        f"/v1/diagnostics/{diagnostic_id}/answers", headers=service.member()
    )
    assert got.status_code == 200, got.text
    return {a["criterion"]: a for a in got.json()}


async def test_a_cap_rse_report_records_one_scored_completed_evaluation(service: Service) -> None:
    own = await self_assessment(service, 2, not_applicable=f"{RSE}r13")
    event = report(service, {f"{RSE}r1": 4, f"{RSE}r23": 4, f"{CAP}t2.4": 4})
    for _ in range(2):  # redelivered (even as a new envelope): still one evaluation
        await deliver(service, event)

    (evaluation,) = await evaluations_of(service)
    assert (evaluation["status"], evaluation["allowed_actions"], evaluation["audit_id"]) == (
        "rated",
        [],
        event.audit_id,
    )
    assert evaluation["referential"]["code"] == "CAP_RSE"
    assert evaluation["session_date"] == "2026-11-19"  # the audit's last day
    assert evaluation["created_by"] == "user:auditor"
    assert evaluation["progress"]["missing"] == 0
    record = evaluation["audit_evaluation"]
    criteria = await criteria_of(service, "CAP_RSE")
    assert record["self_assessment_id"] == own["id"]
    assert sorted(record["ratings"]["auditor"]) == ["R1", "R23", "T2.4"]
    assert len(record["ratings"]["self_assessment"]) == len(criteria) - 3
    assert record["ratings"]["default"] == []
    assert record["ignored"] == []

    # The auditor's levels; the self-assessment's elsewhere (its not-applicable included).
    answers = await answers_of(service, evaluation["id"])
    assert len(answers) == len(criteria)
    assert (answers[f"{RSE}r1"]["level"], answers[f"{RSE}r1"]["carried_from"]) == (4, None)
    assert "auditeur" in answers[f"{RSE}r1"]["comment"]
    assert (answers[f"{RSE}r2"]["level"], answers[f"{RSE}r2"]["carried_from"]) == (2, own["id"])
    assert answers[f"{RSE}r13"]["not_applicable"] is True
    assert answers[f"{RSE}r13"]["carried_from"] == own["id"]

    # Scored like any diagnostic: three criteria raised from 2 to 4 raise the overall score.
    scores = (
        await service.client.get(
            f"/v1/diagnostics/{evaluation['id']}/scores", headers=service.member()
        )
    ).json()
    assert evaluation["overall_score"] == scores["overall"]["score"]
    assert evaluation["overall_score"] > own["overall_score"]
    assert {g["code"] for g in scores["frameworks"]["iso26000"]} >= {"6.2", "6.4"}

    # Completed through the one completion path: the same event, once, saying what it is.
    published = [e for e in await completions(service) if e.diagnostic_id == evaluation["id"]]
    (completed,) = published
    assert (completed.kind, completed.audit_id, completed.overall.score) == (
        "audit_evaluation",
        event.audit_id,
        evaluation["overall_score"],
    )
    levels = {c.urn: (c.level, c.not_applicable) for c in completed.criteria}
    assert levels[f"{RSE}r23"] == (4, False)
    assert levels[f"{RSE}r13"] == (None, True)
    assert levels[f"{RSE}r2"] == (2, False)


async def test_without_a_self_assessment_what_the_auditor_did_not_evaluate_is_rated_zero(
    service: Service,
) -> None:
    event = report(service, {f"{RSE}r1": 4})
    await deliver(service, event)
    (evaluation,) = await evaluations_of(service)
    criteria = await criteria_of(service, "CAP_RSE")  # the latest version
    record = evaluation["audit_evaluation"]
    assert record["self_assessment_id"] is None
    assert record["ratings"]["auditor"] == ["R1"]
    assert len(record["ratings"]["default"]) == len(criteria) - 1
    answers = await answers_of(service, evaluation["id"])
    assert {a["level"] for u, a in answers.items() if u != f"{RSE}r1"} == {0}
    # One criterion at the top of its scale out of 48: a low score, but not zero.
    assert 0 < evaluation["overall_score"] < 100
    assert evaluation["overall_band"] == "Initial"


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
    await deliver(service, event)
    (evaluation,) = await evaluations_of(service)
    record = evaluation["audit_evaluation"]
    assert record["ratings"]["auditor"] == ["R2"]
    assert {(i["criterion_urn"], i["level"]) for i in record["ignored"]} == {
        (f"{RSE}r1", 7),
        (f"{RSE}r99", 3),
    }
    answers = await answers_of(service, evaluation["id"])
    assert answers[f"{RSE}r1"]["level"] == 0  # not evaluated after all
    plans = (await service.client.get("/v1/progress-plans", headers=service.member())).json()
    assert [a["title"] for a in plans[0]["actions"]] == [
        "Non-conformité mineure — Registre incomplet"
    ]

    # Nothing usable at all: still an evaluation (the labelling service waits for one per
    # report with evaluated maturity), every rating from elsewhere, the bad entries listed.
    only_bad = report(service, {f"{RSE}r1": 9, f"{RSE}r98": 2}, key="b")
    await deliver(service, only_bad)
    (empty,) = await evaluations_of(service, "b")
    assert empty["audit_evaluation"]["ratings"]["auditor"] == []
    assert len(empty["audit_evaluation"]["ignored"]) == 2


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
    assert offered.json() == []
