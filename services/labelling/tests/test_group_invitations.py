"""Issue 15 item 1: a structure joins another's group application only by its own consent, and
nothing of it reaches the applicant before; after, the group sees what the group's decision
rests on, never a member's scores nor its individual files."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from cap_labelling.repository import DiagnosticRepository
from cap_shared.contracts.audit import CertificationDecidedV1
from cap_shared.testing.conditional import if_match

from .conftest import Service, ok
from .test_decisions import GOOD, events


async def diagnosed(service: Service, *keys: str) -> dict[str, str]:
    """A completed CAP diagnostic for each structure: its diagnostic id, by key."""
    ids = {}
    for key in keys:
        await service.completed(key, service.runtime.clock.now() - timedelta(days=10), score=777)
        async with service.runtime.db.session() as session:
            latest = await DiagnosticRepository(session).latest_cap(service.organisations[key].id)
        assert latest is not None
        ids[key] = latest.diagnostic_id
    return ids


async def group_of_b(service: Service, *members: str, scheme: str = "CAP_RSE") -> dict[str, Any]:
    """Structure b applies as a group's central function, naming ``members``."""
    return dict(
        ok(
            await service.client.post(
                "/v1/applications",
                json={
                    "organisation_id": service.organisations["b"].id,
                    "group_member_ids": [service.organisations[k].id for k in members],
                    "scheme": scheme,
                    "certification_body_id": "sgs-tuv",
                    "motivation": "Groupement d'employeurs",
                },
                headers=service.member_admin("b"),
            ),
            201,
        )
    )


async def invitation_of(service: Service, key: str, application_id: str) -> dict[str, Any]:
    mine = ok(await service.client.get("/v1/group-invitations", headers=service.member_admin(key)))[
        "data"
    ]
    (invitation,) = [i for i in mine if i["application_id"] == application_id]
    return dict(invitation)


async def test_naming_a_member_shows_nothing_of_it_and_enrols_nobody(service: Service) -> None:
    diagnostics = await diagnosed(service, "a", "b")
    a, b = service.organisations["a"].id, service.organisations["b"].id
    answer = await service.client.post(
        "/v1/applications",
        json={
            "organisation_id": b,
            "group_member_ids": [a],
            "scheme": "CAP_RSE",
            "certification_body_id": "sgs-tuv",
        },
        headers=service.member_admin("b"),
    )
    assert answer.status_code == 201, answer.text
    application = answer.json()
    # Not A's diagnostic, completion date or score; A is invited, not enrolled.
    assert diagnostics["a"] not in answer.text
    assert set(application["eligibility"]) == {b}
    assert application["group_member_ids"] == []
    assert application["status"] == "awaiting_consent"
    assert [(i["organisation_id"], i["status"]) for i in application["invitations"]] == [
        (a, "pending")
    ]
    listed = await service.client.get("/v1/applications", headers=service.member_admin("b"))
    assert diagnostics["a"] not in listed.text
    # The federation cannot take it up before A answered; nothing opens.
    early = await service.client.post(
        f"/v1/applications/{application['id']}/transitions",
        json={"step": "accept"},
        headers=service.admin,
    )
    assert early.status_code == 409
    assert early.json()["type"].endswith("/consent-pending")
    assert ok(await service.client.get("/v1/decisions", headers=service.admin))["data"] == []
    assert await events(service, "labelling.application.accepted.v1") == []
    # A is told; B's application is not A's to read until it accepts.
    (sent,) = await events(service, "labelling.group_invitation.sent.v1")
    assert (sent["organisation_id"], sent["applicant_organisation_id"]) == (a, b)
    assert sent["applicant_name"] == "Structure b"
    hidden = await service.client.get(
        f"/v1/applications/{application['id']}", headers=service.member_admin("a")
    )
    assert hidden.status_code == 404


