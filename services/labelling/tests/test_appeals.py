"""Appeals against decisions (ISO/IEC 17021-1 §9.7): lodged by the structure within the appeal
period, once per decision; decided by people who took no part in the decision nor the audit;
upheld, or overturned (CAP RSE: decided again by someone else; CAP ISO 9001: the refusal becomes
the certificate, majors permitting)."""

from __future__ import annotations

from datetime import timedelta

from cap_shared.contracts.audit import CertificationDecidedV1
from cap_shared.testing.conditional import as_read

from .conftest import Service, ok
from .test_decisions import GOOD, accepted, decide, events, pending_of


async def decided_file(service: Service, **body: str) -> dict:
    """A CAP RSE file decided by committee-1 (``body``: the decision)."""
    file = await accepted(service)
    report = await service.report("a", "CAP_RSE", "initial", auditors=("auditor-1",))
    await service.evaluated("a", report.audit_id, 620, GOOD)
    return ok(await decide(service, file["id"], service.committee("user:committee-1"), **body))


async def appeal(
    service: Service,
    file_id: str,
    headers: dict | None = None,
    reason: str = "Les preuves remises n'ont pas été lues",
):
    return await service.client.post(
        f"/v1/decisions/{file_id}/appeal",
        json={"reason": reason},
        headers=headers or service.member_admin(),
    )


async def decide_appeal(service: Service, file_id: str, headers: dict, **body: str):
    return await service.client.post(
        f"/v1/decisions/{file_id}/appeal/decision",
        json=body,
        headers=await as_read(service.client, f"/v1/decisions/{file_id}", headers),
    )


async def test_a_refusal_overturned_on_appeal_is_decided_again_by_someone_else(
    service: Service,
) -> None:
    file = await decided_file(service, outcome="refuse", reason="Dossier incomplet")
    lodged = await appeal(service, file["id"])
    assert lodged.status_code == 201, lodged.text
    assert (lodged.json()["decision_status"], lodged.json()["status"]) == ("refused", "lodged")
    (event,) = await events(service, "decision.appeal_lodged.v1")
    assert (event["decision_id"], event["decision_status"]) == (file["id"], "refused")
    twice = await appeal(service, file["id"], service.admin)
    assert twice.status_code == 409
    assert twice.json()["type"].endswith("/already-appealed")

    # Neither the member who refused nor the auditor decides the appeal.
    for someone in ("user:committee-1", "user:auditor-1"):
        partial = await decide_appeal(
            service, file["id"], service.committee(someone), outcome="overturned", reason="Revu"
        )
        assert partial.status_code == 409, partial.text
        assert partial.json()["type"].endswith("/conflict-of-interest")
        assert "§9.7" in partial.json()["rule"]
        assert partial.json()["person"] == someone
    overturned = ok(
        await decide_appeal(
            service,
            file["id"],
            service.committee("user:committee-2"),
            outcome="overturned",
            reason="Les preuves établissent la démarche",
        )
    )
    assert (overturned["status"], overturned["round"], overturned["decided_by"]) == (
        "pending",
        2,
        None,
    )
    assert [(a["round"], a["status"]) for a in overturned["appeals"]] == [(1, "overturned")]
    (outcome,) = await events(service, "decision.appeal_decided.v1")
    assert (outcome["outcome"], outcome["decided_by"]) == ("overturned", "user:committee-2")
    again = await decide_appeal(
        service, file["id"], service.admin, outcome="upheld", reason="Encore"
    )
    assert again.status_code == 409
    assert again.json()["type"].endswith("/no-appeal-lodged")

    # Decided again, not by the member whose decision was overturned.
    same = await decide(
        service, file["id"], service.committee("user:committee-1"), outcome="confirm"
    )
    assert same.status_code == 409
    assert same.json()["type"].endswith("/conflict-of-interest")
    granted = ok(
        await decide(service, file["id"], service.committee("user:committee-3"), outcome="confirm")
    )
    assert (granted["status"], granted["level"]) == ("granted", "Confirmé")
    # The new decision is a decision of its own: it may be appealed in turn.
    assert (await appeal(service, file["id"])).status_code == 201


