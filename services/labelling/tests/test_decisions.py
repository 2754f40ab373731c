"""Decision files: the CAP RSE committee decision under the level rule, impartiality, the group
rule, the body's CAP ISO 9001 decision, renewals — through the API and the service's events."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from cap_labelling.models import DecisionFile, tables
from cap_shared.contracts.audit import CertificationDecidedV1, FindingStatusChangedV1
from cap_shared.testing.conditional import as_read
from cap_shared.testing.events import rse_evaluation

from .conftest import CRITERIA, Service, ok

GOOD = dict.fromkeys(["6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8"], 450)  # Confirmé at 620


async def events(service: Service, event_type: str) -> list[dict[str, Any]]:
    async with service.runtime.db.session() as session:
        rows = (
            await session.execute(
                sa.select(tables.outbox.c.payload)
                .where(tables.outbox.c.event_type == event_type)
                .order_by(tables.outbox.c.seq)
            )
        ).scalars()
        return [json.loads(p)["data"] for p in rows]


async def accepted_of(
    service: Service, key: str = "a", scheme: str = "CAP_RSE", members: tuple[str, ...] = ()
) -> dict:
    """Structure ``key``'s application to ``scheme`` (with ``members``, who consent), its
    diagnostic completed ten days ago, accepted by the federation: the application."""
    for k in (key, *members):
        await service.completed(k, service.runtime.clock.now() - timedelta(days=10))
    application = ok(
        await service.client.post(
            "/v1/applications",
            json={
                "organisation_id": service.organisations[key].id,
                "group_member_ids": [service.organisations[k].id for k in members],
                "scheme": scheme,
                "certification_body_id": "sgs-tuv",
            },
            headers=service.member_admin(key),
        ),
        201,
    )
    await service.consent(application, *members)
    ok(
        await service.client.post(
            f"/v1/applications/{application['id']}/transitions",
            json={"step": "accept"},
            headers=service.admin,
        )
    )
    return dict(application)


async def accepted(
    service: Service, scheme: str = "CAP_RSE", members: tuple[str, ...] = ()
) -> dict:
    """An accepted application of structure a (and members), and its decision file."""
    application = await accepted_of(service, "a", scheme, members)
    files = ok(await service.client.get("/v1/decisions", headers=service.committee()))["data"]
    (file,) = [f for f in files if f["application_id"] == application["id"]]
    return file


async def pending_of(service: Service, key: str) -> dict:
    """Structure ``key``'s CAP RSE file, pending with the auditor's evaluation (620, GOOD)."""
    application = await accepted_of(service, key)
    report = await service.report(key, "CAP_RSE", "initial")
    await service.evaluated(key, report.audit_id, 620, GOOD)
    files = ok(await service.client.get("/v1/decisions?status=pending", headers=service.admin))[
        "data"
    ]
    (file,) = [f for f in files if f["application_id"] == application["id"]]
    return dict(file)


async def pending_file(
    service: Service,
    key: str,
    *,
    members: tuple[str, ...] = (),
    majors: int = 0,
    criteria: dict[str, int | None] | None = None,
    version: int = 1,
    scored: bool = True,
) -> str:
    """Structure ``key``'s CAP RSE file (with ``members``, each an audited site), pending on a
    report with ``majors`` and the auditor's evaluation of each structure (620, GOOD, these
    ``criteria`` on referential ``version``; ``scored``: False, still on its way): its id."""
    application = await accepted_of(service, key, members=members)
    report = await service.report(
        key, "CAP_RSE", "initial", majors=majors, evaluated=3, site_ids=members
    )
    if scored:
        for k in (key, *members):
            await service.evaluated(
                k, report.audit_id, 620, GOOD, version=version, criteria=criteria
            )
    async with service.runtime.db.session() as session:
        return str(
            (
                await session.execute(
                    sa.select(DecisionFile.id).where(
                        DecisionFile.application_id == application["id"]
                    )
                )
            ).scalar_one()
        )


async def decide(
    service: Service, file_id: str, headers: dict[str, str] | None = None, **body: Any
):
    return await service.client.post(
        f"/v1/decisions/{file_id}/decide",
        json=body,
        headers=await as_read(
            service.client, f"/v1/decisions/{file_id}", headers or service.committee()
        ),
    )


async def test_the_committee_confirms_at_most_the_computed_level(service: Service) -> None:
    file = await accepted(service)
    assert file["status"] == "awaiting_report"
    early = await decide(service, file["id"], outcome="confirm")
    assert early.status_code == 409
    assert early.json()["type"].endswith("/no-audit-report")

    audit_id = str(uuid.uuid4())
    # The auditor's evaluation scored first, for once: the opening already has the level.
    await service.evaluated("a", audit_id, 620, GOOD)
    await service.report("a", "CAP_RSE", "initial", auditors=("auditor-1",), audit_id=audit_id)
    file = ok(await service.client.get(f"/v1/decisions/{file['id']}", headers=service.committee()))
    assert (file["status"], file["computed_level"]) == ("pending", "Confirmé")
    (opened,) = await events(service, "labelling.decision.opened.v1")
    assert opened["computed_level"] == "Confirmé"

    # Whoever audited the file may not decide on it (the audit service lists plain user ids).
    partial = await decide(
        service, file["id"], service.committee("user:auditor-1"), outcome="confirm"
    )
    assert partial.status_code == 403
    assert partial.json()["type"].endswith("/not-impartial")
    above = await decide(service, file["id"], outcome="confirm", level="Exemplaire")
    assert above.status_code == 422
    assert above.json()["type"].endswith("/level-above-rule")
    unknown = await decide(service, file["id"], outcome="confirm", level="Platine")
    assert unknown.status_code == 422
    no_reason = await decide(service, file["id"], outcome="confirm", level="Progression")
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "body.reason"
    assert await events(service, "recognition.status_changed.v1") == []  # nothing half-written

    granted = ok(
        await decide(
            service,
            file["id"],
            outcome="confirm",
            level="Progression",
            reason="Plan d'action environnement encore à déployer",
        )
    )
    assert (granted["status"], granted["level"], granted["computed_level"]) == (
        "granted",
        "Progression",
        "Confirmé",
    )
    recognition = ok(
        await service.client.get(
            f"/v1/recognitions/{granted['recognition_id']}", headers=service.member_admin()
        )
    )
    today = service.runtime.clock.today()
    assert recognition["status"] == "active"
    assert recognition["level"] == "Progression"
    assert recognition["number"] == f"CAPRSE-{today.year}-0001"
    assert date.fromisoformat(recognition["expiry_date"]).year == today.year + 3
    assert [h["reason_code"] for h in recognition["history"]] == ["granted"]
    (event,) = await events(service, "recognition.status_changed.v1")
    assert (event["status"], event["previous_status"], event["level"]) == (
        "active",
        None,
        "Progression",
    )
    (taken,) = await events(service, "decision.taken.v1")  # refused calls announced nothing
    assert (taken["outcome"], taken["level"], taken["computed_level"], taken["appeal_until"]) == (
        "granted",
        "Progression",
        "Confirmé",
        (today + timedelta(days=30)).isoformat(),
    )
    twice = await decide(service, file["id"], outcome="refuse", reason="Erreur")
    assert twice.status_code == 409
    assert twice.json()["type"].endswith("/already-decided")


async def test_the_committee_cannot_confirm_while_a_major_of_the_evaluation_is_open(
    service: Service,
) -> None:
    """A major of the deciding evaluation blocks the label until it is verified closed, not
    merely answered or its plan accepted: 409 naming the rule (ISO/IEC 17021-1 §9.5.2)."""
    file = await accepted(service)
    report = await service.report("a", "CAP_RSE", "initial", majors=1)
    await service.evaluated("a", report.audit_id, 620, GOOD)
    pending = ok(
        await service.client.get(f"/v1/decisions/{file['id']}", headers=service.committee())
    )
    assert pending["computed_level"] is None
    assert pending["evaluation"]["members"][service.organisations["a"].id]["open_major_nc"] == 1
    for status, previous in (
        ("response_submitted", "open"),
        ("plan_accepted", "response_submitted"),
    ):
        await service.deliver(finding_changed(service, report, status, previous))
        blocked = await decide(service, file["id"], outcome="confirm")
        assert blocked.status_code == 409, blocked.text
        problem = blocked.json()
        assert problem["type"].endswith("/majors-not-verified")
        assert "§9.5.2" in problem["rule"]
        assert problem["open_majors"] == [
            {"finding_id": report.findings[0].finding_id, "status": status}
        ]
    await service.deliver(finding_changed(service, report, "verified_closed", "plan_accepted"))
    assert ok(await decide(service, file["id"], outcome="confirm"))["level"] == "Confirmé"


def finding_changed(
    service: Service, report: Any, status: str, previous: str, index: int = 0
) -> FindingStatusChangedV1:
    """The audit service's news of a major of ``report``."""
    service.runtime.clock.advance(timedelta(seconds=1))
    return FindingStatusChangedV1(
        finding_id=report.findings[index].finding_id,
        audit_id=report.audit_id,
        organisation_id=report.organisation_id,
        scheme=report.scheme,
        type="major_nc",
        status=status,
        previous_status=previous,
        changed_at=service.runtime.clock.now(),
    )