async def test_the_invited_structure_alone_answers_and_then_joins(service: Service) -> None:
    diagnostics = await diagnosed(service, "a", "b")
    a, b = service.organisations["a"].id, service.organisations["b"].id
    application = await group_of_b(service, "a")
    invitation = await invitation_of(service, "a", application["id"])
    assert invitation["applicant_name"] == "Structure b"
    assert invitation["motivation"] == "Groupement d'employeurs"
    url = f"/v1/group-invitations/{invitation['id']}"
    member_a = service.headers({"role": "member", "organisation_id": a})
    assert ok(await service.client.get(url, headers=member_a))["status"] == "pending"
    # The applicant follows answers on its application, not through A's invitations.
    assert (
        ok(await service.client.get("/v1/group-invitations", headers=service.member_admin("b")))[
            "data"
        ]
        == []
    )
    assert (await service.client.get(url, headers=service.member_admin("b"))).status_code == 404
    for who, status in ((service.member_admin("b"), 404), (member_a, 403)):
        refused = await service.client.post(f"{url}/acceptance", headers=who)
        assert refused.status_code == status, refused.text
    accepted = ok(await service.client.post(f"{url}/acceptance", headers=service.member_admin("a")))
    assert accepted["status"] == "accepted"
    again = await service.client.post(f"{url}/refusal", headers=service.member_admin("a"))
    assert again.status_code == 409

    seen_by_b = ok(
        await service.client.get(
            f"/v1/applications/{application['id']}", headers=service.member_admin("b")
        )
    )
    assert (seen_by_b["status"], seen_by_b["group_member_ids"]) == ("submitted", [a])
    # Its membership, not its diagnostic: eligibility stays each structure's own.
    assert set(seen_by_b["eligibility"]) == {b}
    assert seen_by_b["invitations"][0]["status"] == "accepted"
    seen_by_a = ok(
        await service.client.get(
            f"/v1/applications/{application['id']}", headers=service.member_admin("a")
        )
    )
    assert set(seen_by_a["eligibility"]) == {a}
    assert diagnostics["b"] not in str(seen_by_a)
    assert seen_by_a["invitations"] == []  # the applicant's business
    federation = ok(
        await service.client.get(f"/v1/applications/{application['id']}", headers=service.admin)
    )
    assert federation["eligibility"][a]["diagnostic_id"] == diagnostics["a"]

    ok(
        await service.client.post(
            f"/v1/applications/{application['id']}/transitions",
            json={"step": "accept"},
            headers=service.admin,
        )
    )
    (accepted_event,) = await events(service, "labelling.application.accepted.v1")
    assert accepted_event["group_member_ids"] == [a]


async def test_members_that_decline_or_are_not_eligible_stay_out(service: Service) -> None:
    await diagnosed(service, "a", "b")  # c has no diagnostic
    a, c = service.organisations["a"].id, service.organisations["c"].id
    application = await group_of_b(service, "a", "c")
    c_invitation = await invitation_of(service, "c", application["id"])
    url = f"/v1/group-invitations/{c_invitation['id']}"
    not_eligible = await service.client.post(f"{url}/acceptance", headers=service.member_admin("c"))
    assert not_eligible.status_code == 422
    assert not_eligible.json()["organisations"] == [c]
    ok(await service.client.post(f"{url}/refusal", headers=service.member_admin("c")))
    still = ok(
        await service.client.get(f"/v1/applications/{application['id']}", headers=service.admin)
    )
    assert (still["status"], still["group_member_ids"]) == ("awaiting_consent", [])
    now = await service.consent(application, "a")
    assert (now["status"], now["group_member_ids"]) == ("submitted", [a])
    assert {i["organisation_id"]: i["status"] for i in now["invitations"]} == {
        a: "accepted",
        c: "declined",
    }
    # Declined: c never reads the application.
    hidden = await service.client.get(
        f"/v1/applications/{application['id']}", headers=service.member_admin("c")
    )
    assert hidden.status_code == 404


async def test_withdrawing_cancels_the_invitations_not_answered(service: Service) -> None:
    await diagnosed(service, "a", "b")
    application = await group_of_b(service, "a")
    ok(
        await service.client.post(
            f"/v1/applications/{application['id']}/transitions",
            json={"step": "withdraw"},
            headers=service.member_admin("b"),
        )
    )
    invitation = await invitation_of(service, "a", application["id"])
    assert invitation["status"] == "cancelled"
    late = await service.client.post(
        f"/v1/group-invitations/{invitation['id']}/acceptance", headers=service.member_admin("a")
    )
    assert late.status_code == 409
    pending = ok(
        await service.client.get(
            "/v1/group-invitations?status=pending", headers=service.member_admin("a")
        )
    )["data"]
    assert pending == []