async def test_appeals_come_from_the_structure_within_the_appeal_period(
    service: Service,
) -> None:
    file = await decided_file(service, outcome="confirm")
    member = service.headers({"role": "member", "organisation_id": service.organisations["a"].id})
    assert (await appeal(service, file["id"], member)).status_code == 403
    assert (await appeal(service, file["id"], service.member_admin("b"))).status_code == 404
    for reason in ("", "x" * 4001, "Refus\x00injuste"):
        assert (await appeal(service, file["id"], reason=reason)).status_code == 422
    service.runtime.clock.advance(timedelta(days=31))
    late = await appeal(service, file["id"])
    assert late.status_code == 409, late.text
    assert late.json()["type"].endswith("/appeal-period-over")
    assert (
        late.json()["deadline"] == (service.runtime.clock.today() - timedelta(days=1)).isoformat()
    )
    # Nothing decided yet: nothing to appeal.
    waiting = await accepted(service, scheme="CAP_ISO9001")
    not_yet = await appeal(service, waiting["id"])
    assert not_yet.status_code == 409
    assert not_yet.json()["type"].endswith("/not-appealable")


async def test_an_appealed_level_upheld_or_redecided(service: Service) -> None:
    """A granted level appealed: upheld, the decision stands and cannot be appealed again;
    overturned, the recognition in force takes the new decision's level."""
    file = await decided_file(
        service, outcome="confirm", level="Progression", reason="Plan d'action à déployer"
    )
    ok(await appeal(service, file["id"], reason="Le niveau Confirmé est atteint"), 201)
    upheld = ok(
        await decide_appeal(
            service, file["id"], service.admin, outcome="upheld", reason="Le comité maintient"
        )
    )
    assert (upheld["status"], upheld["level"], upheld["appeals"][0]["status"]) == (
        "granted",
        "Progression",
        "upheld",
    )
    assert (await appeal(service, file["id"])).status_code == 409

    other = ok(
        await decide(
            service,
            (await pending_of(service, "b"))["id"],
            service.committee("user:committee-1"),
            outcome="confirm",
            level="Progression",
            reason="Prudence",
        )
    )
    ok(await appeal(service, other["id"], service.member_admin("b")), 201)
    ok(
        await decide_appeal(
            service, other["id"], service.admin, outcome="overturned", reason="Niveau sous-évalué"
        )
    )
    redecided = ok(
        await decide(service, other["id"], service.committee("user:committee-3"), outcome="confirm")
    )
    assert (redecided["level"], redecided["recognition_id"]) == (
        "Confirmé",
        other["recognition_id"],
    )
    recognition = ok(
        await service.client.get(
            f"/v1/recognitions/{other['recognition_id']}", headers=service.admin
        )
    )
    assert recognition["level"] == "Confirmé"
    assert [h["reason_code"] for h in recognition["history"]] == ["granted", "redecided"]


async def test_an_iso_refusal_overturned_on_appeal_grants_the_certificate(
    service: Service,
) -> None:
    file = await accepted(service, scheme="CAP_ISO9001")
    report = await service.report("a", "CAP_ISO9001", "stage2", auditors=("auditor-7",))
    await service.deliver(
        CertificationDecidedV1(
            audit_id=report.audit_id,
            organisation_id=report.organisation_id,
            audit_type="stage2",
            certification_body_id="sgs-tuv",
            outcome="refused",
            decided_on=service.runtime.clock.today(),
            decided_by="Comité de certification SGS",
            reason="Revue de direction non tenue",
        )
    )
    ok(await appeal(service, file["id"], reason="La revue de direction a eu lieu (PV joint)"), 201)
    body = {"outcome": "overturned", "reason": "Le procès-verbal établit la revue"}
    # The committee does not decide on the body's decisions; another body cannot see the file;
    # a system without certifications:write may not; the stage 2 auditor may not.
    assert (
        await decide_appeal(service, file["id"], service.committee(), **body)
    ).status_code == 403
    assert (
        await decide_appeal(service, file["id"], service.body("bureau-veritas"), **body)
    ).status_code == 404
    assert (
        await decide_appeal(service, file["id"], service.body(scope="audits:read"), **body)
    ).status_code == 403
    auditor_admin = service.issuer.token(
        roles=[{"role": "admin"}], audience="urn:cap:labelling", subject="user:auditor-7"
    )
    partial = await decide_appeal(
        service, file["id"], {"Authorization": f"Bearer {auditor_admin}"}, **body
    )
    assert partial.status_code == 409
    missing = await decide_appeal(service, file["id"], service.body(), **body)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "body.certificate_number"
    granted = ok(
        await decide_appeal(
            service, file["id"], service.body(), **body, certificate_number="FR26/9100"
        )
    )
    assert granted["status"] == "granted"
    (certificate,) = ok(await service.client.get("/v1/recognitions", headers=service.admin))["data"]
    assert (certificate["external_number"], certificate["status"]) == ("FR26/9100", "active")
    # A grant is not appealed on the ISO side.
    assert (await appeal(service, file["id"])).status_code == 409
