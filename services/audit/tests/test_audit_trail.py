"""The audit service's audit trail: each regulated change — an audit's steps and plan, its
team's impartiality declarations, findings, their answers and reviews, appeals, the report and
its signed document, the body's certification decision, engagements, a new stage 2 required,
the scheme parameters loaded — appends exactly one entry with who, on whose behalf, what,
before and after, the request id and the event it publishes; a refused change appends nothing."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from cap_audit.config import Settings
from cap_audit.impartiality.service import on_diagnostic_completed
from cap_audit.main import SERVICE
from cap_audit.models import tables
from cap_audit.schemes.service import record_loaded
from cap_shared.actor import acting_as, handling_event
from cap_shared.audit import AuditEntry
from cap_shared.contracts import new_event
from cap_shared.jobs import run_once
from cap_shared.testing.audit_entries import AuditLog, loads
from cap_shared.testing.conditional import if_match

from .conftest import Service, ok, use_parameters
from .test_audits import accepted, setup_body, step, team
from .test_certification_decision import decided, stage2
from .test_impartiality import session_completed
from .test_majors import ANSWER
from .test_nonconformity_lifecycle import run
from .test_webhooks import secret_for, send, signed


@pytest.fixture
def log(service: Service) -> AuditLog:
    return AuditLog(service.runtime.db, tables.audit_log)


async def event_id(service: Service, event_type: str, index: int = -1) -> str:
    async with service.runtime.db.session() as session:
        ids = (
            await session.execute(
                sa.select(tables.outbox.c.event_id)
                .where(tables.outbox.c.event_type == event_type)
                .order_by(tables.outbox.c.seq)
            )
        ).scalars()
        return list(ids)[index]


def by_body(entry: AuditEntry, organisation_id: str) -> None:
    """Made by the body's system (its API client) on the structure's record."""
    assert (entry.actor, entry.actor_kind) == ("client:sgs-tuv", "client")
    assert entry.on_behalf_of == organisation_id


async def post(service: Service, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return await service.client.post(url, json=body, headers=headers)


async def test_an_audit_from_acceptance_to_closure_one_entry_per_change(
    service: Service, log: AuditLog
) -> None:
    people = await setup_body(service)
    programme = await accepted(service)
    audit_id = programme["schedule"][0]["audit_id"]
    organisation = service.organisations["a"].id
    body = service.body()
    lead = service.auditor(people["lead"]["user_id"])
    await log.mark()

    refused = await post(
        service, f"/v1/audits/{audit_id}/transitions", {"step": "accept"}, service.member()
    )
    assert refused.status_code in (403, 404)
    assert await log.new() == []
    request_id = uuid.uuid4().hex
    ok(
        await post(
            service,
            f"/v1/audits/{audit_id}/transitions",
            {"step": "accept"},
            {**body, "X-Request-ID": request_id},
        )
    )
    entry = await log.one("audit.accepted")
    by_body(entry, organisation)
    assert (entry.record_type, entry.record_id, entry.request_id) == ("audit", audit_id, request_id)
    assert (loads(entry.before)["status"], loads(entry.after)["status"]) == (
        "requested",
        "accepted",
    )

    plan = {
        "start_date": "2027-01-11",
        "end_date": "2027-01-11",
        "plan": "Évaluation",
        "team": team(people, ("lead", "lead")),
    }
    url = f"/v1/audits/{audit_id}"
    ok(
        await service.client.put(
            f"{url}/plan", json=plan, headers=await if_match(service.client, url, body)
        )
    )
    planned, declared = await log.new()
    planned_event = await event_id(service, "audit.planned.v1")
    assert (planned.action, planned.event_id) == ("audit.planned", planned_event)
    assert loads(planned.after)["team"] == [[people["lead"]["id"], "lead"]]
    assert loads(planned.after)["start_date"] == "2027-01-11"
    assert (declared.action, declared.record_type) == (
        "impartiality_declaration.recorded",
        "impartiality_declaration",
    )
    assert declared.record_id == f"{audit_id}:{people['lead']['id']}"
    assert declared.on_behalf_of == "sgs-tuv"
    assert declared.before is None
    assert loads(declared.after)["declaration"] == plan["team"][0]["declaration"]
    assert declared.event_id == planned_event

    # The lead moves the dates, with the same team and declarations: the audit only.
    moved = {**plan, "start_date": "2027-01-18", "end_date": "2027-01-19"}
    ok(
        await service.client.put(
            f"{url}/plan", json=moved, headers=await if_match(service.client, url, lead)
        )
    )
    entry = await log.one("audit.replanned")
    assert (loads(entry.before)["start_date"], loads(entry.after)["start_date"]) == (
        "2027-01-11",
        "2027-01-18",
    )
    assert entry.actor == f"user:{people['lead']['user_id']}"

    await step(service, audit_id, lead, "start")
    assert [e.action for e in await log.new()] == ["audit.started"]

    outsider = await post(
        service, f"{url}/findings", {"type": "major_nc", "title": "X"}, service.member()
    )
    assert outsider.status_code in (403, 404)
    assert await log.new() == []
    major = ok(
        await post(
            service,
            f"{url}/findings",
            {"type": "major_nc", "title": "Revue de direction absente", "clause": "9.3"},
            lead,
        ),
        201,
    )
    entry = await log.one("finding.recorded")
    assert (entry.record_type, entry.record_id, entry.before) == ("finding", major["id"], None)
    assert loads(entry.after)["type"] == "major_nc"
    assert entry.on_behalf_of == organisation

    pdf = b"%PDF-1.7\n% rapport signe\n"
    ok(
        await service.client.put(
            f"{url}/report-document",
            files={"file": ("rapport.pdf", pdf, "application/pdf")},
            headers=lead,
        )
    )
    entry = await log.one("audit_report.document_uploaded")
    assert entry.record_type == "audit_report"
    assert loads(entry.after)["size"] == len(pdf)

    await step(service, audit_id, lead, "submit_report", summary="Une NC majeure.")
    entry = await log.one("audit_report.submitted")
    assert entry.event_id == await event_id(service, "audit.report_submitted.v1")
    assert loads(entry.after)["findings"] == [major["id"]]
    assert loads(entry.after)["counts"] == {"major_nc": 1}

    finding = f"/v1/findings/{major['id']}"
    ok(await post(service, f"{finding}/response", ANSWER, service.member()))
    entry = await log.one("finding_answer.submitted")
    assert (entry.record_type, entry.record_id) == ("finding_answer", major["id"])
    assert entry.event_id == await event_id(service, "finding.status_changed.v1")
    assert loads(entry.before)["status"] == "open"
    assert loads(entry.after)["root_cause"] == ANSWER["root_cause"]
    twice = await post(service, f"{finding}/response", ANSWER, service.member())
    assert twice.status_code == 409
    no_reason = await post(service, f"{finding}/review", {"decision": "send_back"}, body)
    assert no_reason.status_code == 409  # a comment says why
    assert await log.new() == []

    reviews = [
        ({"decision": "send_back", "comment": "Cause à préciser"}, body),
        (ANSWER, service.member()),
        ({"decision": "accept_plan"}, body),
        ({"decision": "verify"}, body),
    ]
    for review, headers in reviews:
        path = "response" if review is ANSWER else "review"
        ok(await post(service, f"{finding}/{path}", review, headers))
    actions = await log.new()
    assert [e.action for e in actions] == [
        "finding_answer.sent_back",
        "finding_answer.submitted",
        "finding_answer.plan_accepted",
        "finding_answer.closure_verified",
    ]
    assert loads(actions[-1].after)["verified_by"] == "client:sgs-tuv"
    assert len({e.event_id for e in actions}) == 4  # each its own status change

    await step(service, audit_id, lead, "close")
    entry = await log.one("audit.closed")
    assert (loads(entry.before)["status"], loads(entry.after)["status"]) == (
        "report_submitted",
        "closed",
    )
    # The chain is whole: contiguous, each entry linked to the previous one.
    chain = await log.entries()
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))


async def test_an_appeal_lodged_and_decided_one_entry_each(service: Service, log: AuditLog) -> None:
    people = await setup_body(service)
    programme = await accepted(service)
    audit_id = programme["schedule"][0]["audit_id"]
    service.runtime.clock.set(datetime(2027, 1, 12, 17, tzinfo=UTC))
    (major,) = await run(
        service, people, audit_id, [{"type": "major_nc", "title": "Revue", "clause": "9.3"}]
    )
    await log.mark()
    url = f"/v1/findings/{major['id']}/appeal"
    reason = {"reason": "La revue a eu lieu."}
    assert (await post(service, url, reason, service.member("b"))).status_code == 404
    assert await log.new() == []
    ok(await post(service, url, reason, service.member()), 201)
    entry = await log.one("finding.appealed")
    assert (loads(entry.before)["status"], loads(entry.after)["status"]) == ("open", "appealed")
    assert loads(entry.after)["appeal_reason"] == reason["reason"]
    assert entry.event_id == await event_id(service, "finding.status_changed.v1")

    decision = {"outcome": "downgraded", "reason": "Compte rendu incomplet."}
    lead = service.auditor(people["lead"]["user_id"])
    assert (await post(service, f"{url}/decision", decision, lead)).status_code == 403
    assert await log.new() == []
    ok(await post(service, f"{url}/decision", decision, service.admin))
    entry = await log.one("finding.appeal_downgraded")
    assert (loads(entry.before)["type"], loads(entry.after)["type"]) == ("major_nc", "minor_nc")
    assert entry.actor_kind == "user"


async def test_the_body_s_decision_by_webhook_is_recorded_once_as_the_body_s_system(
    service: Service, log: AuditLog
) -> None:
    audit_id, _people, _programme = await stage2(service)
    secret = await secret_for(service)
    await log.mark()
    payload = decided(audit_id)
    raw, headers = signed(secret, payload)
    ok(await send(service, raw, headers))
    entry = await log.one("certification_decision.recorded")
    assert (entry.actor, entry.actor_kind, entry.client_id) == (
        "client:webhook:sgs-tuv",
        "client",
        "webhook:sgs-tuv",
    )
    assert entry.record_id == audit_id
    assert entry.on_behalf_of == service.organisations["a"].id
    assert entry.event_id == await event_id(service, "certification.decided.v1")
    after = loads(entry.after)
    assert (after["outcome"], after["certificate_number"], after["open_major_nc"]) == (
        "granted",
        "FR-ISO-2027-0042",
        1,
    )
    ok(await send(service, raw, headers))  # the same webhook again: a duplicate
    again = await send(service, *signed(secret, decided(audit_id)))  # decided already
    assert again.status_code == 409, again.text
    assert await log.new() == []


async def test_engagements_declared_and_from_a_cap_session_are_recorded(
    service: Service, log: AuditLog
) -> None:
    people = await setup_body(service)
    await log.mark()
    url = f"/v1/auditors/{people['lead']['id']}/engagements"
    body = {
        "organisation_id": service.organisations["a"].id,
        "kind": "consultancy",
        "on": "2026-06-01",
    }
    assert (await post(service, url, body, service.member())).status_code == 403
    assert await log.new() == []
    made = ok(await post(service, url, body, service.admin), 201)
    entry = await log.one("engagement.recorded")
    assert (entry.record_type, entry.record_id, entry.on_behalf_of) == (
        "engagement",
        made["id"],
        "sgs-tuv",
    )
    assert loads(entry.after)["kind"] == "consultancy"

    event = session_completed(service, "cap_session", [people["second"]["user_id"]])
    envelope = new_event(event, source="/cap/diagnostic")
    for _ in range(2):  # a redelivery records nothing more
        with acting_as(handling_event("audit", envelope.id)):
            async with service.runtime.db.session() as session:
                await on_diagnostic_completed(session, envelope, event)
    entry = await log.one("engagement.recorded")
    assert (entry.actor, entry.consumed_event_id) == ("service:audit", envelope.id)
    assert loads(entry.after)["user_id"] == people["second"]["user_id"]


async def test_a_new_stage2_required_is_recorded_by_the_job(
    service: Service, log: AuditLog
) -> None:
    audit_id, _people, _programme = await stage2(service)  # last day 2027-03-02
    service.runtime.clock.set(datetime(2027, 9, 3, 8, tzinfo=UTC))
    await log.mark()
    job = next(j for j in SERVICE.jobs if j.name == "nonconformity-deadlines")
    for _ in range(2):
        await run_once(service.runtime.db, job, "audit", service.runtime.job_context())
    required = [e for e in await log.new() if e.action == "audit.stage2_required"]
    assert len(required) == 1
    (entry,) = required
    assert (entry.actor, entry.actor_kind, entry.record_id) == (
        "job:nonconformity-deadlines",
        "job",
        audit_id,
    )
    assert loads(entry.before)["stage2_required_on"] is None
    assert loads(entry.after)["stage2_required_on"] == "2027-09-03"
    assert entry.event_id == await event_id(service, "audit.stage2_required.v1")


async def test_scheme_parameters_are_recorded_when_they_differ_from_the_last_recorded(
    service: Service, log: AuditLog, tmp_path: Any
) -> None:
    await log.mark()
    async with service.runtime.db.session() as session:
        first = await record_loaded(session, Settings())
    async with service.runtime.db.session() as session:
        again = await record_loaded(session, Settings())
    assert (first, again) == (["CAP_ISO9001", "CAP_RSE"], [])
    entries = await log.new()
    assert [(e.action, e.record_id, e.before) for e in entries] == [
        ("scheme_parameters.changed", "CAP_ISO9001", None),
        ("scheme_parameters.changed", "CAP_RSE", None),
    ]
    assert entries[0].actor == "system"
    packaged = loads(entries[1].after)["appeal_days"]

    use_parameters(service, tmp_path, "CAP_RSE", appeal_days=packaged + 15)
    settings = service.runtime.settings
    assert isinstance(settings, Settings)
    async with service.runtime.db.session() as session:
        assert await record_loaded(session, settings) == ["CAP_RSE"]
    entry = await log.one("scheme_parameters.changed")
    assert loads(entry.before)["appeal_days"] == packaged
    assert loads(entry.after)["appeal_days"] == packaged + 15