async def test_the_level_comes_from_the_auditors_evaluation_only(service: Service) -> None:
    """The level rule reads the auditor's evaluation of the deciding audit (kind
    audit_evaluation), never the structure's own assessment: without it, or with an applicable
    criterion the auditor did not rate, confirming is a 409 naming what is missing."""
    org = service.organisations["a"].id
    file = await accepted(service)
    url = f"/v1/decisions/{file['id']}"

    # The structure's own assessment (Confirmé) is no ground for a level.
    await service.completed_rse("a", 620, GOOD)
    report = await service.report("a", "CAP_RSE", "initial")
    own = ok(await service.client.get(url, headers=service.committee()))
    assert own["computed_level"] is None
    assert own["evaluation"]["members"][org]["source"] is None
    assert own["evaluation"]["incomplete"] == {org: {"audit_evaluation": report.audit_id}}
    refused = await decide(service, file["id"], outcome="confirm")
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/evaluation-incomplete")
    assert refused.json()["missing"] == {org: {"audit_evaluation": report.audit_id}}

    # An evaluation of another audit is no ground either.
    await service.evaluated("a", str(uuid.uuid4()), 800, 650)
    other = ok(await service.client.get(url, headers=service.committee()))
    assert other["evaluation"]["incomplete"] == {org: {"audit_evaluation": report.audit_id}}

    # The auditor's evaluation of this audit, one applicable criterion left unrated (R2) and
    # one not applicable (R5): still incomplete, and the refusal names the criterion.
    await service.evaluated(
        "a", report.audit_id, 420, 250, criteria={**CRITERIA, "R2": None}, not_applicable=("R5",)
    )
    partial = await decide(service, file["id"], outcome="confirm")
    assert partial.status_code == 409, partial.text
    assert partial.json()["missing"] == {org: {"unrated_criteria": ["R2"]}}
    assert "R2" in partial.json()["detail"]

    # Every applicable criterion rated: the auditor's scores give the level (Progression).
    service.runtime.clock.advance(timedelta(minutes=5))
    evaluated = await service.evaluated("a", report.audit_id, 420, 250, not_applicable=("R5",))
    audited = ok(await service.client.get(url, headers=service.committee()))
    inputs = audited["evaluation"]["members"][org]
    assert audited["computed_level"] == "Progression"
    assert "incomplete" not in audited["evaluation"]
    assert (inputs["source"], inputs["diagnostic_id"], inputs["audit_id"]) == (
        "audit_evaluation",
        evaluated.diagnostic_id,
        report.audit_id,
    )
    assert (inputs["overall_score"], inputs["core_subjects"]["6.2"]) == (420, 250)

    # A later self-assessment scoring higher changes nothing.
    service.runtime.clock.advance(timedelta(days=30))
    await service.completed_rse("a", 800, dict.fromkeys(GOOD, 700))
    still = ok(await service.client.get(url, headers=service.committee()))
    assert still["computed_level"] == "Progression"
    above = await decide(service, file["id"], outcome="confirm", level="Confirmé")
    assert above.status_code == 422
    assert above.json()["type"].endswith("/level-above-rule")
    granted = ok(await decide(service, file["id"], outcome="confirm"))
    assert (granted["level"], granted["computed_level"]) == ("Progression", "Progression")
    frozen = granted["evaluation"]["members"][org]
    assert (frozen["source"], frozen["diagnostic_id"]) == (
        "audit_evaluation",
        evaluated.diagnostic_id,
    )


