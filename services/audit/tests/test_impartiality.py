"""Impartiality through the API (ISO/IEC 17021-1 §5.2): consultancy, accompaniment (a
facilitator's accompanied CAP session included) and training bar auditing and deciding for the
cooling-off period, having audited bars nothing, the same lead for too many consecutive cycles
is refused when the scheme sets a limit; every refusal names the rule, the person and the
engagement."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from cap_audit.events.handlers import HANDLERS
from cap_shared.clock import using
from cap_shared.contracts import new_event
from cap_shared.contracts.diagnostic import DiagnosticCompletedV1, GroupScoreV1, ReferentialRef
from cap_shared.testing.conditional import if_match

from .conftest import Service, ok, use_parameters
from .test_audits import accepted, setup_body, step, team
from .test_certification_decision import decided, stage2
from .test_cycles import recognition
from .test_webhooks import secret_for, send, signed

PLAN = {"start_date": "2027-01-11", "end_date": "2027-01-12", "plan": "Plan"}


async def auditor(service: Service, name: str, user_id: str | None = None) -> dict:
    return ok(
        await service.client.post(
            "/v1/auditors",
            json={
                "certification_body_id": "sgs-tuv",
                "name": name,
                "user_id": user_id or str(uuid.uuid4()),
                "qualifications": [
                    {
                        "scheme": "CAP_ISO9001",
                        "valid_from": "2025-01-01",
                        "valid_until": "2035-12-31",
                    }
                ],
            },
            headers=service.admin,
        ),
        201,
    )


async def engagement(service: Service, auditor_id: str, kind: str, on: str, key: str = "a") -> dict:
    return ok(
        await service.client.post(
            f"/v1/auditors/{auditor_id}/engagements",
            json={"organisation_id": service.organisations[key].id, "kind": kind, "on": on},
            headers=service.admin,
        ),
        201,
    )


async def plan(service: Service, audit_id: str, people: dict, *members: tuple[str, str]):
    return await service.client.put(
        f"/v1/audits/{audit_id}/plan",
        json={**PLAN, "team": team(people, *members)},
        headers=await if_match(service.client, f"/v1/audits/{audit_id}", service.body()),
    )


def session_completed(
    service: Service, kind: str, facilitators: list[str]
) -> DiagnosticCompletedV1:
    score = GroupScoreV1(
        group="overall",
        code="CAP",
        name="CAP",
        score=540,
        band="Confirmé",
        rated=22,
        not_applicable=0,
        total=22,
    )
    return DiagnosticCompletedV1(
        diagnostic_id=str(uuid.uuid4()),
        organisation_id=service.organisations["a"].id,
        kind=kind,
        facilitator_user_ids=facilitators,
        referential=ReferentialRef(urn="urn:coorace:referentiel:cap", code="CAP", version=1),
        completed_at=datetime(2026, 6, 3, 16, tzinfo=UTC),
        session_date=date(2026, 6, 2),
        overall=score,
        themes=[],
        criteria=[],
    )


async def deliver(service: Service, event: DiagnosticCompletedV1) -> None:
    """The audit worker's handler for ``diagnostic.completed.v1``."""
    with using(service.runtime.clock):
        async with service.runtime.db.session() as session:
            await HANDLERS["diagnostic.completed.v1"](
                session, new_event(event, source="/cap/diagnostic"), event
            )


async def test_consultancy_accompaniment_and_training_bar_auditing_audited_does_not(
    service: Service,
) -> None:
    people = await setup_body(service)
    programme = await accepted(service)
    audit_id = programme["schedule"][0]["audit_id"]
    await step(service, audit_id, service.body(), "accept")
    for kind in ("consultancy", "accompaniment", "training"):
        people[kind] = await auditor(service, f"Auditrice {kind}")
        given = await engagement(service, people[kind]["id"], kind, "2025-01-12")
        refused = await plan(service, audit_id, people, (kind, "lead"))
        assert refused.status_code == 409, refused.text
        problem = refused.json()
        assert problem["type"].endswith("/auditor-not-impartial")
        assert (
            problem["rule"]
            == "ISO/IEC 17021-1 §5.2.11 cooling-off (consultancy, accompaniment, training)"
        )
        assert problem["person"] == {
            "auditor_id": people[kind]["id"],
            "user_id": people[kind]["user_id"],
            "name": f"Auditrice {kind}",
        }
        assert problem["engagement"] == {
            "id": given["id"],
            "kind": kind,
            "on": "2025-01-12",
            "organisation_id": service.organisations["a"].id,
        }
        assert problem["barred_until"] == "2027-01-13"
    # Two years and a day before the audit: free again. Having audited bars nothing.
    people["former"] = await auditor(service, "Ancien consultant")
    await engagement(service, people["former"]["id"], "consultancy", "2025-01-10")
    await engagement(service, people["lead"]["id"], "audited", "2026-12-01")
    await engagement(service, people["lead"]["id"], "training", "2026-06-01", key="b")  # elsewhere
    planned = await plan(service, audit_id, people, ("lead", "lead"), ("former", "auditor"))
    assert planned.status_code == 200, planned.text


