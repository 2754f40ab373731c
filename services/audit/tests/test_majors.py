"""Majors before certification, audit side, through the API with a controllable clock: the
body's decision is recorded even with majors of the audit not verified, and flagged; answered
majors not verified in time escalate; majors not verified six months after stage 2 call for a
new stage 2, which the programme shows and accepts, and no decision rests on the old one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from cap_audit.main import nonconformity_deadlines

from .conftest import Service, ok
from .test_audits import events
from .test_certification_decision import decided, stage2
from .test_webhooks import secret_for, send, signed

ANSWER = {
    "root_cause": "Pas de calendrier",
    "correction": "Revue tenue",
    "corrective_action": "Revue semestrielle",
    "action_due": "2027-06-30",
}


async def run_deadlines(service: Service) -> int:
    """The ``nonconformity-deadlines`` job once, on the service's clock."""
    async with service.runtime.db.session() as session:
        return await nonconformity_deadlines(session, service.runtime.job_context())


async def the_major(service: Service, audit_id: str) -> dict:
    (major,) = ok(
        await service.client.get(f"/v1/audits/{audit_id}/findings", headers=service.admin)
    )["data"]
    return dict(major)


async def answer(service: Service, finding_id: str) -> dict:
    return ok(
        await service.client.post(
            f"/v1/findings/{finding_id}/response", json=ANSWER, headers=service.member()
        )
    )


async def review(service: Service, finding_id: str, decision: str, **extra: str) -> dict:
    return ok(
        await service.client.post(
            f"/v1/findings/{finding_id}/review",
            json={"decision": decision, **extra},
            headers=service.body(),
        )
    )


async def test_a_decision_with_a_major_not_verified_is_recorded_and_flagged(
    service: Service,
) -> None:
    audit_id, _people, _programme = await stage2(service)
    major = await the_major(service, audit_id)
    await answer(service, major["id"])
    await review(service, major["id"], "accept_plan")  # a plan accepted: still open
    secret = await secret_for(service)
    ok(await send(service, *signed(secret, decided(audit_id))))
    shown = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))
    assert (shown["decision"]["outcome"], shown["decision"]["open_major_nc"]) == ("granted", 1)
    (published,) = await events(service, "certification.decided.v1")
    assert (published["open_major_nc"], published["cycle"]) == (1, 1)
    # Once verified, the audit is clear; the recorded decision keeps what it was taken on.
    await review(service, major["id"], "verify")
    shown = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))
    assert shown["decision"]["open_major_nc"] == 1
    assert shown["stage2_must_repeat"] is False


async def test_an_answered_major_not_verified_in_time_escalates_once_per_answer(
    service: Service,
) -> None:
    audit_id, _people, _programme = await stage2(service)
    major = await the_major(service, audit_id)
    clock = service.runtime.clock
    clock.set(datetime(2027, 3, 10, 9, tzinfo=UTC))
    answered = await answer(service, major["id"])
    assert answered["verification_due"] == "2027-04-09"  # major_verification_days: 30
    clock.set(datetime(2027, 4, 9, 9, tzinfo=UTC))
    await run_deadlines(service)
    assert await events(service, "finding.response_due.v1") == []
    clock.set(datetime(2027, 4, 11, 9, tzinfo=UTC))
    assert await run_deadlines(service) == 1
    assert await run_deadlines(service) == 0  # once per answer
    (notice,) = await events(service, "finding.response_due.v1")
    assert (notice["finding_id"], notice["stage"], notice["response_due"], notice["days"]) == (
        major["id"],
        "verification_overdue",
        "2027-04-09",
        2,
    )
    # Sent back and answered again: a new answer, a new deadline, a new escalation if missed.
    await review(service, major["id"], "send_back", comment="Preuve manquante")
    again = await answer(service, major["id"])
    assert again["verification_due"] == "2027-05-11"
    clock.set(datetime(2027, 5, 12, 9, tzinfo=UTC))
    assert await run_deadlines(service) == 1
    await review(service, major["id"], "verify")
    clock.set(datetime(2027, 6, 12, 9, tzinfo=UTC))
    assert await run_deadlines(service) == 0
    stages = [n["stage"] for n in await events(service, "finding.response_due.v1")]
    assert stages == ["verification_overdue", "verification_overdue"]


async def test_majors_not_verified_six_months_after_stage2_require_a_new_stage2(
    service: Service,
) -> None:
    audit_id, _people, programme = await stage2(service)  # last day 2027-03-02
    major = await the_major(service, audit_id)
    clock = service.runtime.clock
    clock.set(datetime(2027, 9, 2, 23, tzinfo=UTC))  # the deadline: still in time
    await run_deadlines(service)
    assert await events(service, "audit.stage2_required.v1") == []
    secret = await secret_for(service)

    clock.set(datetime(2027, 9, 3, 8, tzinfo=UTC))
    await run_deadlines(service)
    await run_deadlines(service)  # once
    (required,) = await events(service, "audit.stage2_required.v1")
    assert required == {
        "audit_id": audit_id,
        "programme_id": programme["id"],
        "organisation_id": service.organisations["a"].id,
        "scheme": "CAP_ISO9001",
        "audit_type": "stage2",
        "certification_body_id": "sgs-tuv",
        "last_day": "2027-03-02",
        "deadline": "2027-09-02",
        "open_major_nc": 1,
    }
    audit = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))
    assert (audit["stage2_must_repeat"], audit["stage2_required_on"]) == (True, "2027-09-03")

    # The programme shows a new stage 2 due and accepts a request for it.
    shown = ok(
        await service.client.get(f"/v1/audit-programmes/{programme['id']}", headers=service.admin)
    )
    assert shown["stage2_required_by"] == [audit_id]
    assert [(i["type"], i["due_by"], i["status"]) for i in shown["schedule"]] == [
        ("stage1", "2027-02-18", "done"),
        ("stage2", "2027-02-18", "in_progress"),
        ("stage2", "2027-12-01", "due"),  # 90 days after the verification deadline
    ]
    new = ok(
        await service.client.post(
            f"/v1/audit-programmes/{programme['id']}/audits",
            json={"type": "stage2"},
            headers=service.admin,
        ),
        201,
    )
    assert new["due_by"] == "2027-12-01"

    # A decision on the old stage 2 is refused, even once its major is verified (too late).
    await answer(service, major["id"])
    await review(service, major["id"], "verify")
    refused = await send(service, *signed(secret, decided(audit_id, decided_on="2027-09-10")))
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"].endswith("/rule-violation")
    assert problem["rule"].startswith("ISO/IEC 17021-1 §9.5.3.2")
    assert problem["deadline"] == "2027-09-02"
    assert await events(service, "certification.decided.v1") == []


async def test_a_decision_past_the_deadline_is_refused_before_the_job_runs(
    service: Service,
) -> None:
    audit_id, _people, _programme = await stage2(service)
    service.runtime.clock.set(datetime(2027, 9, 3, 8, tzinfo=UTC))
    secret = await secret_for(service)
    refused = await send(service, *signed(secret, decided(audit_id)))
    assert refused.status_code == 409, refused.text
    assert refused.json()["stage2_required_on"] == date(2027, 9, 3).isoformat()
    service.runtime.clock.advance(-timedelta(days=2))  # within the six months: decided, flagged
    ok(await send(service, *signed(secret, decided(audit_id))))