async def test_every_group_member_needs_the_auditors_evaluation(service: Service) -> None:
    """A group's decision needs the auditor's evaluation of each member (the diagnostic service
    records one per site): the refusal names the member without one."""
    a, b = service.organisations["a"].id, service.organisations["b"].id
    file = await accepted(service, members=("b",))
    report = await service.report("a", "CAP_RSE", "initial")
    await service.evaluated("a", report.audit_id, 620, GOOD)
    await service.completed_rse("b", 620, GOOD)  # its own assessment: not enough
    refused = await decide(service, file["id"], outcome="confirm")
    assert refused.status_code == 409, refused.text
    assert refused.json()["missing"] == {b: {"audit_evaluation": report.audit_id}}
    await service.evaluated("b", report.audit_id, 560, 420)
    granted = ok(await decide(service, file["id"], outcome="confirm"))
    assert granted["level"] == "Confirmé"
    assert set(granted["evaluation"]["members"]) == {a, b}


async def test_a_group_file_waits_for_the_evaluation_of_each_audited_site(
    service: Service,
) -> None:
    """The report carried evaluated maturity and audited site b: the diagnostic service scores
    one evaluation per site; until b's arrives the file says it is pending, not incomplete."""
    a, b = service.organisations["a"].id, service.organisations["b"].id
    file = await accepted(service, members=("b",))
    report = await service.report("a", "CAP_RSE", "initial", evaluated=3, site_ids=("b",))
    await service.evaluated("a", report.audit_id, 620, GOOD)
    url = f"/v1/decisions/{file['id']}"
    waiting = ok(await service.client.get(url, headers=service.committee()))
    assert waiting["evaluation"]["evaluation_pending"] == report.audit_id
    assert waiting["evaluation"]["members"][b]["pending"] is True
    assert "incomplete" not in waiting["evaluation"]
    early = await decide(service, file["id"], outcome="confirm")
    assert early.json()["type"].endswith("/evaluation-pending")
    # b's evaluation: the auditor rated none of its criteria (the diagnostic service still
    # records it): incomplete, naming them.
    await service.evaluated("b", report.audit_id, 620, GOOD, criteria=dict.fromkeys(CRITERIA))
    incomplete = await decide(service, file["id"], outcome="confirm")
    assert incomplete.json()["type"].endswith("/evaluation-incomplete")
    assert incomplete.json()["missing"] == {b: {"unrated_criteria": list(CRITERIA)}}
    assert a not in incomplete.json()["missing"]


