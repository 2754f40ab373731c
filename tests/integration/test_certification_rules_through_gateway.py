"""The certification rules the journeys do not exercise, through the gateway, in both
topologies (docs/certification-rules.md), one test each: level rules as data, an ISO scope
reduction, finding appeals, a minor escalating at the next audit, group sampling, committee
impartiality (a declared consultancy, a facilitator's accompanied CAP session), the committee's
refusal told to the structure with its last day to appeal and appealed, and, on the services'
clocks (moved through the operator routes), an answered major not verified in time suspending
the certificate and majors not verified within six months requiring a new stage 2.

People sign in through the gateway; a certification body's system calls it with its API
client's token. Where the side producing an event is not what a test is about (a completed CAP
diagnostic for eligibility, the auditor's CAP RSE evaluation, the body's ISO decision), the test
hands that event to the consuming service's handler, as the worker would; everything after it
crosses the platform as in production (the broker in the distributed topology).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from pypdf import PdfReader
from standardwebhooks.webhooks import Webhook

from cap_labelling.events.handlers import HANDLERS
from cap_shared.clock import using, wall_now
from cap_shared.contracts import new_event, schemes
from cap_shared.contracts.audit import AuditReportSubmittedV1, CertificationDecidedV1
from cap_shared.contracts.diagnostic import DiagnosticCompletedV1, ReferentialRef
from cap_shared.contracts.registry import EventModel
from cap_shared.dates import add_months
from cap_shared.testing.auth import create_user, register_organisation, sign_in
from cap_shared.testing.conditional import as_read
from cap_shared.testing.events import group_score, rse_evaluation
from cap_standalone.testing import Topology

from ..journeys.steps import PASSWORD, eventually, ok

BODY = "sgs-tuv"
#: The scheme parameters, the one source the services read (the packaged files, or those of
#: ``CAP_SCHEME_PARAMETERS_DIR`` as for the platform).
PARAMETERS = schemes.load(
    Path(folder) if (folder := os.environ.get("CAP_SCHEME_PARAMETERS_DIR")) else None
)
ISO, RSE = PARAMETERS["CAP_ISO9001"], PARAMETERS["CAP_RSE"]
DECLARATION = "Je déclare n'avoir apporté à cette structure ni conseil, ni formation."
ANSWER = {
    "root_cause": "Aucun responsable désigné.",
    "correction": "Responsable désigné, registre repris.",
    "corrective_action": "Revue mensuelle en comité de direction.",
}
RULES = "/v1/level-rules/CAP_RSE/versions"
#: The title of the notice of a minor escalated to major.
ESCALATED = "Non-conformité mineure requalifiée en majeure"
#: An application refused while the structures and their diagnostics are on their way.
WAITING = {"not-found", "not-eligible", "unknown-group-member"}


# what the other side produces -----------------------------------------------------------------
async def deliver(topology: Topology, event: EventModel) -> None:
    """Hand ``event`` to the labelling service's handler, on its clock, as its worker would —
    once the organisation has reached it (it comes by event too)."""
    runtime = topology.runtimes["labelling"]
    envelope = new_event(event, source="/cap/test")
    envelope = envelope.model_copy(update={"time": runtime.clock.now()})
    failure: Exception | None = None
    for _ in range(300):
        try:
            with using(runtime.clock):
                async with runtime.db.session() as session:
                    await HANDLERS[envelope.type](session, envelope, event)
            return
        except Exception as error:  # the organisation has not reached the labelling service yet
            failure = error
            await asyncio.sleep(0.05)
    raise AssertionError(f"{envelope.type}: the labelling service never took it") from failure


def cap_completed(topology: Topology, organisation_id: str) -> DiagnosticCompletedV1:
    """A completed CAP self-assessment (what makes a structure eligible to apply)."""
    return DiagnosticCompletedV1(
        diagnostic_id=str(uuid.uuid4()),
        organisation_id=organisation_id,
        kind="self_assessment",
        referential=ReferentialRef(urn="urn:coorace:referentiel:cap", code="CAP", version=1),
        completed_at=topology.runtimes["labelling"].clock.now(),
        overall=group_score("overall", "CAP", 600),
        themes=[],
        criteria=[],
    )


async def rse_file(topology: Topology, organisation_id: str) -> dict[str, Any]:
    """A CAP RSE file pending before the committee: the auditor's evaluation (Confirmé by the
    rule) and the initial evaluation's report, as the diagnostic and audit services publish
    them; the file as the committee sees it."""
    audit_id = str(uuid.uuid4())
    now = topology.runtimes["labelling"].clock.now()
    await deliver(
        topology,
        rse_evaluation(organisation_id, 620, 450, completed_at=now).model_copy(
            update={"kind": "audit_evaluation", "audit_id": audit_id}
        ),
    )
    await deliver(
        topology,
        AuditReportSubmittedV1(
            audit_id=audit_id,
            organisation_id=organisation_id,
            scheme="CAP_RSE",
            audit_type="initial",
            submitted_at=now,
            certification_body_id=BODY,
            auditor_user_ids=["user:auditrice"],
        ),
    )
    files = ok(await topology.client.get("/v1/decisions?status=pending", headers=topology.admin))[
        "data"
    ]
    (file,) = [f for f in files if f["organisation_id"] == organisation_id]
    assert (file["scheme"], file["computed_level"]) == ("CAP_RSE", "Confirmé"), file
    return dict(file)


# people and systems ---------------------------------------------------------------------------
async def user_id(topology: Topology, headers: dict[str, str]) -> str:
    """The account id of someone signed in."""
    return str(ok(await topology.client.get("/v1/me", headers=headers))["id"])


async def known_to_notifications(topology: Topology, headers: dict[str, str]) -> None:
    """Wait until the person reached the notifications service (their preferences exist)."""

    async def known() -> bool:
        answer = await topology.client.get("/v1/preferences", headers=headers)
        return answer.status_code == 200

    await eventually(known, what="the person known to the notifications service")


async def feed(topology: Topology, headers: dict[str, str], event_type: str) -> list[dict]:
    """Someone's in-app notices of one event type."""
    page = ok(await topology.client.get("/v1/notifications?limit=100", headers=headers))
    return [n for n in page["data"] if n["event_type"] == event_type]


