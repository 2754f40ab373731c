"""The certification body's decision (CAP ISO 9001) through its signed webhook, and the
``finding.status_changed.v1`` events of nonconformities."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col

from cap_audit.models import Audit, InboundWebhook, tables
from cap_shared.testing.conditional import if_match

from .conftest import Service, ok
from .test_audits import accepted, events, setup_body, step, team
from .test_webhooks import event, secret_for, send, signed

GRANT = {
    "outcome": "granted",
    "decided_on": "2027-04-02",
    "decided_by": "Comité de certification SGS",
    "certificate_number": "FR-ISO-2027-0042",
    "scope": "Insertion par l'activité économique : chantiers d'insertion (espaces verts)",
}


async def reported(
    service: Service, people: dict, audit_id: str, lead: str = "lead", *, submit: bool = True
) -> None:
    """The body accepts, plans (``lead`` and the expert ``second``), starts the audit, records
    a major NC and (``submit``) submits the report, through the API."""
    body = service.body()
    await step(service, audit_id, body, "accept")
    ok(
        await service.client.put(
            f"/v1/audits/{audit_id}/plan",
            json={
                "start_date": "2027-03-01",
                "end_date": "2027-03-02",
                "plan": "Plan",
                "team": team(people, (lead, "lead"), ("observer", "observer")),
            },
            headers=await if_match(service.client, f"/v1/audits/{audit_id}", body),
        )
    )
    await step(service, audit_id, body, "start")
    ok(
        await service.client.post(
            f"/v1/audits/{audit_id}/findings",
            json={"type": "major_nc", "title": "Revue de direction absente", "clause": "9.3"},
            headers=body,
        ),
        201,
    )
    if submit:
        await step(service, audit_id, body, "submit_report", summary="Une NC majeure.")


async def stage2(service: Service, *, submit: bool = True) -> tuple[str, dict, dict]:
    """A CAP ISO 9001 programme whose stage 1 is closed and whose stage 2 is audited by
    ``second`` (lead) with ``observer``; the stage 2 id, the people and the programme."""
    people = await setup_body(service)
    people["observer"] = ok(
        await service.client.post(
            "/v1/auditors",
            json={
                "certification_body_id": "sgs-tuv",
                "name": "Hélène Observatrice",
                "user_id": "7d7e4c38-3f0e-4b4d-9a43-5f0f7f6e0b11",
            },
            headers=service.admin,
        ),
        201,
    )
    programme = await accepted(service)
    stage1 = programme["schedule"][0]["audit_id"]
    body = service.body()
    await step(service, stage1, body, "accept")
    ok(
        await service.client.put(
            f"/v1/audits/{stage1}/plan",
            json={
                "start_date": "2027-01-11",
                "end_date": "2027-01-11",
                "plan": "Stage 1",
                "team": team(people, ("lead", "lead")),
            },
            headers=await if_match(service.client, f"/v1/audits/{stage1}", body),
        )
    )
    await step(service, stage1, body, "start")
    await step(service, stage1, body, "submit_report", summary="Prêt pour le stage 2.")
    await step(service, stage1, body, "close")
    audit = ok(
        await service.client.post(
            f"/v1/audit-programmes/{programme['id']}/audits",
            json={"type": "stage2"},
            headers=service.admin,
        ),
        201,
    )
    await reported(service, people, audit["id"], lead="second", submit=submit)
    return audit["id"], people, programme


def decided(audit_id: str, **data) -> dict:
    return event("certification.decided", audit_id=audit_id, **{**GRANT, **data})


async def stored(service: Service, audit_id: str) -> Audit:
    async with service.runtime.db.session() as session:
        audit = await session.get(Audit, audit_id)
        assert audit is not None
        return audit


async def inbound(service: Service) -> list[str]:
    async with service.runtime.db.session() as session:
        rows = await session.execute(
            sa.select(col(InboundWebhook.type)).where(
                col(InboundWebhook.type) == "certification.decided"
            )
        )
        return list(rows.scalars().all())


async def test_a_granted_decision_is_stored_shown_and_published(service: Service) -> None:
    audit_id, _people, programme = await stage2(service)
    secret = await secret_for(service)
    raw, headers = signed(
        secret, decided(audit_id, excluded_member_ids=["0b5b0c1e-8d1e-4a43-9a4e-1c2d3e4f5a6b"])
    )
    answer = ok(await send(service, raw, headers))
    assert (answer["duplicate"], answer["type"], answer["outcome"]) == (
        False,
        "certification.decided",
        "granted",
    )
    audit = await stored(service, audit_id)
    assert (
        audit.decision_outcome,
        str(audit.decided_on),
        audit.decided_by,
        audit.certificate_number,
        audit.decision_excluded_member_ids,
        audit.decision_reason,
    ) == (
        "granted",
        "2027-04-02",
        "Comité de certification SGS",
        "FR-ISO-2027-0042",
        ["0b5b0c1e-8d1e-4a43-9a4e-1c2d3e4f5a6b"],
        None,
    )
    shown = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.member()))
    assert shown["decision"] == {
        "outcome": "granted",
        "decided_on": "2027-04-02",
        "decided_by": "Comité de certification SGS",
        "certificate_number": "FR-ISO-2027-0042",
        "scope": GRANT["scope"],
        "excluded_member_ids": ["0b5b0c1e-8d1e-4a43-9a4e-1c2d3e4f5a6b"],
        "reason": None,
        "recorded_at": shown["decision"]["recorded_at"],
        "open_major_nc": 1,  # recorded, flagged: the certificate waits for its verification
    }
    assert shown["status"] == "report_submitted"  # the decision does not move the audit
    (published,) = await events(service, "certification.decided.v1")
    assert published == {
        "audit_id": audit_id,
        "organisation_id": service.organisations["a"].id,
        "scheme": "CAP_ISO9001",
        "audit_type": "stage2",
        "certification_body_id": "sgs-tuv",
        "outcome": "granted",
        "decided_on": "2027-04-02",
        "decided_by": "Comité de certification SGS",
        "certificate_number": "FR-ISO-2027-0042",
        "scope": GRANT["scope"],
        "excluded_member_ids": ["0b5b0c1e-8d1e-4a43-9a4e-1c2d3e4f5a6b"],
        "reason": None,
        "open_major_nc": 1,
        "cycle": 1,
    }
    assert programme["organisation_id"] == published["organisation_id"]
    async with service.runtime.db.session() as session:
        envelope = (
            await session.execute(
                sa.select(tables.outbox.c.payload).where(
                    tables.outbox.c.event_type == "certification.decided.v1"
                )
            )
        ).scalar_one()
    assert json.loads(envelope)["subject"] == audit_id

    # The same webhook again (a retry of the body's system): applied once.
    again = ok(await send(service, raw, headers))
    assert again == {"webhook_id": headers["webhook-id"], "duplicate": True}
    assert len(await events(service, "certification.decided.v1")) == 1
    assert await inbound(service) == ["certification.decided"]

    # Another decision on the same audit: refused, the first one stands.
    second = await send(
        service,
        *signed(secret, decided(audit_id, outcome="refused", certificate_number=None, reason="x")),
    )
    assert second.status_code == 409, second.text
    assert second.json()["type"].endswith("/already-decided")
    assert second.json()["outcome"] == "granted"
    assert (await stored(service, audit_id)).decision_outcome == "granted"
    assert len(await events(service, "certification.decided.v1")) == 1
    assert await inbound(service) == ["certification.decided"]


async def test_a_refusal_needs_its_reason_and_a_grant_its_certificate_number(
    service: Service,
) -> None:
    audit_id, _people, _programme = await stage2(service)
    secret = await secret_for(service)
    for data in (
        {"outcome": "refused", "certificate_number": None},
        {"outcome": "refused", "certificate_number": None, "reason": "   "},
        {"outcome": "refused", "reason": "NC majeure non levée"},  # with a certificate number
        {"certificate_number": None},
        {"outcome": "suspended"},
        {"decided_by": ""},
    ):
        response = await send(service, *signed(secret, decided(audit_id, **data)))
        assert response.status_code == 400, (data, response.text)
        assert response.json()["type"].endswith("/malformed-webhook")
        assert response.json()["errors"]
    assert (await stored(service, audit_id)).decision_outcome is None
    refusal = decided(
        audit_id,
        outcome="refused",
        certificate_number=None,
        scope=None,
        reason="La NC majeure 9.3 n'a pas été levée dans les six mois.",
    )
    ok(await send(service, *signed(secret, refusal)))
    audit = await stored(service, audit_id)
    assert (audit.decision_outcome, audit.certificate_number, audit.decision_reason) == (
        "refused",
        None,
        "La NC majeure 9.3 n'a pas été levée dans les six mois.",
    )
    (published,) = await events(service, "certification.decided.v1")
    assert (published["outcome"], published["certificate_number"], published["reason"]) == (
        "refused",
        None,
        "La NC majeure 9.3 n'a pas été levée dans les six mois.",
    )


async def test_only_a_reported_iso_stage2_or_renewal_is_decided(service: Service) -> None:
    stage2_id, people, programme = await stage2(service, submit=False)
    secret = await secret_for(service)
    early = await send(service, *signed(secret, decided(stage2_id)))
    assert early.status_code == 409, early.text  # stage 2 in progress: no report yet
    assert early.json()["type"].endswith("/invalid-transition")
    stage1 = programme["schedule"][0]["audit_id"]  # closed, but a stage 1
    not_stage2 = await send(service, *signed(secret, decided(stage1)))
    assert not_stage2.status_code == 409, not_stage2.text
    assert not_stage2.json()["type"].endswith("/rule-violation")

    rse = await accepted(service, scheme="CAP_RSE", key="b")
    rse_id = rse["schedule"][0]["audit_id"]
    await reported(service, people, rse_id)
    rse_audit = ok(await service.client.get(f"/v1/audits/{rse_id}", headers=service.admin))
    assert (rse_audit["scheme"], rse_audit["status"]) == ("CAP_RSE", "report_submitted")
    not_iso = await send(service, *signed(secret, decided(rse_id)))
    assert not_iso.status_code == 409, not_iso.text
    assert not_iso.json()["type"].endswith("/rule-violation")

    # Another body cannot decide on this body's audits (as for every webhook event).
    ok(
        await service.client.post(
            "/v1/certification-bodies",
            json={"id": "bureau-veritas", "name": "Bureau Veritas", "schemes": ["CAP_ISO9001"]},
            headers=service.admin,
        ),
        201,
    )
    other = await secret_for(service, "bureau-veritas")
    await step(service, stage2_id, service.body(), "submit_report", summary="Une NC majeure.")
    foreign = await send(service, *signed(other, decided(stage2_id)), body_id="bureau-veritas")
    assert foreign.status_code == 404, foreign.text
    for audit_id in (stage2_id, stage1, rse_id):
        assert (await stored(service, audit_id)).decision_outcome is None
    assert await events(service, "certification.decided.v1") == []
    assert await inbound(service) == []

    # A renewal whose report is submitted is decided on; the refused webhooks left no trace.
    renewal = ok(
        await service.client.post(
            f"/v1/audit-programmes/{programme['id']}/audits",
            json={"type": "renewal"},
            headers=service.admin,
        ),
        201,
    )
    await reported(service, people, renewal["id"], lead="second")
    raw, headers = signed(secret, decided(renewal["id"], certificate_number="FR-ISO-2030-0042"))
    ok(await send(service, raw, headers))
    ok(await send(service, *signed(secret, decided(stage2_id))))
    assert [
        (e["audit_type"], e["certificate_number"])
        for e in await events(service, "certification.decided.v1")
    ] == [("renewal", "FR-ISO-2030-0042"), ("stage2", "FR-ISO-2027-0042")]


async def test_a_decision_maker_on_the_audit_team_is_refused(service: Service) -> None:
    audit_id, people, _programme = await stage2(service)
    secret = await secret_for(service)
    second, observer = people["second"], people["observer"]
    for decided_by in (
        second["id"],  # the lead's auditor id
        second["user_id"],  # their platform account
        "  auditeur   SECOND ",  # their name, however written
        "Helene Observatrice",  # an observer is on the team too
        observer["user_id"],
    ):
        raw, headers = signed(secret, decided(audit_id, decided_by=decided_by))
        response = await send(service, raw, headers)
        assert response.status_code == 422, (decided_by, response.text)
        problem = response.json()
        assert problem["type"].endswith("/not-impartial")
        assert problem["decided_by"] == decided_by
    assert (await stored(service, audit_id)).decision_outcome is None
    assert await events(service, "certification.decided.v1") == []
    assert await inbound(service) == []
    # The refused webhook id left nothing behind: the body sends it again, corrected.
    ok(await send(service, *signed(secret, decided(audit_id), webhook_id=headers["webhook-id"])))

    # Someone who audited another audit of the programme (stage 1), not this one, may decide.
    renewal = await _renewal(service, people)
    ok(await send(service, *signed(secret, decided(renewal, decided_by=people["lead"]["id"]))))
    assert (await stored(service, renewal)).decided_by == people["lead"]["id"]


async def _renewal(service: Service, people: dict) -> str:
    programme = ok(await service.client.get("/v1/audit-programmes", headers=service.admin))["data"][
        0
    ]
    renewal = ok(
        await service.client.post(
            f"/v1/audit-programmes/{programme['id']}/audits",
            json={"type": "renewal"},
            headers=service.admin,
        ),
        201,
    )
    await reported(service, people, renewal["id"], lead="second")
    return str(renewal["id"])


async def test_a_registered_decision_maker_is_compared_by_who_they_are(service: Service) -> None:
    """``decided_by`` names an auditor of the registry: their account and name count too."""
    audit_id, people, _programme = await stage2(service)
    twin = ok(
        await service.client.post(
            "/v1/auditors",
            json={
                "certification_body_id": "sgs-tuv",
                "name": "Auditeur second",  # another registry entry of the same person
                "user_id": people["second"]["user_id"],
            },
            headers=service.admin,
        ),
        201,
    )
    secret = await secret_for(service)
    refused = await send(service, *signed(secret, decided(audit_id, decided_by=twin["id"])))
    assert refused.status_code == 422, refused.text
    ok(
        await send(
            service, *signed(secret, decided(audit_id, decided_by=people["unqualified"]["id"]))
        )
    )


async def test_nonconformity_status_changes_are_published(service: Service) -> None:
    """Answered, sent back, plan accepted, verified: one event each, at the service's clock,
    also when the body reviews through its webhook."""
    audit_id, _people, _programme = await stage2(service)
    (nc,) = ok(await service.client.get(f"/v1/audits/{audit_id}/findings", headers=service.admin))[
        "data"
    ]
    answer = {
        "root_cause": "Pas de calendrier",
        "correction": "Revue tenue",
        "corrective_action": "Revue semestrielle",
        "action_due": "2027-06-30",
    }
    service.runtime.clock.advance(timedelta(days=10))
    ok(
        await service.client.post(
            f"/v1/findings/{nc['id']}/response", json=answer, headers=service.member()
        )
    )
    secret = await secret_for(service)
    ok(
        await send(
            service,
            *signed(secret, event("finding.reviewed", finding_id=nc["id"], decision="accept_plan")),
        )
    )
    ok(
        await service.client.post(
            f"/v1/findings/{nc['id']}/review", json={"decision": "verify"}, headers=service.body()
        )
    )
    changes = await events(service, "finding.status_changed.v1")
    assert [(c["previous_status"], c["status"]) for c in changes] == [
        ("open", "response_submitted"),
        ("response_submitted", "plan_accepted"),
        ("plan_accepted", "verified_closed"),
    ]
    first = changes[0]
    assert (
        first["finding_id"],
        first["audit_id"],
        first["organisation_id"],
        first["scheme"],
        first["type"],
        first["response_due"],
    ) == (
        nc["id"],
        audit_id,
        service.organisations["a"].id,
        "CAP_ISO9001",
        "major_nc",
        ok(await service.client.get(f"/v1/findings/{nc['id']}", headers=service.admin))[
            "response_due"
        ],
    )
    changed_at = datetime.fromisoformat(first["changed_at"])
    assert abs(changed_at - service.runtime.clock.now()) < timedelta(minutes=1)  # shifted clock
    # A refused step publishes nothing.
    again = await service.client.post(
        f"/v1/findings/{nc['id']}/review", json={"decision": "verify"}, headers=service.body()
    )
    assert again.status_code == 409
    assert len(await events(service, "finding.status_changed.v1")) == 3