async def test_a_report_with_evaluated_maturity_waits_for_its_scores(service: Service) -> None:
    """The deciding report carried the auditor's evaluated maturity: until the diagnostic
    service's scores of it arrive, no level is computed (the older self-assessment would give
    one) and confirming is a 409 the committee can retry; refusing needs no level."""
    org = service.organisations["a"].id
    file = await accepted(service)
    url = f"/v1/decisions/{file['id']}"
    await service.completed_rse("a", 620, GOOD)  # the structure's own: Confirmé
    report = await service.report("a", "CAP_RSE", "initial", evaluated=26)
    waiting = ok(await service.client.get(url, headers=service.committee()))
    assert waiting["computed_level"] is None
    assert waiting["evaluation"]["evaluation_pending"] == report.audit_id
    early = await decide(service, file["id"], outcome="confirm")
    assert early.status_code == 409, early.text
    assert early.json()["type"].endswith("/evaluation-pending")

    evaluated = rse_evaluation(org, 420, 250, completed_at=service.runtime.clock.now()).model_copy(
        update={"kind": "audit_evaluation", "audit_id": report.audit_id}
    )
    await service.deliver(evaluated)
    scored = ok(await service.client.get(url, headers=service.committee()))
    assert scored["computed_level"] == "Progression"
    assert "evaluation_pending" not in scored["evaluation"]
    granted = ok(await decide(service, file["id"], outcome="confirm"))
    assert granted["level"] == "Progression"


async def test_defer_then_refuse_each_with_a_reason(service: Service) -> None:
    file = await accepted(service)
    report = await service.report("a", "CAP_RSE", "initial")
    await service.evaluated("a", report.audit_id, 620, GOOD)
    assert (await decide(service, file["id"], outcome="defer")).status_code == 422
    deferred = ok(await decide(service, file["id"], outcome="defer", reason="Pièces attendues"))
    assert deferred["status"] == "deferred"
    assert deferred["steps"][0]["reason"] == "Pièces attendues"
    refused = ok(await decide(service, file["id"], outcome="refuse", reason="Pièces non reçues"))
    assert (refused["status"], refused["recognition_id"]) == ("refused", None)
    member = await decide(service, file["id"], service.member_admin(), outcome="confirm")
    assert member.status_code == 403
    # Each decision is announced (the structure is told; it may appeal the refusal until...).
    today = service.runtime.clock.today()
    taken = await events(service, "decision.taken.v1")
    assert [(e["outcome"], e["reason"], e["appeal_until"]) for e in taken] == [
        ("deferred", "Pièces attendues", None),
        ("refused", "Pièces non reçues", (today + timedelta(days=30)).isoformat()),
    ]
    assert {e["decision_id"] for e in taken} == {file["id"]}


