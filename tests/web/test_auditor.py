"""The auditor's screens in-process: their audits by status, the plan edited with the audit's
ETag (a stale one shows "modifié entre-temps"), the steps, a finding with its evidence, the
signed report uploaded, the structure's answer reviewed, the CAP RSE checklist saving the
evaluated maturity per site, and what other roles and odd addresses get."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest

from cap_shared.clock import today
from cap_shared.testing.auth import create_user
from cap_standalone.demo import DemoResult, load_demo
from cap_standalone.testing import Topology
from cap_web.testing import ConsoleClient, hidden_fields

MARC = "marc.lefebvre@sgs-tuv.example"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:2000]
    return response.json()


def text_of(page: str) -> str:
    main = page.split('id="contenu"', 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


async def demo(standalone: Topology, structures: int = 4) -> DemoResult:
    return await load_demo(standalone.client, structures=structures, timeout=60)


async def step(standalone: Topology, audit_id: str, name: str, **body: Any) -> dict[str, Any]:
    return ok(
        await standalone.client.post(
            f"/v1/audits/{audit_id}/transitions",
            json={"step": name, **body},
            headers=standalone.admin,
        )
    )


async def test_the_auditor_plans_starts_records_and_reviews(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await demo(standalone)
    audit_id = loaded.links["audit_id"]
    client, admin = standalone.client, standalone.admin
    await console.sign_in(MARC, loaded.password)

    listed = await console.get("/auditeur/audits")
    assert listed.status_code == 200
    words = text_of(listed.text)
    assert "Planifié (1)" in words
    assert "Tremplin Intérim Toulouse" in words
    assert f'href="/auditeur/audits/{audit_id}"' in listed.text

    # the plan, edited with the audit's ETag; the same form sent again is stale
    path = f"/auditeur/audits/{audit_id}"
    shown = await console.get(path)
    assert shown.status_code == 200
    fields = hidden_fields(shown.text, f"{path}/plan")
    assert fields["etag"]
    assert fields["team_count"] == "1"
    audit = ok(await client.get(f"/v1/audits/{audit_id}", headers=admin))
    form = {
        **fields,
        "start_date": audit["start_date"],
        "end_date": audit["end_date"],
        "plan": "Jour 1 : ouverture\u0007, revue documentaire.\nJour 2 : visites.",
        "team_0_role": "lead",
        "team_0_declaration": "Aucun lien avec la structure depuis trois ans.",
    }
    saved = await console.http.post(f"{path}/plan", data=form)
    assert saved.status_code == 303, text_of(saved.text)
    held = ok(await client.get(f"/v1/audits/{audit_id}", headers=admin))
    assert held["plan"] == "Jour 1 : ouverture, revue documentaire.\nJour 2 : visites."
    assert held["team"][0]["declaration"] == "Aucun lien avec la structure depuis trois ans."
    assert "Le plan d'audit est enregistré" in text_of(
        (await console.get(saved.headers["location"])).text
    )
    stale = await console.http.post(f"{path}/plan", data={**form, "plan": "Autre plan"})
    assert stale.status_code == 412
    assert "modifié entre-temps" in text_of(stale.text).lower()
    assert ok(await client.get(f"/v1/audits/{audit_id}", headers=admin))["plan"] == held["plan"]
    bad = await console.submit(
        path, f"{path}/plan", {**form, "end_date": "2020-01-01", "start_date": "2020-01-02"}
    )
    assert bad.status_code == 422, bad.status_code

    # started, a major recorded with its evidence (a script link is refused)
    started = await console.submit(path, f"{path}/etapes", {"step": "start"})
    assert started.status_code == 303, text_of(started.text)
    assert ok(await client.get(f"/v1/audits/{audit_id}", headers=admin))["status"] == "in_progress"
    finding = {
        "type": "major_nc",
        "title": "Étalonnage des équipements non suivi",
        "description": "Aucun enregistrement d'étalonnage pour les nacelles.",
        "clause": "7.1.5",
        "evidence_title_0": "Registre des équipements",
        "evidence_url_0": "javascript:alert(1)",
    }
    refused = await console.submit(path, f"{path}/constats", finding)
    assert refused.status_code == 422
    assert "commence par https://" in refused.text
    assert "Aucun enregistrement d&#39;étalonnage pour les nacelles." in refused.text
    recorded = await console.submit(
        path, f"{path}/constats", {**finding, "evidence_url_0": "https://partage.example/reg.pdf"}
    )
    assert recorded.status_code == 303, text_of(recorded.text)
    (major,) = [
        f
        for f in ok(await client.get(f"/v1/audits/{audit_id}/findings", headers=admin))["data"]
        if f["type"] == "major_nc"
    ]
    assert (major["clause"], major["title"]) == ("7.1.5", "Étalonnage des équipements non suivi")
    assert [(e["title"], e["url"]) for e in major["evidence"]] == [
        ("Registre des équipements", "https://partage.example/reg.pdf")
    ]
    junk_clause = await console.submit(
        path, f"{path}/constats", {"type": "observation", "title": "Rangement", "clause": "abc"}
    )
    assert junk_clause.status_code == 422

    # the checklist of an ISO 9001 audit: criteria and clauses, the finding on its clause
    grid = await console.get(f"{path}/grille")
    assert grid.status_code == 200
    grid_words = text_of(grid.text)
    assert "Exigences ISO 9001 : 4.1, 4.2" in grid_words
    assert "Non-conformité majeure — Étalonnage des équipements non suivi" in grid_words
    assert "Enregistrer la maturité évaluée" not in grid_words  # CAP RSE only

    # the signed report uploaded with the ETag, then downloaded; the report submitted
    sent = await console.submit(
        path, f"{path}/rapport", files={"file": ("rapport.pdf", PDF, "application/pdf")}
    )
    assert sent.status_code == 303, text_of(sent.text)
    document = await console.get(f"{path}/rapport.pdf")
    assert document.status_code == 200
    assert document.content == PDF
    submitted = await console.submit(
        path, f"{path}/etapes", {"step": "submit_report", "summary": "Une majeure (7.1.5)."}
    )
    assert submitted.status_code == 303, text_of(submitted.text)
    assert ok(await client.get(f"/v1/audits/{audit_id}", headers=admin))["status"] == (
        "report_submitted"
    )

    # the structure answers; the auditor sends it back without a comment (refused), then
    # accepts the plan
    structure = await create_user(
        client, admin, role="member_admin", organisation_id=audit["organisation_id"]
    )
    ok(
        await client.post(
            f"/v1/findings/{major['id']}/response",
            json={
                "root_cause": "Pas de responsable des équipements.",
                "correction": "Nacelles étalonnées.",
                "corrective_action": "Calendrier d'étalonnage suivi par le chef d'agence.",
                "action_due": "2031-01-31",
                "evidence": [],
            },
            headers=structure,
        )
    )
    page = text_of((await console.get(path)).text)
    assert "Réponse de la structure" in page
    assert "Nacelles étalonnées." in page
    review = f"{path}/constats/{major['id']}/revue"
    empty = await console.submit(path, review, {"decision": "send_back"})
    assert empty.status_code == 422
    assert "ce qui manque" in text_of(empty.text)
    accepted = await console.submit(
        path, review, {"decision": "accept_plan", "comment": "Plan pertinent."}
    )
    assert accepted.status_code == 303, text_of(accepted.text)
    held_finding = ok(await client.get(f"/v1/findings/{major['id']}", headers=admin))
    assert (held_finding["status"], held_finding["auditor_comment"]) == (
        "plan_accepted",
        "Plan pertinent.",
    )

    # the closure verified, then the audit closed (every major verified)
    page = (await console.get(path)).text
    assert "Accepter le plan d&#39;action" not in page  # already accepted
    verified = await console.submit(
        path, review, {"decision": "verify", "comment": "Étalonnages vus sur place."}
    )
    assert verified.status_code == 303, text_of(verified.text)
    assert ok(await client.get(f"/v1/findings/{major['id']}", headers=admin))["status"] == (
        "verified_closed"
    )
    closed = await console.submit(path, f"{path}/etapes", {"step": "close"})
    assert closed.status_code == 303, text_of(closed.text)
    assert ok(await client.get(f"/v1/audits/{audit_id}", headers=admin))["status"] == "closed"
    assert "Clos" in text_of((await console.get("/auditeur/audits")).text)


async def rse_audit_in_progress(standalone: Topology, loaded: DemoResult) -> dict[str, Any]:
    """Claire's CAP RSE application accepted; its initial audit planned with Marc, started."""
    client, admin = standalone.client, standalone.admin
    organisation_id = next(iter(loaded.organisations.values()))
    committee = await create_user(client, admin, role="committee")
    (application,) = [
        a
        for a in ok(await client.get("/v1/applications", headers=admin))["data"]
        if a["organisation_id"] == organisation_id and a["scheme"] == "CAP_RSE"
    ]
    ok(
        await client.post(
            f"/v1/applications/{application['id']}/transitions",
            json={"step": "accept"},
            headers=committee,
        )
    )
    for _ in range(200):
        audits = ok(
            await client.get(
                "/v1/audits", params={"organisation_id": organisation_id}, headers=admin
            )
        )["data"]
        if audits:
            break
        await asyncio.sleep(0.1)
    (audit,) = audits
    await step(standalone, audit["id"], "accept")
    read = await client.get(f"/v1/audits/{audit['id']}", headers=admin)
    auditors = ok(await client.get("/v1/auditors", headers=admin))["data"]
    marc = next(a for a in auditors if a.get("email") == MARC or "Lefebvre" in a.get("name", ""))
    ok(
        await client.put(
            f"/v1/audits/{audit['id']}/plan",
            json={
                "start_date": (today() + timedelta(days=30)).isoformat(),
                "end_date": (today() + timedelta(days=31)).isoformat(),
                "plan": "Évaluation initiale CAP RSE sur deux jours.",
                "team": [
                    {
                        "auditor_id": marc["id"],
                        "role": "lead",
                        "declaration": "Aucun lien avec la structure depuis trois ans.",
                    }
                ],
            },
            headers={**admin, "if-match": read.headers["etag"]},
        )
    )
    return await step(standalone, audit["id"], "start")


