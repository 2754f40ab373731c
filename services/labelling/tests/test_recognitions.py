"""Recognition lifecycle with a controllable clock: automatic suspension (missed surveillance,
overdue major nonconformity), restoration, withdrawal, expiry, notices; the committee's steps."""

from __future__ import annotations

from datetime import timedelta

from cap_labelling.main import recognition_lifecycle
from cap_shared.contracts.audit import FindingResponseDueV1, FindingStatusChangedV1

from .conftest import Service, ok
from .test_decisions import events, granted_label


async def run_job(service: Service) -> int:
    async with service.runtime.db.session() as session:
        return await recognition_lifecycle(session, service.runtime.job_context())


async def status_of(service: Service, recognition_id: str) -> dict:
    return ok(await service.client.get(f"/v1/recognitions/{recognition_id}", headers=service.admin))


async def test_a_missed_follow_up_suspends_its_report_restores_six_months_withdraw(
    service: Service,
) -> None:
    label = await granted_label(service)
    due = label["next_surveillance_due"]  # CAP RSE follow-up: 18 months after the decision
    assert due is not None
    service.runtime.clock.advance(timedelta(days=18 * 31 - 60))
    await run_job(service)
    upcoming = await events(service, "label.surveillance_due.v1")
    assert [(e["stage"], e["due_date"]) for e in upcoming] == [("upcoming", due)]
    service.runtime.clock.advance(timedelta(days=62))
    await run_job(service)
    await run_job(service)  # idempotent: one change, one notice
    suspended = await status_of(service, label["id"])
    assert (suspended["status"], suspended["suspension_cause"]) == (
        "suspended",
        "surveillance_overdue",
    )
    assert [e["stage"] for e in await events(service, "label.surveillance_due.v1")] == [
        "upcoming",
        "overdue",
    ]
    # The follow-up report comes in: restored at once.
    await service.report("a", "CAP_RSE", "follow_up")
    restored = await status_of(service, label["id"])
    assert restored["status"] == "active"
    assert restored["next_surveillance_due"] is None
    assert [h["reason_code"] for h in restored["history"]] == [
        "granted",
        "surveillance_overdue",
        "surveillance_done",
    ]
    # A committee suspension lasting six months withdraws it.
    ok(
        await service.client.post(
            f"/v1/recognitions/{label['id']}/transitions",
            json={"step": "suspend", "reason": "Usage abusif de la marque constaté"},
            headers=service.committee(),
        )
    )
    service.runtime.clock.advance(timedelta(days=6 * 31))
    await run_job(service)
    withdrawn = await status_of(service, label["id"])
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["history"][-1]["reason_code"] == "suspension_period_ended"
    statuses = [
        (e["previous_status"], e["status"])
        for e in await events(service, "recognition.status_changed.v1")
    ]
    assert statuses == [
        (None, "active"),
        ("active", "suspended"),
        ("suspended", "active"),
        ("active", "suspended"),
        ("suspended", "withdrawn"),
    ]


async def test_an_overdue_major_nonconformity_suspends_until_verified(service: Service) -> None:
    label = await granted_label(service)
    report = await service.report("a", "CAP_RSE", "follow_up", majors=1)
    finding = report.findings[0]
    overdue = FindingResponseDueV1(
        finding_id=finding.finding_id,
        audit_id=report.audit_id,
        organisation_id=report.organisation_id,
        type="major_nc",
        title=finding.title,
        response_due=finding.response_due,
        stage="overdue",
        days=1,
    )
    await service.deliver(overdue)
    suspended = await status_of(service, label["id"])
    assert (suspended["status"], suspended["suspension_cause"]) == ("suspended", "major_nc_overdue")
    await service.deliver(overdue)  # a second notice changes nothing
    closed = FindingStatusChangedV1(
        finding_id=finding.finding_id,
        audit_id=report.audit_id,
        organisation_id=report.organisation_id,
        scheme="CAP_RSE",
        type="major_nc",
        status="verified_closed",
        previous_status="plan_accepted",
        changed_at=service.runtime.clock.now(),
    )
    await service.deliver(closed)
    restored = await status_of(service, label["id"])
    assert restored["status"] == "active"
    assert [h["reason_code"] for h in restored["history"]] == [
        "granted",
        "major_nc_overdue",
        "major_nc_closed",
    ]