async def test_group_rule_one_failing_member(service: Service) -> None:
    file = await accepted(service, members=("b",))
    report = await service.report("a", "CAP_RSE", "initial")
    await service.evaluated("a", report.audit_id, 620, GOOD)
    await service.evaluated("b", report.audit_id, 620, {**GOOD, "6.5": 0})  # fails even Initial
    # Default rule: one member failing means the group is not labelled.
    strict = ok(
        await service.client.get(f"/v1/decisions/{file['id']}", headers=service.committee())
    )
    assert strict["computed_level"] is None
    assert (await decide(service, file["id"], outcome="confirm")).status_code == 422
    # Configured the other way, the failing member is left out.
    service.runtime.settings.group_rule = "exclude_failing"  # type: ignore[attr-defined]
    granted = ok(await decide(service, file["id"], outcome="confirm"))
    assert granted["evaluation"]["excluded_member_ids"] == [service.organisations["b"].id]
    recognition = ok(
        await service.client.get(
            f"/v1/recognitions/{granted['recognition_id']}", headers=service.admin
        )
    )
    assert recognition["group_member_ids"] == []


async def test_iso_decisions_are_the_bodys_and_are_recorded(service: Service) -> None:
    file = await accepted(service, scheme="CAP_ISO9001")
    report = await service.report("a", "CAP_ISO9001", "stage2")
    refused = await decide(service, file["id"], outcome="confirm")
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/body-decides")
    decision = CertificationDecidedV1(
        audit_id=report.audit_id,
        organisation_id=report.organisation_id,
        audit_type="stage2",
        certification_body_id="sgs-tuv",
        outcome="granted",
        decided_on=service.runtime.clock.today(),
        decided_by="Comité de certification SGS",
        certificate_number="FR26/81234",
        scope="Insertion par l'activité économique : espaces verts, second œuvre",
    )
    await service.deliver(decision)
    await service.deliver(decision)  # redelivered: recorded once
    file = ok(await service.client.get(f"/v1/decisions/{file['id']}", headers=service.committee()))
    assert file["status"] == "granted"
    assert file["decided_by"] == "sgs-tuv:Comité de certification SGS"
    recognitions = ok(await service.client.get("/v1/recognitions", headers=service.admin))["data"]
    (recognition,) = recognitions
    assert (recognition["scheme"], recognition["level"], recognition["external_number"]) == (
        "CAP_ISO9001",
        None,
        "FR26/81234",
    )
    assert recognition["number"].startswith("CAPISO-")


async def test_iso_group_rule_refuses_when_the_body_excludes_a_member(service: Service) -> None:
    file = await accepted(service, scheme="CAP_ISO9001", members=("b",))
    report = await service.report("a", "CAP_ISO9001", "stage2")
    await service.deliver(
        CertificationDecidedV1(
            audit_id=report.audit_id,
            organisation_id=report.organisation_id,
            audit_type="stage2",
            certification_body_id="sgs-tuv",
            outcome="granted",
            decided_on=service.runtime.clock.today(),
            decided_by="Comité SGS",
            certificate_number="FR26/1",
            excluded_member_ids=[service.organisations["b"].id],
        )
    )
    file = ok(await service.client.get(f"/v1/decisions/{file['id']}", headers=service.committee()))
    assert file["status"] == "refused"
    assert "group rule" in file["reason"]
    assert ok(await service.client.get("/v1/recognitions", headers=service.admin))["data"] == []


async def granted_label(service: Service) -> dict:
    file = await accepted(service)
    report = await service.report("a", "CAP_RSE", "initial")
    await service.evaluated("a", report.audit_id, 620, GOOD)
    decided = ok(await decide(service, file["id"], outcome="confirm"))
    return ok(
        await service.client.get(
            f"/v1/recognitions/{decided['recognition_id']}", headers=service.admin
        )
    )