async def body_system(topology: Topology, *scopes: str) -> dict[str, str]:
    """The body's system: an API client acting as the body, signed in with its credentials."""
    client = ok(
        await topology.client.post(
            "/v1/api-clients",
            json={
                "name": "SGS TÜV — système d'audit",
                "certification_body_id": BODY,
                "scopes": list(scopes),
            },
            headers=topology.admin,
        ),
        201,
    )
    token = ok(
        await topology.client.post(
            "/v1/auth/token",
            data={"grant_type": "client_credentials"},
            auth=(client["client_id"], client["client_secret"]),
        )
    )
    return {"Authorization": f"Bearer {token['access_token']}"}


@dataclass
class Body:
    """The certification body, its lead auditor and its system's ``Authorization`` header."""

    system: dict[str, str]
    lead: dict[str, str]

    def plan(self, on: date, **extra: Any) -> dict[str, Any]:
        """A one-day audit plan led by the body's lead auditor."""
        return {
            "start_date": on.isoformat(),
            "end_date": on.isoformat(),
            "plan": "Revue de direction, processus, indicateurs.",
            "team": [self.lead],
            **extra,
        }


async def certification_body(topology: Topology, *, lead_user_id: str | None = None) -> Body:
    """The administrator registers the body and its lead auditor (the platform account
    ``lead_user_id``, if any); the body's system signs in."""
    client, admin = topology.client, topology.admin
    today = await topology.today("audit")
    ok(
        await client.post(
            "/v1/certification-bodies",
            json={
                "id": BODY,
                "name": "SGS TÜV Saar",
                "accreditation": "COFRAC 4-0608",
                "schemes": ["CAP_ISO9001", "CAP_RSE"],
            },
            headers=admin,
        ),
        201,
    )
    auditor = ok(
        await client.post(
            "/v1/auditors",
            json={
                "certification_body_id": BODY,
                "name": "Claire Auditrice",
                "user_id": lead_user_id or str(uuid.uuid4()),
                "qualifications": [
                    {
                        "scheme": "CAP_ISO9001",
                        "valid_from": (today - timedelta(days=365)).isoformat(),
                        "valid_until": (today + timedelta(days=3 * 365)).isoformat(),
                    }
                ],
            },
            headers=admin,
        ),
        201,
    )
    system = await body_system(topology, "audits:read", "audits:write", "certifications:write")
    lead = {"auditor_id": auditor["id"], "role": "lead", "declaration": DECLARATION}
    return Body(system=system, lead=lead)


@dataclass
class Structure:
    """A structure with its member_admin, and its ISO programme once its application is
    accepted."""

    id: str
    member_admin: dict[str, str]
    programme: dict[str, Any]
    member_ids: list[str]


async def iso_programme(topology: Topology, *, n: int, members: int = 0) -> Structure:
    """A structure (a group's central function with ``members`` member structures) completes
    its CAP diagnostic, applies for CAP ISO 9001 with the body through its member_admin, each
    member's member_admin accepts its invitation, the administrator accepts: the audit programme
    it opens (stage 1 requested)."""
    client, admin = topology.client, topology.admin
    organisation_id = await register_organisation(client, admin, n=n, region="76")
    member_ids = [
        await register_organisation(client, admin, n=n + 1 + i, region="76") for i in range(members)
    ]
    member_admin = await create_user(
        client, admin, role="member_admin", organisation_id=organisation_id
    )
    for structure in (organisation_id, *member_ids):
        await deliver(topology, cap_completed(topology, structure))
    application_in = {
        "organisation_id": organisation_id,
        "group_member_ids": member_ids,
        "scheme": "CAP_ISO9001",
        "certification_body_id": BODY,
    }

    async def applied() -> dict[str, Any] | None:
        answer = await client.post("/v1/applications", json=application_in, headers=member_admin)
        if answer.status_code in (404, 422):  # the structures have not reached labelling yet
            assert answer.json()["type"].split("/")[-1] in WAITING, answer.text
            return None
        return dict(ok(answer, 201))

    application = await eventually(applied, what="the application submitted")
    # Each member joins the group by its own member_admin's consent.
    for member_id in member_ids:
        member_admin_of = await create_user(
            client, admin, role="member_admin", organisation_id=member_id
        )
        (invitation,) = ok(
            await client.get("/v1/group-invitations?status=pending", headers=member_admin_of)
        )["data"]
        assert invitation["application_id"] == application["id"]
        url = f"/v1/group-invitations/{invitation['id']}/acceptance"

        async def joined(url: str = url, headers: dict[str, str] = member_admin_of) -> Any:
            answer = await client.post(url, headers=headers)
            if answer.status_code == 422:  # its diagnostic has not reached labelling yet
                assert answer.json()["type"].split("/")[-1] in WAITING, answer.text
                return None
            return ok(answer)

        await eventually(joined, what="the member joined the group")
    ok(
        await client.post(
            f"/v1/applications/{application['id']}/transitions",
            json={"step": "accept"},
            headers=admin,
        )
    )

    async def programmes() -> list[dict[str, Any]]:
        return list(ok(await client.get("/v1/audit-programmes", headers=member_admin))["data"])

    (programme,) = await eventually(programmes, what="the audit programme opened")
    assert programme["application_id"] == application["id"]
    return Structure(organisation_id, member_admin, programme, member_ids)


async def step(
    topology: Topology, headers: dict[str, str], audit_id: str, name: str, **extra: Any
) -> dict[str, Any]:
    """One step of an audit (accept, start, submit_report, close): the audit then."""
    return ok(
        await topology.client.post(
            f"/v1/audits/{audit_id}/transitions", json={"step": name, **extra}, headers=headers
        )
    )


