"""The labelling service's audit trail: each regulated change — decisions taken, lowered,
refused, deferred, held, released, lapsed, appealed, upheld or overturned; recognitions granted,
suspended, restored, withdrawn, expired, their scope reduced; committee engagements; level
rules; the scheme parameters loaded — appends exactly one entry with who, on whose behalf, what,
before and after, the request id and the event it publishes; a refused change appends nothing.
Event handlers record as ``service:labelling`` with the event they consume, jobs as ``job:``."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from cap_labelling.config import Settings
from cap_labelling.events import handlers
from cap_labelling.main import SERVICE
from cap_labelling.models import tables
from cap_labelling.schemes.service import record_loaded
from cap_shared.actor import acting_as, handling_event
from cap_shared.clock import using
from cap_shared.contracts import new_event
from cap_shared.contracts.registry import EventModel
from cap_shared.jobs import run_once
from cap_shared.testing.audit_entries import AuditLog, loads
from cap_shared.testing.conditional import as_read

from .conftest import Service, ok
from .test_appeals import appeal, decide_appeal, decided_file
from .test_cycles import certified
from .test_decisions import GOOD, accepted, decide, finding_changed, pending_of
from .test_level_rules import URL as LEVEL_RULES
from .test_majors import granted

COMMITTEE = "user:committee-1"


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


async def handle(service: Service, event: EventModel) -> str:
    """Hand ``event`` to the service's handler as its worker does (on its clock, acting as the
    service for that event); the envelope's id."""
    envelope = new_event(event, source="/cap/test")
    envelope = envelope.model_copy(update={"time": service.runtime.clock.now()})
    with using(service.runtime.clock), acting_as(handling_event("labelling", envelope.id)):
        async with service.runtime.db.session() as session:
            await handlers.HANDLERS[envelope.type](session, envelope, event)
    return envelope.id


async def test_a_lowered_decision_appends_the_grant_and_the_decision_refusals_nothing(
    service: Service, log: AuditLog
) -> None:
    file = await pending_of(service, "a")
    await log.mark()
    for body in (
        {"outcome": "confirm", "level": "Exemplaire"},  # above the rule
        {"outcome": "confirm", "level": "Progression"},  # lowered without a reason
    ):
        assert (await decide(service, file["id"], **body)).status_code == 422
    member = await decide(service, file["id"], service.member_admin(), outcome="confirm")
    assert member.status_code == 403
    assert await log.new() == []

    request_id = uuid.uuid4().hex
    headers = await as_read(service.client, f"/v1/decisions/{file['id']}", service.committee())
    decided = ok(
        await service.client.post(
            f"/v1/decisions/{file['id']}/decide",
            json={"outcome": "confirm", "level": "Progression", "reason": "Plan à déployer"},
            headers={**headers, "X-Request-ID": request_id},
        )
    )
    recognition, decision = await log.new()
    assert (recognition.action, recognition.record_id) == (
        "recognition.granted",
        decided["recognition_id"],
    )
    assert recognition.before is None
    assert recognition.event_id == await event_id(service, "recognition.status_changed.v1")
    assert (loads(recognition.after)["status"], loads(recognition.after)["level"]) == (
        "active",
        "Progression",
    )
    assert (decision.action, decision.record_type, decision.record_id) == (
        "decision.lowered",
        "decision",
        file["id"],
    )
    assert (decision.actor, decision.actor_kind) == (COMMITTEE, "user")
    assert decision.on_behalf_of == service.organisations["a"].id
    assert decision.request_id == request_id == recognition.request_id
    assert decision.event_id == await event_id(service, "decision.taken.v1")
    assert loads(decision.before)["status"] == "pending"
    after = loads(decision.after)
    assert (after["status"], after["level"], after["computed_level"], after["reason"]) == (
        "granted",
        "Progression",
        "Confirmé",
        "Plan à déployer",
    )
    twice = await decide(service, file["id"], outcome="refuse", reason="Erreur")
    assert twice.status_code == 409
    assert await log.new() == []