async def test_renewal_opens_the_next_cycle_counted_from_the_previous_expiry(
    service: Service,
) -> None:
    first = await granted_label(service)
    service.runtime.clock.advance(timedelta(days=34 * 30))
    await service.report("a", "CAP_RSE", "follow_up")  # keeps it active meanwhile
    renewal_audit = str(uuid.uuid4())
    await service.evaluated("a", renewal_audit, 800, 650)
    await service.report("a", "CAP_RSE", "renewal", auditors=("auditor-2",), audit_id=renewal_audit)
    files = ok(
        await service.client.get("/v1/decisions?status=pending", headers=service.committee())
    )["data"]
    (renewal,) = files
    assert (renewal["kind"], renewal["renews_id"], renewal["computed_level"]) == (
        "renewal",
        first["id"],
        "Exemplaire",
    )
    decided = ok(await decide(service, renewal["id"], outcome="confirm"))
    new = ok(
        await service.client.get(
            f"/v1/recognitions/{decided['recognition_id']}", headers=service.admin
        )
    )
    old = ok(await service.client.get(f"/v1/recognitions/{first['id']}", headers=service.admin))
    assert (old["status"], old["renewed_by_id"]) == ("renewed", new["id"])
    assert new["previous_id"] == first["id"]
    assert new["level"] == "Exemplaire"
    previous_expiry = date.fromisoformat(first["expiry_date"])
    assert new["expiry_date"] == previous_expiry.replace(year=previous_expiry.year + 3).isoformat()


async def test_no_restoration_more_than_six_months_after_expiry(service: Service) -> None:
    await granted_label(service)
    from cap_labelling.main import recognition_lifecycle

    service.runtime.clock.advance(timedelta(days=3 * 365 + 200))
    async with service.runtime.db.session() as session:
        await recognition_lifecycle(session, service.runtime.job_context())
    (expired,) = ok(await service.client.get("/v1/recognitions", headers=service.admin))["data"]
    assert expired["status"] == "expired"
    report = await service.report("a", "CAP_RSE", "renewal", auditors=("auditor-2",))
    await service.evaluated("a", report.audit_id, 620, GOOD)
    (renewal,) = ok(
        await service.client.get("/v1/decisions?status=pending", headers=service.committee())
    )["data"]
    late = await decide(service, renewal["id"], outcome="confirm")
    assert late.status_code == 409
    assert late.json()["type"].endswith("/restoration-window-passed")


async def test_handlers_read_the_runtimes_settings(service: Service) -> None:
    from cap_labelling.events.handlers import _current_settings

    assert _current_settings() is service.runtime.settings


async def test_a_decision_is_taken_on_the_file_as_read(service: Service) -> None:
    """Decision files have concurrent editors (the committee): If-Match is required (428), a
    stale one is 412, the answer's ETag is the GET's and serves the next decision."""
    file = await accepted(service)
    report = await service.report("a", "CAP_RSE", "initial")
    await service.evaluated("a", report.audit_id, 620, GOOD)
    url = f"/v1/decisions/{file['id']}"
    committee = service.committee()
    tag = (await service.client.get(url, headers=committee)).headers["etag"]
    unchanged = await service.client.get(url, headers={**committee, "If-None-Match": tag})
    assert unchanged.status_code == 304
    body = {"outcome": "defer", "reason": "Pièces attendues"}
    missing = await service.client.post(url + "/decide", json=body, headers=committee)
    assert missing.status_code == 428
    assert missing.json()["type"].endswith("/precondition-required")
    french = await service.client.post(
        url + "/decide", json=body, headers={**committee, "Accept-Language": "fr"}
    )
    assert french.json()["title"] == "Précondition requise"
    deferred = await service.client.post(
        url + "/decide", json=body, headers={**committee, "If-Match": tag}
    )
    assert deferred.status_code == 200, deferred.text
    new = deferred.headers["etag"]
    assert new != tag
    assert (await service.client.get(url, headers=committee)).headers["etag"] == new
    stale = await service.client.post(
        url + "/decide",
        json={"outcome": "refuse", "reason": "Pièces non reçues"},
        headers={**committee, "If-Match": tag},
    )
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == new
    assert (await service.client.get(url, headers=committee)).json()["status"] == "deferred"
    refused = await service.client.post(
        url + "/decide",
        json={"outcome": "refuse", "reason": "Pièces non reçues"},
        headers={**committee, "If-Match": new},
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "refused"
