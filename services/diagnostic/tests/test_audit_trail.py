"""The diagnostic service's audit trail: each regulated change appends exactly one entry (who,
on whose behalf, what, before and after, the request id, the event it publishes), in the
change's transaction; a refused change appends nothing; drafts are not regulated."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

from cap_diagnostic.events.handlers import HANDLERS
from cap_diagnostic.models import tables
from cap_shared.actor import acting_as, handling_event
from cap_shared.contracts import new_event
from cap_shared.testing.audit_entries import AuditLog, loads

from .conftest import Service
from .test_audit_evaluations import report
from .test_diagnostics import act, open_diagnostic, rate_all
from .test_referential_publication import cap_v2
from .test_referentials import upload

CAP = "urn:coorace:referentiel:cap:critere:"
RSE = "urn:coorace:referentiel:cap-rse:critere:"


@pytest.fixture
async def log(service: Service) -> AuditLog:
    trail = AuditLog(service.runtime.db, tables.audit_log)
    await trail.mark()
    return trail


def subject_of(headers: dict[str, str]) -> str:
    """The ``sub`` of a test bearer token (not verified: the test minted it)."""
    import base64

    payload = headers["Authorization"].split()[1].split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


async def event_ids(service: Service, event_type: str) -> list[str]:
    async with service.runtime.db.session() as session:
        return list(
            (
                await session.execute(
                    sa.select(tables.outbox.c.event_id)
                    .where(tables.outbox.c.event_type == event_type)
                    .order_by(tables.outbox.c.seq)
                )
            ).scalars()
        )


async def test_completing_a_diagnostic_appends_one_entry_and_a_refused_step_none(
    service: Service, log: AuditLog
) -> None:
    diagnostic = await open_diagnostic(service)
    for action in ("schedule", "start"):
        assert (await act(service, diagnostic["id"], action)).status_code == 200
    await rate_all(service, diagnostic["id"], level=3)
    assert await log.new() == []  # a draft and its answers are not regulated records

    member = service.member()
    request_id = uuid.uuid4().hex
    completed = await service.client.post(
        f"/v1/diagnostics/{diagnostic['id']}/transitions",
        json={"action": "complete"},
        headers={**member, "X-Request-ID": request_id},
    )
    assert completed.status_code == 200, completed.text
    entry = await log.one("diagnostic.completed")
    (event_id,) = await event_ids(service, "diagnostic.completed.v1")
    assert (entry.record_type, entry.record_id) == ("diagnostic", diagnostic["id"])
    assert (entry.actor, entry.actor_kind) == (subject_of(member), "user")
    assert entry.on_behalf_of == service.organisations["a"].id
    assert (entry.request_id, entry.event_id) == (request_id, event_id)
    assert loads(entry.before) == {"status": "in_session"}
    after = loads(entry.after)
    assert after["status"] == "rated"
    assert (after["overall_score"], after["overall_band"]) == (750, "Exemplaire")
    assert after["referential"] == {"code": "CAP", "version": 1}
    assert after["kind"] == "cap_session"

    again = await act(service, diagnostic["id"], "complete")
    assert again.status_code == 409
    assert await log.new() == []

    closed = await act(service, diagnostic["id"], "close")
    assert closed.status_code == 200, closed.text
    entry = await log.one("diagnostic.closed")
    assert (loads(entry.before), loads(entry.after)["status"]) == ({"status": "rated"}, "closed")
    assert entry.event_id is None


async def test_an_incomplete_completion_appends_nothing(service: Service, log: AuditLog) -> None:
    diagnostic = await open_diagnostic(service)
    for action in ("schedule", "start"):
        assert (await act(service, diagnostic["id"], action)).status_code == 200
    refused = await act(service, diagnostic["id"], "complete")
    assert refused.status_code == 422, refused.text
    outsider = await act(service, diagnostic["id"], "complete", headers=service.member("b"))
    assert outsider.status_code == 404
    assert await log.new() == []


async def test_importing_and_publishing_a_referential_append_one_entry_each(
    service: Service, log: AuditLog
) -> None:
    imported = await service.client.post(
        "/v1/referentials", headers=service.admin, **upload(cap_v2())
    )
    assert imported.status_code == 201, imported.text
    entry = await log.one("referential.imported")
    assert (entry.record_type, entry.record_id) == ("referential", imported.json()["id"])
    assert entry.before is None
    after = loads(entry.after)
    assert (after["code"], after["version"], after["published_at"]) == ("CAP", 2, None)
    assert len(after["document_sha256"]) == 64
    assert entry.actor_kind == "user"

    member = await service.client.post(
        "/v1/referentials/CAP/versions/2/publication", headers=service.member()
    )
    assert member.status_code == 403
    older = await service.client.post("/v1/referentials", headers=service.admin, **upload(cap_v2()))
    assert older.status_code == 409  # the same version again
    assert await log.new() == []

    published = await service.client.post(
        "/v1/referentials/CAP/versions/2/publication", headers=service.admin
    )
    assert published.status_code == 200, published.text
    entry = await log.one("referential.published")
    assert loads(entry.before)["published_at"] is None
    assert loads(entry.after)["published_at"] == published.json()["published_at"].replace(
        "Z", "+00:00"
    )
    again = await service.client.post(
        "/v1/referentials/CAP/versions/2/publication", headers=service.admin
    )
    assert again.status_code == 200
    assert await log.new() == []  # publishing a published version changes nothing


async def test_an_auditor_evaluation_is_recorded_by_the_service_for_the_event(
    service: Service, log: AuditLog
) -> None:
    event = report(service, {RSE + "a1.1": 3})
    envelope = new_event(event, source="/cap/audit", subject=event.audit_id, actor="user:auditor")
    with acting_as(handling_event("diagnostic", envelope.id)):
        async with service.runtime.db.session() as session:
            await HANDLERS["audit.report_submitted.v1"](session, envelope, event)
    entry = await log.one("diagnostic.completed")
    assert (entry.actor, entry.actor_kind) == ("service:diagnostic", "service")
    assert entry.consumed_event_id == envelope.id
    assert entry.before is None  # created completed
    assert loads(entry.after)["kind"] == "audit_evaluation"
    assert loads(entry.after)["audit_id"] == event.audit_id
    (event_id,) = await event_ids(service, "diagnostic.completed.v1")
    assert entry.event_id == event_id