async def test_deferred_then_refused_then_appealed_and_overturned(
    service: Service, log: AuditLog
) -> None:
    file = await accepted(service)
    report = await service.report("a", "CAP_RSE", "initial", auditors=("auditor-1",))
    await service.evaluated("a", report.audit_id, 620, GOOD)
    await log.mark()
    ok(await decide(service, file["id"], outcome="defer", reason="Pièces attendues"))
    entry = await log.one("decision.deferred")
    assert (loads(entry.before)["status"], loads(entry.after)["status"]) == (
        "pending",
        "deferred",
    )
    assert entry.event_id == await event_id(service, "decision.taken.v1")
    ok(await decide(service, file["id"], outcome="refuse", reason="Pièces non reçues"))
    entry = await log.one("decision.refused")
    assert loads(entry.after)["reason"] == "Pièces non reçues"

    assert (await appeal(service, file["id"], service.committee())).status_code == 403
    assert await log.new() == []
    ok(await appeal(service, file["id"]), 201)
    entry = await log.one("decision.appealed")
    assert entry.event_id == await event_id(service, "decision.appeal_lodged.v1")
    assert loads(entry.after)["appeal"]["reason"].startswith("Les preuves")
    assert entry.actor_kind == "user"

    partial = await decide_appeal(
        service, file["id"], service.committee(COMMITTEE), outcome="overturned", reason="Revu"
    )
    assert partial.status_code == 409
    assert await log.new() == []
    ok(
        await decide_appeal(
            service,
            file["id"],
            service.committee("user:committee-2"),
            outcome="overturned",
            reason="Les preuves établissent la démarche",
        )
    )
    entry = await log.one("decision.overturned")
    assert entry.actor == "user:committee-2"
    assert (loads(entry.before)["status"], loads(entry.after)["status"]) == ("refused", "pending")
    assert (loads(entry.before)["round"], loads(entry.after)["round"]) == (1, 2)
    assert entry.event_id == await event_id(service, "decision.appeal_decided.v1")


async def test_an_upheld_appeal_is_recorded(service: Service, log: AuditLog) -> None:
    file = await decided_file(service, outcome="refuse", reason="Dossier incomplet")
    ok(await appeal(service, file["id"]), 201)
    await log.mark()
    ok(
        await decide_appeal(
            service,
            file["id"],
            service.committee("user:committee-2"),
            outcome="upheld",
            reason="Non",
        )
    )
    entry = await log.one("decision.upheld")
    after = loads(entry.after)
    assert (after["appeal"]["outcome"], after["appeal"]["reason"]) == ("upheld", "Non")
    assert after["status"] == "refused"  # the decision stands
    assert entry.event_id == await event_id(service, "decision.appeal_decided.v1")


async def test_a_body_decision_held_then_released_by_the_service_for_its_events(
    service: Service, log: AuditLog
) -> None:
    file = await accepted(service, scheme="CAP_ISO9001")
    report = await service.report("a", "CAP_ISO9001", "stage2", majors=1)
    await log.mark()
    held_by = await handle(service, granted(service, report, open_major_nc=1))
    entry = await log.one("decision.held")
    assert (entry.actor, entry.actor_kind, entry.consumed_event_id) == (
        "service:labelling",
        "service",
        held_by,
    )
    assert entry.record_id == file["id"]
    assert entry.event_id == await event_id(service, "decision.held.v1")
    assert loads(entry.after)["status"] == "held"

    verified_by = await handle(service, finding_changed(service, report, "verified_closed", "open"))
    recognition, released = await log.new()
    assert recognition.action == "recognition.granted"
    assert released.action == "decision.released"
    assert released.consumed_event_id == verified_by
    assert (loads(released.before)["status"], loads(released.after)["status"]) == (
        "held",
        "granted",
    )
    assert loads(released.after)["certificate_number"] == "FR26/7001"