async def test_an_answered_major_not_verified_in_time_suspends_until_verified(
    service: Service,
) -> None:
    """A major answered but not verified within major_verification_days (the audit service's
    ``verification_overdue`` notice) suspends the recognition like an unanswered one."""
    label = await granted_label(service)
    report = await service.report("a", "CAP_RSE", "follow_up", majors=1)
    finding = report.findings[0]
    common = {
        "finding_id": finding.finding_id,
        "audit_id": report.audit_id,
        "organisation_id": report.organisation_id,
        "scheme": "CAP_RSE",
        "type": "major_nc",
    }
    service.runtime.clock.advance(timedelta(days=20))
    await service.deliver(
        FindingStatusChangedV1(
            **common,
            status="response_submitted",
            previous_status="open",
            changed_at=service.runtime.clock.now(),
        )
    )
    assert (await status_of(service, label["id"]))["status"] == "active"
    service.runtime.clock.advance(timedelta(days=31))
    await service.deliver(
        FindingResponseDueV1(
            finding_id=finding.finding_id,
            audit_id=report.audit_id,
            organisation_id=report.organisation_id,
            type="major_nc",
            title=finding.title,
            response_due=finding.response_due,
            stage="verification_overdue",
            days=1,
        )
    )
    suspended = await status_of(service, label["id"])
    assert (suspended["status"], suspended["suspension_cause"]) == ("suspended", "major_nc_overdue")
    service.runtime.clock.advance(timedelta(days=3))
    await service.deliver(
        FindingStatusChangedV1(
            **common,
            status="verified_closed",
            previous_status="response_submitted",
            changed_at=service.runtime.clock.now(),
        )
    )
    restored = await status_of(service, label["id"])
    assert [h["reason_code"] for h in restored["history"]] == [
        "granted",
        "major_nc_overdue",
        "major_nc_closed",
    ]


async def test_expiry_notices_then_expiry(service: Service) -> None:
    label = await granted_label(service)
    await service.report("a", "CAP_RSE", "follow_up")
    for days_left in (100, 90, 60, 30, 7, 1):
        service.runtime.clock.offset = timedelta(0)
        today = service.runtime.clock.today()
        from datetime import date

        expiry = date.fromisoformat(label["expiry_date"])
        service.runtime.clock.advance(timedelta(days=(expiry - today).days - days_left))
        await run_job(service)
    notices = await events(service, "label.expiring.v1")
    assert [n["days_before"] for n in notices] == [90, 30, 7]
    service.runtime.clock.advance(timedelta(days=2))
    await run_job(service)
    expired = await status_of(service, label["id"])
    assert expired["status"] == "expired"
    assert expired["next_surveillance_due"] is None


async def test_committee_steps_need_a_reason_and_the_committee(service: Service) -> None:
    label = await granted_label(service)
    path = f"/v1/recognitions/{label['id']}/transitions"
    no_reason = await service.client.post(
        path, json={"step": "suspend"}, headers=service.committee()
    )
    assert no_reason.status_code == 422
    member = await service.client.post(
        path, json={"step": "suspend", "reason": "Je me suspends"}, headers=service.member_admin()
    )
    assert member.status_code == 403
    bad = await service.client.post(
        path, json={"step": "restore", "reason": "Rien à rétablir"}, headers=service.committee()
    )
    assert bad.status_code == 409
    withdrawn = ok(
        await service.client.post(
            path,
            json={"step": "withdraw", "reason": "Cessation d'activité"},
            headers=service.committee(),
        )
    )
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["history"][-1]["note"] == "Cessation d'activité"
    other = await service.add_organisation("z")
    outsider = service.headers({"role": "member", "organisation_id": other.id})
    assert (
        await service.client.get(f"/v1/recognitions/{label['id']}", headers=outsider)
    ).status_code == 404