async def test_a_facilitator_s_accompanied_session_bars_them_as_an_auditor(
    service: Service,
) -> None:
    people = await setup_body(service)
    programme = await accepted(service)
    audit_id = programme["schedule"][0]["audit_id"]
    await step(service, audit_id, service.body(), "accept")
    facilitator = str(uuid.uuid4())
    session = session_completed(service, "cap_session", [facilitator, facilitator])
    await deliver(service, session)
    await deliver(service, session)  # a redelivery records nothing more
    await deliver(service, session_completed(service, "self_assessment", [facilitator]))

    # Registered as an auditor later, through their platform account.
    people["facilitator"] = await auditor(service, "Camille Animatrice", user_id=facilitator)
    recorded = ok(
        await service.client.get(
            f"/v1/auditors/{people['facilitator']['id']}/engagements", headers=service.admin
        )
    )["data"]
    assert [
        (e["kind"], e["on"], e["user_id"], e["auditor_id"], e["diagnostic_id"]) for e in recorded
    ] == [("accompaniment", "2026-06-02", facilitator, None, session.diagnostic_id)]
    refused = await plan(service, audit_id, people, ("lead", "lead"), ("facilitator", "expert"))
    assert refused.status_code == 409, refused.text
    assert (refused.json()["engagement"]["kind"], refused.json()["person"]["user_id"]) == (
        "accompaniment",
        facilitator,
    )


async def test_the_body_s_decision_maker_is_checked_when_registered(service: Service) -> None:
    audit_id, _people, _programme = await stage2(service)
    maker = await auditor(service, "Marie Décideuse")
    await engagement(service, maker["id"], "consultancy", "2026-01-15")
    secret = await secret_for(service)
    for decided_by in (maker["id"], maker["user_id"]):
        refused = await send(service, *signed(secret, decided(audit_id, decided_by=decided_by)))
        assert refused.status_code == 409, refused.text
        problem = refused.json()
        assert (problem["rule"].split(" (")[0], problem["person"]["auditor_id"]) == (
            "ISO/IEC 17021-1 §5.2.11 cooling-off",
            maker["id"],
        )
        assert problem["engagement"]["kind"] == "consultancy"
    ok(await send(service, *signed(secret, decided(audit_id, decided_by="Comité SGS"))))


async def test_the_same_lead_for_too_many_consecutive_cycles_when_a_limit_is_set(
    service: Service, tmp_path: Path
) -> None:
    use_parameters(service, tmp_path, "CAP_ISO9001", max_consecutive_lead_cycles=1)
    people = await setup_body(service)
    programme = await accepted(service)
    body = service.body()
    for audit_type in ("stage1", "stage2"):  # one cycle: the same lead twice is fine
        audit_id = (
            programme["schedule"][0]["audit_id"]
            if audit_type == "stage1"
            else ok(
                await service.client.post(
                    f"/v1/audit-programmes/{programme['id']}/audits",
                    json={"type": "stage2"},
                    headers=service.admin,
                ),
                201,
            )["id"]
        )
        await step(service, audit_id, body, "accept")
        assert (await plan(service, audit_id, people, ("lead", "lead"))).status_code == 200
        await step(service, audit_id, body, "start")
        await step(service, audit_id, body, "submit_report", summary="Rapport")
        await step(service, audit_id, body, "close")
    certificate = str(uuid.uuid4())
    await recognition(
        service,
        certificate,
        status="active",
        previous=None,
        effective=date(2027, 2, 1),
        expiry=date(2030, 2, 1),
        changed=datetime(2027, 2, 1, tzinfo=UTC),
    )
    await recognition(  # renewed: cycle 2
        service,
        str(uuid.uuid4()),
        status="active",
        previous=None,
        effective=date(2029, 12, 1),
        expiry=date(2033, 2, 1),
        changed=datetime(2029, 12, 1, tzinfo=UTC),
        cycle_start=date(2030, 2, 1),
    )
    surveillance = ok(
        await service.client.post(
            f"/v1/audit-programmes/{programme['id']}/audits",
            json={"type": "surveillance"},
            headers=service.admin,
        ),
        201,
    )
    assert surveillance["cycle"] == 2
    await step(service, surveillance["id"], body, "accept")
    refused = await plan(service, surveillance["id"], people, ("lead", "lead"))
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert (problem["rule"], problem["max_consecutive_lead_cycles"]) == (
        "ISO/IEC 17021-1 §5.2.3 familiarity threat (max_consecutive_lead_cycles)",
        1,
    )
    assert problem["engagement"] == {"kind": "audited", "role": "lead", "cycles": [1]}
    swapped = await plan(
        service, surveillance["id"], people, ("second", "lead"), ("lead", "auditor")
    )
    assert swapped.status_code == 200, swapped.text