async def run_audit(
    topology: Topology, body: Body, audit_id: str, findings: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The body's system accepts, plans (today, its lead), starts the audit, records
    ``findings`` and submits the report: the findings as recorded."""
    client, system = topology.client, body.system
    today = await topology.today("audit")
    await step(topology, system, audit_id, "accept")
    ok(
        await client.put(
            f"/v1/audits/{audit_id}/plan",
            json=body.plan(today),
            headers=await as_read(client, f"/v1/audits/{audit_id}", system),
        )
    )
    await step(topology, system, audit_id, "start")
    recorded = [
        ok(await client.post(f"/v1/audits/{audit_id}/findings", json=f, headers=system), 201)
        for f in findings
    ]
    reported = await step(topology, system, audit_id, "submit_report", summary="Rapport d'audit.")
    assert reported["status"] == "report_submitted", reported
    return recorded


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The RFC 9457 problem of an answer that must have ``status`` and type ``code``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    assert body["type"].endswith(f"/{code}"), body
    return body


# 1. Level rules as data ---------------------------------------------------------------------
async def test_level_rules_are_exported_and_imported_as_data(topology: Topology) -> None:
    client, admin = topology.client, topology.admin
    committee = await create_user(client, admin, role="committee")

    (shipped,) = ok(await client.get("/v1/level-rules", headers=committee))["data"]
    assert (
        shipped["referential_code"],
        shipped["referential_version"],
        shipped["revision"],
        shipped["source"],
        shipped["label_from"],
    ) == ("CAP_RSE", 1, 1, "shipped", "Progression")
    exported = await client.get(f"{RULES}/1", headers=committee)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("application/yaml")
    assert exported.headers["x-rule-revision"] == "1"
    as_json = await client.get(f"{RULES}/1?format=json", headers=committee)
    assert as_json.headers["content-type"].startswith("application/json")
    rule = yaml.safe_load(exported.text)
    assert json.loads(as_json.text) == rule
    assert (rule["label_from"], rule["core_criteria"]["minimum_level"]) == ("Progression", 1)

    # Imported back as exported, YAML or JSON: the same rule, the same revision.
    for content, media_type in (
        (exported.content, "application/yaml"),
        (as_json.content, "application/json"),
    ):
        again = await client.put(
            f"{RULES}/1", content=content, headers={**admin, "Content-Type": media_type}
        )
        assert (again.status_code, again.json()["revision"]) == (200, 1), again.text

    # Anonymous and non-admin callers may not import.
    anonymous = await client.put(
        f"{RULES}/1", content=exported.content, headers={"Content-Type": "application/yaml"}
    )
    assert anonymous.status_code == 401, anonymous.text
    not_admin = await client.put(
        f"{RULES}/1",
        content=exported.content,
        headers={**committee, "Content-Type": "application/yaml"},
    )
    assert not_admin.status_code == 403, not_admin.text

    # A changed rule is the version's next revision.
    rule["levels"][3]["core_subject_minimum"] = 550
    changed = await client.put(
        f"{RULES}/1",
        content=yaml.safe_dump(rule, allow_unicode=True),
        headers={**admin, "Content-Type": "application/yaml"},
    )
    assert changed.status_code == 201, changed.text
    assert (changed.json()["revision"], changed.json()["source"]) == (2, "import")
    current = await client.get(f"{RULES}/1", headers=committee)
    assert current.headers["x-rule-revision"] == "2"
    assert yaml.safe_load(current.text)["levels"][3]["core_subject_minimum"] == 550

    # An invalid one is refused, naming the field; nothing is stored.
    invalid = dict(rule, label_from="Platine")
    refused = await client.put(
        f"{RULES}/1",
        content=json.dumps(invalid),
        headers={**admin, "Content-Type": "application/json"},
    )
    body = problem(refused, 422, "level-rule-invalid")
    assert [e["field"] for e in body["errors"]] == ["body.label_from"], body
    (listed,) = ok(await client.get("/v1/level-rules", headers=committee))["data"]
    assert (listed["revision"], listed["source"]) == (2, "import")


# 2. ISO scope reduction -----------------------------------------------------------------------
async def test_an_iso_scope_reduction_reissues_the_certificate_in_the_registry(
    topology: Topology,
) -> None:
    client, admin = topology.client, topology.admin
    organisation_id = await register_organisation(client, admin, n=921, region="76")
    member_admin = await create_user(
        client, admin, role="member_admin", organisation_id=organisation_id
    )
    system = await body_system(topology, "certifications:write")
    await known_to_notifications(topology, member_admin)
    # The body's grant on a stage 2 without nonconformity, as the audit service publishes it.
    granted_on = await topology.today("labelling")
    audit_id = str(uuid.uuid4())
    await deliver(
        topology,
        AuditReportSubmittedV1(
            audit_id=audit_id,
            organisation_id=organisation_id,
            scheme="CAP_ISO9001",
            audit_type="stage2",
            submitted_at=topology.runtimes["labelling"].clock.now(),
            certification_body_id=BODY,
            auditor_user_ids=["user:auditrice"],
        ),
    )
    scope = "Insertion par l'activité économique : espaces verts, second œuvre"
    await deliver(
        topology,
        CertificationDecidedV1(
            audit_id=audit_id,
            organisation_id=organisation_id,
            audit_type="stage2",
            certification_body_id=BODY,
            outcome="granted",
            decided_on=granted_on,
            decided_by="Comité de certification SGS",
            certificate_number="SGS-FR-5001",
            scope=scope,
        ),
    )
    (certificate,) = ok(
        await client.get(f"/v1/recognitions?organisation_id={organisation_id}", headers=admin)
    )["data"]
    number = certificate["number"]
    assert (certificate["status"], certificate["scope"]) == ("active", scope)
    public = f"/v1/registry/recognitions/{number}"
    assert ok(await client.get(public))["scope"] == scope

    # Forty days later the body reduces the scope instead of suspending the certificate.
    await topology.shift_clock("labelling", timedelta(days=40))
    reduced_on = await topology.today("labelling")
    reduced_scope = "Insertion par l'activité économique : espaces verts"
    url = f"/v1/recognitions/{certificate['id']}/scope-reductions"
    body = {"scope": reduced_scope, "reason": "Activité second œuvre arrêtée"}
    assert (await client.post(url, json=body, headers=member_admin)).status_code == 403
    reduced = ok(await client.post(url, json=body, headers=system))
    assert (
        reduced["status"],
        reduced["scope"],
        reduced["issued_on"],
        reduced["number"],
        reduced["verification_code"],
        [h["reason_code"] for h in reduced["history"]],
    ) == (
        "active",
        reduced_scope,
        reduced_on.isoformat(),
        number,
        certificate["verification_code"],
        ["granted", "scope_reduced"],
    )

    # Anyone sees the reduced scope and the history in the registry, without the private note.
    fresh = {"Cache-Control": "no-cache"}  # the gateway keeps public answers for a minute
    shown = ok(await client.get(public, headers=fresh))
    assert (
        shown["status"],
        shown["scope"],
        shown["issued_on"],
        [h["reason_code"] for h in shown["history"]],
    ) == ("active", reduced_scope, reduced_on.isoformat(), ["granted", "scope_reduced"])
    assert "second œuvre arrêtée" not in json.dumps(shown, ensure_ascii=False)
    by_code = ok(await client.get(f"/v1/registry/verify/{certificate['verification_code']}"))
    assert by_code["scope"] == reduced_scope

    # The certificate is reissued: the reduced scope, the new issue date.
    pdf = await client.get(f"{public}/certificate.pdf", headers=fresh)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = " ".join(text.split())
    assert number in flat
    assert reduced_scope in flat, flat
    assert "second œuvre" not in flat
    assert f"Réémis le {reduced_on.strftime('%d/%m/%Y')}" in flat, flat

    # The structure is told, with the scope now certified.
    async def told() -> list[dict[str, Any]]:
        notices = await feed(topology, member_admin, "recognition.status_changed.v1")
        return [n for n in notices if "périmètre réduit" in n["title"]]

    (notice,) = await eventually(told, what="the scope reduction told to the structure")
    assert reduced_scope in notice["body"], notice


# 3. Finding appeals ---------------------------------------------------------------------------
async def test_a_finding_appeal_is_decided_by_someone_outside_the_audit(
    topology: Topology,
) -> None:
    client, admin = topology.client, topology.admin
    # The lead auditor is also one of the platform's administrators.
    auditor_admin = await create_user(client, admin, role="admin")
    body = await certification_body(topology, lead_user_id=await user_id(topology, auditor_admin))
    structure = await iso_programme(topology, n=931)
    stage1 = structure.programme["schedule"][0]["audit_id"]
    findings = await run_audit(
        topology,
        body,
        stage1,
        [
            {"type": "major_nc", "title": "Revue de direction absente", "clause": "9.3"},
            {"type": "major_nc", "title": "Audit interne non réalisé", "clause": "9.2"},
            {"type": "major_nc", "title": "Compétences non évaluées", "clause": "7.2"},
            {"type": "major_nc", "title": "Fournisseurs non évalués", "clause": "8.4"},
        ],
    )
    reported_on = await topology.today("audit")
    upheld, overturned, downgraded, late = (f["id"] for f in findings)

    # The structure's member_admin appeals each within the period; a second appeal is 409.
    for finding_id in (upheld, overturned, downgraded):
        lodged = ok(
            await client.post(
                f"/v1/findings/{finding_id}/appeal",
                json={"reason": "Le constat ne tient pas : preuves jointes."},
                headers=structure.member_admin,
            ),
            201,
        )
        assert (lodged["status"], lodged["appeal"]["outcome"], lodged["appeal_deadline"]) == (
            "appealed",
            None,
            (reported_on + timedelta(days=ISO.appeal_days)).isoformat(),
        )
    twice = await client.post(
        f"/v1/findings/{upheld}/appeal",
        json={"reason": "Encore une fois."},
        headers=structure.member_admin,
    )
    problem(twice, 409, "already-appealed")

    # The audit's lead may not decide it, even as an administrator: the rule is named.
    partial = await client.post(
        f"/v1/findings/{upheld}/appeal/decision",
        json={"outcome": "overturned", "reason": "Constat infondé."},
        headers=auditor_admin,
    )
    refused = problem(partial, 409, "appeal-decider-not-impartial")
    assert refused["rule"].startswith("ISO/IEC 17021-1 §9.7"), refused

    # The body's system and an administrator outside the audit decide; each outcome shows.
    async def decide(finding_id: str, outcome: str, headers: dict[str, str]) -> dict[str, Any]:
        ok(
            await client.post(
                f"/v1/findings/{finding_id}/appeal/decision",
                json={"outcome": outcome, "reason": f"Appel examiné : {outcome}."},
                headers=headers,
            )
        )
        return dict(
            ok(await client.get(f"/v1/findings/{finding_id}", headers=structure.member_admin))
        )

    kept = await decide(upheld, "upheld", body.system)
    assert (kept["type"], kept["status"], kept["appeal"]["outcome"]) == (
        "major_nc",
        "open",
        "upheld",
    )
    withdrawn = await decide(overturned, "overturned", admin)
    assert (withdrawn["type"], withdrawn["status"], withdrawn["appeal"]["outcome"]) == (
        "major_nc",
        "withdrawn",
        "overturned",
    )
    minor = await decide(downgraded, "downgraded", body.system)
    assert (minor["type"], minor["status"], minor["appeal"]["outcome"]) == (
        "minor_nc",
        "open",
        "downgraded",
    )
    again = await client.post(
        f"/v1/findings/{upheld}/appeal/decision",
        json={"outcome": "overturned", "reason": "Revirement."},
        headers=admin,
    )
    problem(again, 409, "appeal-decided")
    audit = ok(await client.get(f"/v1/audits/{stage1}", headers=structure.member_admin))
    assert audit["findings"] == {"major_nc": 2, "minor_nc": 1}  # the withdrawn one counts not

    # The structure is told of each outcome.
    async def told() -> list[dict[str, Any]] | None:
        notices = await feed(topology, structure.member_admin, "finding.appeal_decided.v1")
        return notices if len(notices) >= 3 else None

    assert len(await eventually(told, what="the outcomes told to the structure")) == 3

    # After the appeal period, the last major can no longer be appealed.
    deadline = reported_on + timedelta(days=ISO.appeal_days)
    await topology.shift_clock("audit", deadline + timedelta(days=1) - reported_on)
    too_late = await client.post(
        f"/v1/findings/{late}/appeal",
        json={"reason": "Le constat ne tient pas."},
        headers=structure.member_admin,
    )
    assert problem(too_late, 409, "rule-violation")["deadline"] == deadline.isoformat()


# 4. A minor escalates at the next audit -------------------------------------------------------
async def test_a_minor_not_closed_by_the_next_audit_becomes_a_major(topology: Topology) -> None:
    client, admin = topology.client, topology.admin
    body = await certification_body(topology)
    structure = await iso_programme(topology, n=941)
    await known_to_notifications(topology, structure.member_admin)
    stage1 = structure.programme["schedule"][0]["audit_id"]
    (minor,) = await run_audit(
        topology,
        body,
        stage1,
        [{"type": "minor_nc", "title": "Plan de formation incomplet", "clause": "7.2"}],
    )
    today = await topology.today("audit")
    # Answered, its plan accepted (not verified): stage 1 closes.
    answer = {**ANSWER, "action_due": (today + timedelta(days=60)).isoformat()}
    ok(
        await client.post(
            f"/v1/findings/{minor['id']}/response", json=answer, headers=structure.member_admin
        )
    )
    ok(
        await client.post(
            f"/v1/findings/{minor['id']}/review",
            json={"decision": "accept_plan", "comment": "Plan adapté."},
            headers=body.system,
        )
    )
    assert (await step(topology, body.system, stage1, "close"))["status"] == "closed"

    # Stage 2, the programme's next audit: its report escalates the minor still not verified.
    programme_url = f"/v1/audit-programmes/{structure.programme['id']}"
    stage2 = ok(
        await client.post(f"{programme_url}/audits", json={"type": "stage2"}, headers=admin), 201
    )
    await run_audit(topology, body, stage2["id"], [])
    escalated = ok(await client.get(f"/v1/findings/{minor['id']}", headers=structure.member_admin))
    assert (
        escalated["type"],
        escalated["status"],
        escalated["escalated_from"],
        escalated["escalated_on"],
        escalated["response_due"],
    ) == (
        "major_nc",
        "open",
        "minor_nc",
        today.isoformat(),
        (today + timedelta(days=ISO.nc_response_days)).isoformat(),
    )
    # It counts as stage 2's major: stage 2 shows it and does not close.
    shown = ok(await client.get(f"/v1/audits/{stage2['id']}", headers=structure.member_admin))
    assert shown["findings"] == {"major_nc": 1}, shown["findings"]
    not_closed = await client.post(
        f"/v1/audits/{stage2['id']}/transitions", json={"step": "close"}, headers=body.system
    )
    assert not_closed.status_code == 409, not_closed.text
    assert not_closed.json()["open_major_nc"] == 1

    # The structure is told of the escalation.
    async def told() -> list[dict[str, Any]]:
        notices = await feed(topology, structure.member_admin, "finding.status_changed.v1")
        return [n for n in notices if n["title"].startswith(ESCALATED)]

    (notice,) = await eventually(told, what="the escalation told to the structure")
    due = date.fromisoformat(escalated["response_due"]).strftime("%d/%m/%Y")
    assert f"Réponse attendue avant le {due}" in notice["body"], notice


# 5. Group sampling ----------------------------------------------------------------------------
async def test_a_group_audit_plan_covers_its_iaf_md1_sample(topology: Topology) -> None:
    client = topology.client
    body = await certification_body(topology)
    group = await iso_programme(topology, n=951, members=9)
    central = group.id
    assert [(s["audit_type"], s["size"]) for s in group.programme["sampling"]] == [
        ("stage1", 3),  # ⌈√9⌉
        ("stage2", 3),
        ("surveillance", 2),  # ⌈0.6 · 3⌉
        ("renewal", 3),  # ⌈0.8 · 3⌉
    ]
    audit_id = group.programme["schedule"][0]["audit_id"]
    sampling = ok(await client.get(f"/v1/audits/{audit_id}", headers=group.member_admin))[
        "sampling"
    ]
    assert (sampling["sites"], sampling["size"], sampling["sampled"]) == (9, 3, True)
    (drawn,) = sampling["random_site_ids"]  # ⌈25 % of 3⌉, drawn from the audit's id
    assert drawn in group.member_ids
    assert sampling["required_site_ids"] == [central, drawn]
    assert sampling["rule"].startswith("IAF MD 1")

    await step(topology, body.system, audit_id, "accept")
    today = await topology.today("audit")
    others = [m for m in group.member_ids if m != drawn]
    url = f"/v1/audits/{audit_id}/plan"
    for sites, says in (
        ([drawn, *others[:2]], central),  # the central function left out
        ([central, *others[:3]], drawn),  # the random site left out
    ):
        refused = await client.put(
            url,
            json=body.plan(today, site_ids=sites),
            headers=await as_read(client, url.removesuffix("/plan"), body.system),
        )
        found = problem(refused, 422, "sample-not-covered")
        assert [e["field"] for e in found["errors"]] == ["body.site_ids"], found
        assert says in found["errors"][0]["message"], found
    covering = [central, drawn, *others[:2]]
    planned = ok(
        await client.put(
            url,
            json=body.plan(today, site_ids=covering),
            headers=await as_read(client, url.removesuffix("/plan"), body.system),
        )
    )
    assert (planned["status"], planned["site_ids"]) == ("planned", covering)


# 6. Committee impartiality --------------------------------------------------------------------
async def accompanied_session(
    topology: Topology, facilitator: dict[str, str], organisation_id: str
) -> dict[str, Any]:
    """The region's facilitator runs the structure's CAP session (the diagnostic service
    records their account and publishes it with the completion): the completed session."""
    client = topology.client
    today = await topology.today("diagnostic")

    async def opened() -> dict[str, Any] | None:
        answer = await client.post(
            "/v1/diagnostics",
            json={
                "organisation_id": organisation_id,
                "kind": "cap_session",
                "session_date": today.isoformat(),
                "facilitator": "Animatrice régionale",
            },
            headers=facilitator,
        )
        if answer.status_code == 422:  # the structure has not reached the diagnostic service
            assert answer.json()["type"].endswith("/unknown-organisation"), answer.text
            return None
        return dict(ok(answer, 201))

    session = await eventually(opened, what="the structure known to the diagnostic service")
    url = f"/v1/diagnostics/{session['id']}"
    for action in ("schedule", "start"):
        ok(await client.post(f"{url}/transitions", json={"action": action}, headers=facilitator))
    referential = ok(await client.get("/v1/referentials/CAP/versions/1", headers=facilitator))
    answers = [
        {"id": str(uuid.uuid4()), "criterion": c["urn"], "level": 3}
        for theme in referential["themes"]
        for c in theme["criteria"]
    ]
    ok(await client.put(f"{url}/answers", json={"answers": answers}, headers=facilitator))
    completed = ok(
        await client.post(f"{url}/transitions", json={"action": "complete"}, headers=facilitator)
    )
    assert completed["status"] == "rated", completed
    return dict(completed)


async def test_committee_members_who_advised_or_accompanied_the_structure_may_not_decide(
    topology: Topology,
) -> None:
    client, admin = topology.client, topology.admin
    organisation_id = await register_organisation(client, admin, n=961, region="76")
    advised = await create_user(client, admin, role="committee")
    other = await create_user(client, admin, role="committee")
    advised_id = await user_id(topology, advised)
    # The region's facilitator, who also sits on the committee, ran the structure's
    # accompanied CAP session.
    email = f"animatrice.{uuid.uuid4().hex[:8]}@coorace.example"
    facilitator = await create_user(
        client, admin, role="facilitator", region="76", email=email, password=PASSWORD
    )
    facilitator_id = await user_id(topology, facilitator)
    session = await accompanied_session(topology, facilitator, organisation_id)
    assert session["facilitator_user_ids"] == [facilitator_id]
    ok(
        await client.post(
            f"/v1/users/{facilitator_id}/memberships", json={"role": "committee"}, headers=admin
        ),
        201,
    )
    facilitator = await sign_in(client, email, PASSWORD)  # a token with both roles

    file = await rse_file(topology, organisation_id)
    # Before deciding, a member declares the consultancy they gave the structure.
    today = await topology.today("labelling")
    ended_on = today - timedelta(days=150)
    engagement = ok(
        await client.post(
            f"/v1/committee-members/{advised_id}/engagements",
            json={
                "organisation_id": organisation_id,
                "kind": "consultancy",
                "started_on": (today - timedelta(days=200)).isoformat(),
                "ended_on": ended_on.isoformat(),
                "description": "Accompagnement à la démarche RSE",
            },
            headers=advised,
        ),
        201,
    )
    url = f"/v1/decisions/{file['id']}/decide"

    barred = await client.post(url, json={"outcome": "confirm"}, headers=advised)
    refused = problem(barred, 409, "conflict-of-interest")
    assert "§5.2.11" in refused["rule"], refused
    assert refused["person"] == f"user:{advised_id}"
    assert (refused["engagement"]["id"], refused["engagement"]["kind"]) == (
        engagement["id"],
        "consultancy",
    )
    assert (
        refused["barred_until"]
        == (add_months(ended_on, RSE.cooling_off_months) - timedelta(days=1)).isoformat()
    )

    # The facilitator's session reached the labelling service as an accompaniment.
    async def accompaniment() -> list[dict[str, Any]]:
        got = ok(
            await client.get(f"/v1/committee-members/{facilitator_id}/engagements", headers=admin)
        )["data"]
        return [e for e in got if e["source"] == "cap_session"]

    (accompanied,) = await eventually(accompaniment, what="the session known to labelling")
    assert (accompanied["kind"], accompanied["organisation_id"]) == (
        "accompaniment",
        organisation_id,
    )
    barred = await client.post(
        url, json={"outcome": "refuse", "reason": "Non."}, headers=facilitator
    )
    refused = problem(barred, 409, "conflict-of-interest")
    assert "§5.2.11" in refused["rule"], refused
    assert refused["person"] == f"user:{facilitator_id}"
    assert (refused["engagement"]["kind"], refused["engagement"]["source"]) == (
        "accompaniment",
        "cap_session",
    )
    assert ok(await client.get(f"/v1/decisions/{file['id']}", headers=admin))["status"] == "pending"

    # Another member decides.
    decided = ok(
        await client.post(
            url,
            json={"outcome": "confirm"},
            headers=await as_read(client, url.removesuffix("/decide"), other),
        )
    )
    assert (decided["status"], decided["level"]) == ("granted", "Confirmé")
    recognition = ok(
        await client.get(f"/v1/recognitions/{decided['recognition_id']}", headers=admin)
    )
    assert (recognition["status"], recognition["level"]) == ("active", "Confirmé")


# 7. The committee's refusal told to the structure, which appeals it ---------------------------
async def test_the_committees_refusal_reaches_the_structure_which_appeals_it_in_time(
    topology: Topology,
) -> None:
    """The refusal reaches the member_admin's feed (through the notifications service) with the
    last day to appeal; the appeal lodged by then is decided by a member who took no part, and
    the file decided again by someone other than the member overturned."""
    client, admin = topology.client, topology.admin
    organisation_id = await register_organisation(client, admin, n=971, region="76")
    member_admin = await create_user(
        client, admin, role="member_admin", organisation_id=organisation_id
    )
    decider = await create_user(client, admin, role="committee")
    reviewer = await create_user(client, admin, role="committee")
    decider_id = await user_id(topology, decider)
    await known_to_notifications(topology, member_admin)
    file = await rse_file(topology, organisation_id)
    url = f"/v1/decisions/{file['id']}"
    reason = "Les engagements sociaux ne sont pas démontrés sur les chantiers."
    decided = ok(
        await client.post(
            f"{url}/decide",
            json={"outcome": "refuse", "reason": reason},
            headers=await as_read(client, url, decider),
        )
    )
    assert (decided["status"], decided["reason"]) == ("refused", reason)
    appeal_until = date.fromisoformat(decided["decided_on"]) + timedelta(days=RSE.appeal_days)

    async def told(event_type: str) -> list[dict[str, Any]]:
        return await feed(topology, member_admin, event_type)

    (notice,) = await eventually(
        lambda: told("decision.taken.v1"), what="the refusal told to the structure"
    )
    assert "refusé" in notice["title"], notice
    assert notice["organisation_id"] == organisation_id
    assert reason.rstrip(".") in notice["body"], notice
    assert f"jusqu'au {appeal_until.strftime('%d/%m/%Y')}" in notice["body"], notice

    # The structure's member_admin appeals it within the period, once.
    assert await topology.today("labelling") <= appeal_until
    grounds = {"reason": "Les preuves remises au comité n'ont pas été lues."}
    lodged = ok(await client.post(f"{url}/appeal", json=grounds, headers=member_admin), 201)
    assert (lodged["status"], lodged["decision_status"]) == ("lodged", "refused")
    problem(
        await client.post(f"{url}/appeal", json=grounds, headers=member_admin),
        409,
        "already-appealed",
    )

    # Not decided by the member who refused: the rule is named.
    overturn = {"outcome": "overturned", "reason": "Les preuves établissent la démarche."}
    partial = await client.post(
        f"{url}/appeal/decision", json=overturn, headers=await as_read(client, url, decider)
    )
    refused = problem(partial, 409, "conflict-of-interest")
    assert "§9.7" in refused["rule"], refused
    assert refused["person"] == f"user:{decider_id}"

    # Another member overturns it: the file is pending again, for someone else to decide.
    reopened = ok(
        await client.post(
            f"{url}/appeal/decision", json=overturn, headers=await as_read(client, url, reviewer)
        )
    )
    assert (reopened["status"], reopened["round"], reopened["decided_by"]) == ("pending", 2, None)
    assert [(a["round"], a["status"]) for a in reopened["appeals"]] == [(1, "overturned")]
    problem(
        await client.post(
            f"{url}/decide",
            json={"outcome": "confirm"},
            headers=await as_read(client, url, decider),
        ),
        409,
        "conflict-of-interest",
    )
    granted = ok(
        await client.post(
            f"{url}/decide", json={"outcome": "confirm"}, headers=await as_read(client, url, admin)
        )
    )
    assert (granted["status"], granted["level"]) == ("granted", "Confirmé")
    (outcome,) = await eventually(
        lambda: told("decision.appeal_decided.v1"), what="the appeal's outcome told"
    )
    assert outcome["organisation_id"] == organisation_id


# 8. Majors before certification, on the services' clocks -------------------------------------
async def body_decides(topology: Topology, audit_id: str, **decision: Any) -> dict[str, Any]:
    """The body's certification committee decides: its system sends the signed
    ``certification.decided`` webhook (a secret issued by the administrator)."""
    secret = ok(
        await topology.client.post(
            f"/v1/certification-bodies/{BODY}/webhook-secrets", headers=topology.admin
        ),
        201,
    )["secret"]
    moment = wall_now()
    raw = json.dumps(
        {
            "type": "certification.decided",
            "timestamp": moment.isoformat(),
            "data": {"audit_id": audit_id, "decided_by": "Comité de certification SGS", **decision},
        }
    )
    webhook_id = f"msg_{uuid.uuid4().hex}"
    answer = await topology.client.post(
        f"/v1/certifier/webhooks/{BODY}",
        content=raw.encode(),
        headers={
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": Webhook(secret).sign(webhook_id, moment, raw),
            "content-type": "application/json",
        },
    )
    return dict(ok(answer))


async def stage2_reported(
    topology: Topology, body: Body, structure: Structure, findings: list[dict[str, Any]]
) -> tuple[str, list[dict[str, Any]]]:
    """The body runs stage 1 (nothing found, closed), then stage 2 with ``findings`` up to its
    report: stage 2's id and its findings."""
    stage1 = structure.programme["schedule"][0]["audit_id"]
    await run_audit(topology, body, stage1, [])
    await step(topology, body.system, stage1, "close")
    stage2 = ok(
        await topology.client.post(
            f"/v1/audit-programmes/{structure.programme['id']}/audits",
            json={"type": "stage2"},
            headers=topology.admin,
        ),
        201,
    )["id"]
    return stage2, await run_audit(topology, body, stage2, findings)


async def test_an_answered_major_not_verified_in_time_suspends_the_certificate(
    topology: Topology,
) -> None:
    client = topology.client
    body = await certification_body(topology)
    structure = await iso_programme(topology, n=991)
    stage2, _ = await stage2_reported(topology, body, structure, [])
    await step(topology, body.system, stage2, "close")
    today = await topology.today("audit")
    await body_decides(
        topology,
        stage2,
        outcome="granted",
        decided_on=today.isoformat(),
        certificate_number="SGS-FR-9901",
        scope="Insertion par l'activité économique : espaces verts",
    )

    async def certificate() -> dict[str, Any] | None:
        found = ok(
            await client.get(
                f"/v1/recognitions?organisation_id={structure.id}", headers=structure.member_admin
            )
        )["data"]
        return found[0] if found else None

    granted = await eventually(certificate, what="the certificate granted")
    programme_url = f"/v1/audit-programmes/{structure.programme['id']}"

    async def in_force() -> bool:
        programme = ok(await client.get(programme_url, headers=structure.member_admin))
        return bool(programme["cycle_start"])

    await eventually(in_force, what="the programme's cycle started")

    # A surveillance finds a major; the structure answers it; nobody verifies it.
    surveillance = ok(
        await client.post(
            f"{programme_url}/audits", json={"type": "surveillance"}, headers=topology.admin
        ),
        201,
    )["id"]
    (major,) = await run_audit(
        topology,
        body,
        surveillance,
        [{"type": "major_nc", "title": "Maîtrise des chantiers perdue", "clause": "8.5.1"}],
    )
    answer = {**ANSWER, "action_due": (today + timedelta(days=20)).isoformat()}
    answered = ok(
        await client.post(
            f"/v1/findings/{major['id']}/response", json=answer, headers=structure.member_admin
        )
    )
    verification_due = date.fromisoformat(answered["verification_due"])
    assert verification_due == today + timedelta(days=ISO.major_verification_days)

    # The day after its verification deadline the audit service says so, once; the labelling
    # service suspends the certificate.
    assert await topology.run_job("audit", "nonconformity-deadlines") == 0
    await topology.shift_clock("audit", verification_due + timedelta(days=1) - today)
    assert await topology.run_job("audit", "nonconformity-deadlines") == 1
    assert await topology.run_job("audit", "nonconformity-deadlines") == 0

    async def recognition(status: str) -> dict[str, Any] | None:
        got = ok(
            await client.get(f"/v1/recognitions/{granted['id']}", headers=structure.member_admin)
        )
        return got if got["status"] == status else None

    suspended = await eventually(lambda: recognition("suspended"), what="the suspension")
    assert (suspended["suspension_cause"], suspended["history"][-1]["reason_code"]) == (
        "major_nc_overdue",
        "major_nc_overdue",
    )
    # Verified at last: the certificate is active again.
    ok(
        await client.post(
            f"/v1/findings/{major['id']}/review",
            json={"decision": "verify", "comment": "Contrôles de fin de chantier vus."},
            headers=body.system,
        )
    )
    restored = await eventually(lambda: recognition("active"), what="the restoration")
    assert restored["history"][-1]["reason_code"] == "major_nc_closed"


async def test_majors_not_verified_within_six_months_require_a_new_stage2(
    topology: Topology,
) -> None:
    client, admin = topology.client, topology.admin
    body = await certification_body(topology)
    structure = await iso_programme(topology, n=995)
    stage2, (major,) = await stage2_reported(
        topology,
        body,
        structure,
        [{"type": "major_nc", "title": "Revue de direction absente", "clause": "9.3"}],
    )
    last_day = await topology.today("audit")
    # The body grants while the major is open: recorded, flagged, held.
    await body_decides(
        topology,
        stage2,
        outcome="granted",
        decided_on=last_day.isoformat(),
        certificate_number="SGS-FR-9951",
        scope="Insertion par l'activité économique : espaces verts",
    )
    recorded = ok(await client.get(f"/v1/audits/{stage2}", headers=admin))["decision"]
    assert (recorded["outcome"], recorded["open_major_nc"]) == ("granted", 1)

    async def file_in(status: str) -> dict[str, Any] | None:
        files = ok(await client.get("/v1/decisions", headers=admin))["data"]
        found = [f for f in files if f["audit_id"] == stage2 and f["status"] == status]
        return found[0] if found else None

    held = await eventually(lambda: file_in("held"), what="the grant held")
    deadline = add_months(last_day, ISO.major_verification_months)
    assert held["hold"]["held_until"] == deadline.isoformat()

    # The day after the deadline, the audit service requires a new stage 2, once.
    await topology.shift_clock("audit", deadline + timedelta(days=1) - last_day)
    assert await topology.run_job("audit", "nonconformity-deadlines") >= 1
    shown = ok(await client.get(f"/v1/audits/{stage2}", headers=structure.member_admin))
    assert shown["stage2_must_repeat"] is True
    programme_url = f"/v1/audit-programmes/{structure.programme['id']}"
    programme = ok(await client.get(programme_url, headers=structure.member_admin))
    assert programme["stage2_required_by"] == [stage2]
    assert [i["type"] for i in programme["schedule"] if i["status"] == "due"] == ["stage2"]

    # The held grant lapses: refused, naming the rule; no certificate.
    lapsed = await eventually(lambda: file_in("refused"), what="the held grant lapsed")
    assert "9.5.3.2" in lapsed["reason"], lapsed
    assert (
        ok(await client.get(f"/v1/recognitions?organisation_id={structure.id}", headers=admin))[
            "data"
        ]
        == []
    )
    assert await topology.run_job("audit", "nonconformity-deadlines") == 0  # once

    # The major answered and verified late does not undo it; a new stage 2 is requested.
    answer = {**ANSWER, "action_due": (last_day + timedelta(days=200)).isoformat()}
    ok(
        await client.post(
            f"/v1/findings/{major['id']}/response", json=answer, headers=structure.member_admin
        )
    )
    verified = ok(
        await client.post(
            f"/v1/findings/{major['id']}/review",
            json={"decision": "verify", "comment": "Revue de direction tenue depuis."},
            headers=body.system,
        )
    )
    assert verified["status"] == "verified_closed"
    assert ok(await client.get(f"/v1/audits/{stage2}", headers=admin))["stage2_must_repeat"]

    async def verified_known() -> dict[str, Any] | None:
        lapsed = await file_in("refused")  # still refused once labelling knows it verified
        return lapsed if lapsed is not None and lapsed["hold"]["open_majors"] == [] else None

    await eventually(verified_known, what="the verification known to the labelling service")
    assert (
        ok(await client.get(f"/v1/recognitions?organisation_id={structure.id}", headers=admin))[
            "data"
        ]
        == []
    )
    again = ok(
        await client.post(f"{programme_url}/audits", json={"type": "stage2"}, headers=admin), 201
    )
    assert (again["type"], again["status"]) == ("stage2", "requested")