async def test_a_group_file_shows_each_member_its_result_not_its_scores(service: Service) -> None:
    await diagnosed(service, "a", "b")
    a, b = service.organisations["a"].id, service.organisations["b"].id
    application = await service.consent(await group_of_b(service, "a"), "a")
    ok(
        await service.client.post(
            f"/v1/applications/{application['id']}/transitions",
            json={"step": "accept"},
            headers=service.admin,
        )
    )
    report = await service.report("b", "CAP_RSE", "initial", site_ids=("a",))
    for key in ("a", "b"):
        await service.evaluated(key, report.audit_id, 620, GOOD)
    (file,) = ok(await service.client.get("/v1/decisions", headers=service.member_admin("b")))[
        "data"
    ]
    shown_to_b = file["evaluation"]["members"]
    assert shown_to_b[a]["level"] == "Confirmé"
    assert set(shown_to_b[a]) <= {
        "level",
        "open_major_nc",
        "pending",
        "missing",
        "audit_id",
        "rule",
    }
    assert "overall_score" in shown_to_b[b]
    assert "reasons" in shown_to_b[b]
    shown_to_a = ok(
        await service.client.get(f"/v1/decisions/{file['id']}", headers=service.member_admin("a"))
    )["evaluation"]["members"]
    assert "overall_score" in shown_to_a[a]
    assert "overall_score" not in shown_to_a[b]
    committee = ok(
        await service.client.get(f"/v1/decisions/{file['id']}", headers=service.committee())
    )
    assert committee["evaluation"]["members"][a]["overall_score"] == 620
    granted = await service.client.post(
        f"/v1/decisions/{file['id']}/decide",
        json={"outcome": "confirm"},
        headers=await if_match(service.client, f"/v1/decisions/{file['id']}", service.committee()),
    )
    assert granted.status_code == 200, granted.text
    decided = ok(
        await service.client.get(f"/v1/decisions/{file['id']}", headers=service.member_admin("b"))
    )
    assert "overall_score" not in decided["evaluation"]["members"][a]


async def test_a_members_own_decisions_stay_its_own(service: Service) -> None:
    """A consented to b's group: b still never reads A's individual file nor its reasons."""
    await diagnosed(service, "a", "b")
    await service.consent(await group_of_b(service, "a"), "a")
    alone = ok(
        await service.client.post(
            "/v1/applications",
            json={
                "organisation_id": service.organisations["a"].id,
                "scheme": "CAP_ISO9001",
                "certification_body_id": "sgs-tuv",
            },
            headers=service.member_admin("a"),
        ),
        201,
    )
    ok(
        await service.client.post(
            f"/v1/applications/{alone['id']}/transitions",
            json={"step": "accept"},
            headers=service.admin,
        )
    )
    await service.deliver(
        CertificationDecidedV1(
            audit_id=str(uuid.uuid4()),
            organisation_id=service.organisations["a"].id,
            audit_type="stage2",
            certification_body_id="sgs-tuv",
            outcome="refused",
            decided_on=service.runtime.clock.today(),
            decided_by="Comité",
            reason="Raison confidentielle du refus",
        )
    )
    (file,) = [
        f
        for f in ok(await service.client.get("/v1/decisions", headers=service.admin))["data"]
        if f["application_id"] == alone["id"]
    ]
    for path in ("/v1/decisions", "/v1/applications", "/v1/recognitions"):
        listed = await service.client.get(path, headers=service.member_admin("b"))
        assert listed.status_code == 200
        assert "Raison confidentielle" not in listed.text
        assert alone["id"] not in listed.text
    assert (
        await service.client.get(f"/v1/decisions/{file['id']}", headers=service.member_admin("b"))
    ).status_code == 404
