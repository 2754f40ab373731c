"""Majors before certification (CAP ISO 9001): the body's grant recorded while a major of the
stage 2 is not verified closed is held (decision.held.v1), takes effect when the last one is
verified, lapses when a new stage 2 is required."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cap_shared.contracts.audit import CertificationDecidedV1, Stage2RequiredV1
from cap_shared.dates import add_months

from .conftest import Service, ok
from .test_decisions import accepted, events, finding_changed


def granted(service: Service, report: Any, number: str = "FR26/7001", **extra: Any):
    return CertificationDecidedV1(
        audit_id=report.audit_id,
        organisation_id=report.organisation_id,
        audit_type=report.audit_type,
        certification_body_id="sgs-tuv",
        outcome="granted",
        decided_on=service.runtime.clock.today(),
        decided_by="Comité de certification SGS",
        certificate_number=number,
        scope="Insertion par l'activité économique : espaces verts",
        **extra,
    )


async def file_of(service: Service, file_id: str) -> dict:
    return ok(await service.client.get(f"/v1/decisions/{file_id}", headers=service.committee()))


async def test_a_grant_with_an_unverified_major_is_held_until_it_is_verified(
    service: Service,
) -> None:
    file = await accepted(service, scheme="CAP_ISO9001")
    report = await service.report("a", "CAP_ISO9001", "stage2", majors=2)
    decided_on = service.runtime.clock.today()
    # Both majors answered, one verified: the other (plan accepted) is still open.
    await service.deliver(finding_changed(service, report, "response_submitted", "open", 0))
    await service.deliver(finding_changed(service, report, "verified_closed", "open", 1))
    await service.deliver(finding_changed(service, report, "plan_accepted", "open", 0))
    await service.deliver(granted(service, report, open_major_nc=1))

    held = await file_of(service, file["id"])
    assert (held["status"], held["recognition_id"]) == ("held", None)
    assert held["hold"]["certificate_number"] == "FR26/7001"
    assert held["hold"]["held_until"] == add_months(decided_on, 6).isoformat()
    assert [(m["finding_id"], m["status"]) for m in held["hold"]["open_majors"]] == [
        (report.findings[0].finding_id, "plan_accepted")
    ]
    (event,) = await events(service, "decision.held.v1")
    assert (event["decision_id"], event["audit_id"], event["open_major_nc"]) == (
        file["id"],
        report.audit_id,
        1,
    )
    assert ok(await service.client.get("/v1/recognitions", headers=service.admin))["data"] == []
    assert ok(await service.client.get("/v1/registry/recognitions"))["data"] == []
    assert [
        f["id"]
        for f in ok(await service.client.get("/v1/decisions?status=held", headers=service.admin))[
            "data"
        ]
    ] == [file["id"]]

    # Verified three weeks later: the certificate takes effect (decided by the body on its
    # date, effective from now).
    service.runtime.clock.advance(timedelta(days=21))
    await service.deliver(finding_changed(service, report, "verified_closed", "plan_accepted", 0))
    effective = await file_of(service, file["id"])
    assert effective["status"] == "granted"
    assert [s["step"] for s in effective["steps"]] == ["held", "majors_verified"]
    recognition = ok(
        await service.client.get(
            f"/v1/recognitions/{effective['recognition_id']}", headers=service.admin
        )
    )
    assert (recognition["status"], recognition["external_number"], recognition["decided_on"]) == (
        "active",
        "FR26/7001",
        decided_on.isoformat(),
    )
    assert recognition["effective_date"] == service.runtime.clock.today().isoformat()
    assert len(await events(service, "decision.held.v1")) == 1


async def test_a_decision_before_the_report_waits_for_its_findings(service: Service) -> None:
    """The body's decision says one major is open and the report has not arrived yet: held
    (the body's count stands) until the report and the major's verification are in."""
    file = await accepted(service, scheme="CAP_ISO9001")
    early = await service.report("a", "CAP_ISO9001", "stage2", majors=1, deliver=False)
    await service.deliver(granted(service, early, open_major_nc=1))
    held = await file_of(service, file["id"])
    assert held["status"] == "held"
    await service.deliver(early)  # the report: its major is open
    assert (await file_of(service, file["id"]))["status"] == "held"
    await service.deliver(finding_changed(service, early, "verified_closed", "open"))
    assert (await file_of(service, file["id"]))["status"] == "granted"


async def test_a_held_decision_lapses_when_a_new_stage2_is_required(service: Service) -> None:
    file = await accepted(service, scheme="CAP_ISO9001")
    report = await service.report("a", "CAP_ISO9001", "stage2", majors=1)
    await service.deliver(granted(service, report, open_major_nc=1))
    assert (await file_of(service, file["id"]))["status"] == "held"

    service.runtime.clock.advance(timedelta(days=184))
    required = Stage2RequiredV1(
        audit_id=report.audit_id,
        programme_id="programme-1",
        organisation_id=report.organisation_id,
        scheme="CAP_ISO9001",
        audit_type="stage2",
        certification_body_id="sgs-tuv",
        last_day=report.submitted_at.date(),
        deadline=add_months(report.submitted_at.date(), 6),
        open_major_nc=1,
    )
    await service.deliver(required)
    await service.deliver(required)  # redelivered: changes nothing more
    lapsed = await file_of(service, file["id"])
    assert lapsed["status"] == "refused"
    assert "new stage 2" in lapsed["reason"]
    assert "§9.5.3.2" in lapsed["reason"]
    assert [s["step"] for s in lapsed["steps"]] == ["held", "lapsed"]
    # Verified too late: nothing is granted.
    await service.deliver(finding_changed(service, report, "verified_closed", "open"))
    assert ok(await service.client.get("/v1/recognitions", headers=service.admin))["data"] == []

    # The new stage 2 opens a file of its own, which the body decides on.
    second = await service.report("a", "CAP_ISO9001", "stage2")
    await service.deliver(granted(service, second, number="FR26/7002"))
    (certificate,) = ok(await service.client.get("/v1/recognitions", headers=service.admin))["data"]
    assert certificate["external_number"] == "FR26/7002"


async def test_an_open_file_on_an_audit_requiring_a_new_stage2_waits_for_it(
    service: Service,
) -> None:
    """CAP RSE: majors of the evaluation not verified in time: the file waits for the new
    evaluation's report (nothing can be decided on the old one)."""
    file = await accepted(service)
    report = await service.report("a", "CAP_RSE", "initial", majors=1)
    await service.deliver(
        Stage2RequiredV1(
            audit_id=report.audit_id,
            programme_id="programme-1",
            organisation_id=report.organisation_id,
            scheme="CAP_RSE",
            audit_type="initial",
            certification_body_id="sgs-tuv",
            last_day=report.submitted_at.date(),
            deadline=add_months(report.submitted_at.date(), 6),
            open_major_nc=1,
        )
    )
    waiting = await file_of(service, file["id"])
    assert (waiting["status"], waiting["steps"][-1]["step"]) == (
        "awaiting_report",
        "new_audit_required",
    )
    second = await service.report("a", "CAP_RSE", "initial")
    again = await file_of(service, file["id"])
    assert (again["status"], again["audit_id"]) == ("pending", second.audit_id)