async def test_recognition_steps_by_the_committee_and_the_daily_job(
    service: Service, log: AuditLog
) -> None:
    certificate = await certified(service)
    await log.mark()
    path = f"/v1/recognitions/{certificate['id']}/transitions"
    suspend = {"step": "suspend", "reason": "Usage abusif de la marque"}
    assert (
        await service.client.post(path, json=suspend, headers=service.member_admin())
    ).status_code == 403
    assert (
        await service.client.post(
            path, json={"step": "restore", "reason": "Rien à rétablir"}, headers=service.committee()
        )
    ).status_code == 409
    assert await log.new() == []
    ok(await service.client.post(path, json=suspend, headers=service.committee()))
    entry = await log.one("recognition.suspended")
    assert (loads(entry.before)["status"], loads(entry.after)["status"]) == ("active", "suspended")
    assert loads(entry.after)["note"] == suspend["reason"]
    assert (entry.actor, entry.on_behalf_of) == (COMMITTEE, service.organisations["a"].id)
    ok(
        await service.client.post(
            path, json={"step": "restore", "reason": "Corrigé"}, headers=service.committee()
        )
    )
    assert [e.action for e in await log.new()] == ["recognition.restored"]

    reduced = "Insertion par l'activité économique : espaces verts"
    ok(
        await service.client.post(
            f"/v1/recognitions/{certificate['id']}/scope-reductions",
            json={"scope": reduced, "reason": "Activité arrêtée"},
            headers=service.body(),
        )
    )
    entry = await log.one("recognition.scope_reduced")
    assert (loads(entry.before)["scope"], loads(entry.after)["scope"]) == (
        certificate["scope"],
        reduced,
    )
    assert entry.actor_kind == "client"

    # Past its expiry, the daily job expires it (once).
    service.runtime.clock.advance(timedelta(days=3 * 366 + 2))
    job = next(j for j in SERVICE.jobs if j.name == "recognition-lifecycle")
    for _ in range(2):
        await run_once(service.runtime.db, job, "labelling", service.runtime.job_context())
    entry = await log.one("recognition.expired")
    assert (entry.actor, entry.actor_kind) == ("job:recognition-lifecycle", "job")
    assert entry.event_id == await event_id(service, "recognition.status_changed.v1")


async def test_engagements_declared_and_from_a_cap_session(service: Service, log: AuditLog) -> None:
    await log.mark()
    url = "/v1/committee-members/committee-2/engagements"
    today = service.runtime.clock.today()
    training = {
        "organisation_id": service.organisations["b"].id,
        "kind": "training",
        "started_on": (today - timedelta(days=20)).isoformat(),
        "ended_on": (today - timedelta(days=19)).isoformat(),
    }
    assert (
        await service.client.post(url, json=training, headers=service.committee())
    ).status_code == 403
    assert await log.new() == []
    made = ok(
        await service.client.post(
            url, json=training, headers=service.committee("user:committee-2")
        ),
        201,
    )
    entry = await log.one("engagement.declared")
    assert (entry.record_type, entry.record_id, entry.actor) == (
        "engagement",
        made["id"],
        "user:committee-2",
    )
    assert loads(entry.after)["kind"] == "training"

    await service.completed("a", service.runtime.clock.now(), facilitators=("facilitator-9",))
    entry = await log.one("engagement.recorded")
    assert loads(entry.after)["user_id"] == "facilitator-9"
    assert loads(entry.after)["source"] == "cap_session"


async def test_level_rules_imported_once_per_change(service: Service, log: AuditLog) -> None:
    exported = await service.client.get(f"{LEVEL_RULES}/1?format=json", headers=service.admin)
    rule = json.loads(exported.content)
    rule["levels"][2]["max_score"] = 600
    rule["levels"][3].update(min_score=601, core_subject_minimum=400, core_subject_minimums={})
    await log.mark()
    headers = {**service.admin, "Content-Type": "application/json"}
    member = {**service.member_admin(), "Content-Type": "application/json"}
    assert (
        await service.client.put(f"{LEVEL_RULES}/1", content=json.dumps(rule), headers=member)
    ).status_code == 403
    assert await log.new() == []
    for _ in range(2):  # the same rule again changes nothing
        changed = await service.client.put(
            f"{LEVEL_RULES}/1", content=json.dumps(rule), headers=headers
        )
        assert changed.status_code in (200, 201), changed.text
    entry = await log.one("level_rule.imported")
    assert (entry.record_type, entry.record_id) == ("level_rule", "CAP_RSE:1")
    assert (loads(entry.before)["revision"], loads(entry.after)["revision"]) == (1, 2)
    assert loads(entry.before)["source"] == "shipped"


async def test_scheme_parameters_are_recorded_when_they_differ(
    service: Service, log: AuditLog
) -> None:
    await log.mark()
    async with service.runtime.db.session() as session:
        assert await record_loaded(session, Settings()) == ["CAP_ISO9001", "CAP_RSE"]
    async with service.runtime.db.session() as session:
        assert await record_loaded(session, Settings()) == []
    assert [e.record_id for e in await log.new()] == ["CAP_ISO9001", "CAP_RSE"]