async def test_the_rse_checklist_keeps_the_evaluated_maturity(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await demo(standalone)
    audit = await rse_audit_in_progress(standalone, loaded)
    client, admin = standalone.client, standalone.admin
    await console.sign_in(MARC, loaded.password)
    path = f"/auditeur/audits/{audit['id']}/grille"
    grid = await console.get(path)
    assert grid.status_code == 200, text_of(grid.text)
    assert "Enregistrer la maturité évaluée" in grid.text
    fields = hidden_fields(grid.text, path)
    urns = {k: v for k, v in fields.items() if k.startswith("urn_")}
    assert int(fields["count"]) == len(urns) > 20
    first, second = urns["urn_0"], urns["urn_1"]

    nothing = await console.http.post(path, data=fields)
    assert nothing.status_code == 422
    assert "au moins un critère" in text_of(nothing.text)
    form = {
        **fields,
        "level_0": "3",
        "comment_0": "Procédure écrite\u0000 et appliquée.",
        "na_1": "1",
    }
    saved = await console.http.post(path, data=form)
    assert saved.status_code == 303, text_of(saved.text)
    held = ok(await client.get(f"/v1/audits/{audit['id']}/maturity", headers=admin))
    assert {
        (m["criterion_urn"], m["level"], m["not_applicable"], m["comment"]) for m in held["levels"]
    } == {
        (first, 3, False, "Procédure écrite et appliquée."),
        (second, 0, True, None),
    }
    again = text_of((await console.get(saved.headers["location"])).text)
    assert "La maturité évaluée est enregistrée" in again
    assert "Enregistré : niveau 3 — Procédure écrite et appliquée." in again
    assert "Enregistré : non applicable" in again

    # a level out of the scale is the API's French problem, the typed values kept
    odd = await console.http.post(path, data={**fields, "level_0": "11"})
    assert odd.status_code == 422
    assert 'value="11"' not in odd.text  # never reflected as a choice
    # a form read before the audit changed (a finding recorded meanwhile) is stale: nothing
    # overwritten
    ok(
        await client.post(
            f"/v1/audits/{audit['id']}/findings",
            json={"type": "strength", "title": "Circuits courts"},
            headers=admin,
        ),
        201,
    )
    stale = await console.http.post(path, data={**fields, "level_0": "1"})
    assert stale.status_code == 412
    assert "modifié entre-temps" in text_of(stale.text).lower()
    held = ok(await client.get(f"/v1/audits/{audit['id']}/maturity", headers=admin))
    assert (first, 3) in {(m["criterion_urn"], m["level"]) for m in held["levels"]}


async def test_other_roles_and_odd_addresses_are_refused(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await demo(standalone, structures=4)
    audit_id = loaded.links["audit_id"]
    await console.sign_in("claire.martin@atelier-lauragais.example", loaded.password)
    for path in (
        "/auditeur/audits",
        f"/auditeur/audits/{audit_id}",
        f"/auditeur/audits/{audit_id}/grille",
    ):
        refused = await console.get(path)
        assert refused.status_code == 403, path
        assert 'lang="fr"' in refused.text
    posted = await console.post(f"/auditeur/audits/{audit_id}/etapes", {"step": "start"})
    assert posted.status_code == 403

    marc = ConsoleClient(
        httpx.AsyncClient(transport=standalone.client._transport, base_url=standalone.public_url)
    )
    await marc.sign_in(MARC, loaded.password)
    for junk in ("%3Cscript%3E", "a%00b", "x" * 80, "00000000-0000-0000-0000-000000000000"):
        answer = await marc.get(f"/auditeur/audits/{junk}")
        assert answer.status_code in (403, 404), (junk, answer.status_code)
        assert "Erreur" not in answer.text or answer.status_code != 500
        grid = await marc.get(f"/auditeur/audits/{junk}/grille")
        assert grid.status_code in (403, 404), (junk, grid.status_code)
    report = await marc.get(f"/auditeur/audits/{audit_id}/rapport.pdf")
    assert report.status_code == 404
    assert "pas encore de document" in text_of(report.text)


@pytest.mark.parametrize("path", ["/auditeur/audits", "/auditeur/audits/abc/grille"])
async def test_the_pages_need_a_signed_in_auditor(console: ConsoleClient, path: str) -> None:
    answer = await console.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/connexion?next=")
