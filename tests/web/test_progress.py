"""The structure's follow-up screens in-process: plan, applications, audits, team.

Each test loads the first structures of the demo network on its own standalone platform (a few
seconds), signs people in through the console and checks both what the page shows and what the
API then holds.
"""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import httpx
import pytest

from cap_shared.testing.auth import create_user
from cap_shared.testing.siret import make_siret
from cap_standalone.demo import DemoResult, load_demo
from cap_standalone.testing import Topology
from cap_web.testing import ConsoleClient, csrf_of, hidden_fields

CLAIRE = "claire.martin@atelier-lauragais.example"
KARIM = "karim.benali@atelier-lauragais.example"
HTMX = {"hx-request": "true"}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:2000]
    return response.json()


async def demo(standalone: Topology, structures: int = 1) -> DemoResult:
    return await load_demo(standalone.client, structures=structures, timeout=60)


async def new_member_admin(
    standalone: Topology, organisation_id: str, password: str = "correct horse battery staple"
) -> str:
    """A fresh member_admin of ``organisation_id``: their e-mail."""
    email = f"admin.{uuid.uuid4().hex[:8]}@structure.example"
    await create_user(
        standalone.client,
        standalone.admin,
        role="member_admin",
        email=email,
        password=password,
        organisation_id=organisation_id,
    )
    return email


def another(standalone: Topology) -> ConsoleClient:
    """A second browser on the same console."""
    return ConsoleClient(
        httpx.AsyncClient(transport=standalone.client._transport, base_url=standalone.public_url)
    )


def text_of(page: str) -> str:
    main = page.split('id="contenu"', 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


# -- progress plan ----------------------------------------------------------------------------
async def test_an_action_is_edited_in_place_with_its_etag(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await demo(standalone)
    plan_id = loaded.links["plan_id"]
    await console.sign_in(KARIM, loaded.password)
    page = await console.get("/plan")
    assert page.status_code == 200
    assert "<h1>Plan de progrès</h1>" in page.text
    assert f"/plan/{plan_id}/export.csv" in page.text
    plan = ok(
        await standalone.client.get(f"/v1/progress-plans/{plan_id}", headers=standalone.admin)
    )
    action = next(a for a in plan["actions"] if a["status"] == "proposed")

    # "Modifier" asks for the form with the action's ETag (htmx swaps it in place)
    form = await console.get(f"/plan/actions/{action['id']}", headers=HTMX)
    assert form.status_code == 200
    assert f'id="action-{action["id"]}"' in form.text
    assert "<html" not in form.text
    fields = hidden_fields(form.text, f"/plan/actions/{action['id']}")
    assert fields["etag"]
    due = "2031-03-15"
    saved = await console.http.post(
        f"/plan/actions/{action['id']}",
        data={
            **fields,
            "owner": "Karim <b>Benali</b>",
            "due_date": due,
            "priority": "high",
            "step": "start",
            "note": "Lancée en réunion d'équipe.",
        },
        headers={**HTMX, "x-csrf-token": csrf_of(page.text)},
    )
    assert saved.status_code == 200, saved.text
    assert "Modification enregistrée" in saved.text
    assert "En cours" in saved.text
    assert "Karim &lt;b&gt;Benali&lt;/b&gt;" in saved.text
    held = ok(await standalone.client.get(f"/v1/actions/{action['id']}", headers=standalone.admin))
    assert (held["status"], held["due_date"], held["owner"], held["priority"]) == (
        "in_progress",
        due,
        "Karim <b>Benali</b>",
        "high",
    )
    assert any(r["note"] == "Lancée en réunion d'équipe." for r in held["reviews"])

    # the same form again (its ETag is stale now): 412, current values and a French message
    stale = await console.http.post(
        f"/plan/actions/{action['id']}",
        data={**fields, "owner": "Quelqu'un d'autre", "due_date": due, "step": ""},
        headers={**HTMX, "x-csrf-token": csrf_of(page.text)},
    )
    assert stale.status_code == 412
    assert "modifiée entre-temps" in stale.text
    assert 'value="Karim &lt;b&gt;Benali&lt;/b&gt;"' in stale.text
    again = ok(await standalone.client.get(f"/v1/actions/{action['id']}", headers=standalone.admin))
    assert again["owner"] == "Karim <b>Benali</b>"

    # a date that is not one: the API's French message in the form, nothing written
    fresh = hidden_fields(
        (await console.get(f"/plan/actions/{action['id']}", headers=HTMX)).text,
        f"/plan/actions/{action['id']}",
    )
    bad = await console.http.post(
        f"/plan/actions/{action['id']}",
        data={**fresh, "owner": "X", "due_date": "31/02/2027"},
        headers={**HTMX, "x-csrf-token": csrf_of(page.text)},
    )
    assert bad.status_code == 422
    assert 'class="problem"' in bad.text
    assert (
        ok(await standalone.client.get(f"/v1/actions/{action['id']}", headers=standalone.admin))[
            "owner"
        ]
        == "Karim <b>Benali</b>"
    )

    # without htmx the same form works as a whole page
    whole = await console.get(f"/plan/actions/{action['id']}")
    assert "<h1>" in whole.text
    assert "Suivi et revues" in whole.text


async def test_reviews_new_actions_exports_and_refusals(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await demo(standalone)
    plan_id = loaded.links["plan_id"]
    await console.sign_in(CLAIRE, loaded.password)
    plan = ok(
        await standalone.client.get(f"/v1/progress-plans/{plan_id}", headers=standalone.admin)
    )
    action = plan["actions"][-1]
    url = f"/plan/actions/{action['id']}"

    refused = await console.submit(
        url, f"{url}/suivis", {"review_note": "Point fait", "progress": "150"}
    )
    assert refused.status_code == 422, text_of(refused.text)
    assert "entre 0 et 100" in refused.text
    reviewed = await console.submit(
        url, f"{url}/suivis", {"review_note": "Point fait\x00 avec l'équipe", "progress": "40"}
    )
    assert reviewed.status_code == 303
    shown = await console.get(reviewed.headers["location"])
    assert "Point fait avec l'équipe" in text_of(shown.text)
    assert "avancement 40 %" in shown.text
    assert 'data-saved="revue-' in shown.text
    held = ok(await standalone.client.get(f"/v1/actions/{action['id']}", headers=standalone.admin))
    assert [(r["note"], r["progress"]) for r in held["reviews"]][-1] == (
        "Point fait avec l'équipe",
        40,
    )

    title = "=cmd|' /C calc'!A0 <script>alert(1)</script>"
    added = await console.submit(
        "/plan", f"/plan/{plan_id}/actions", {"title": title, "owner": "Claire", "priority": "low"}
    )
    assert added.status_code == 303, added.text[:2000]
    page = await console.get(added.headers["location"])
    assert "L'action a été ajoutée" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
    after = ok(
        await standalone.client.get(f"/v1/progress-plans/{plan_id}", headers=standalone.admin)
    )
    assert any(a["title"] == title and a["priority"] == "low" for a in after["actions"])

    # the plan changed since this form was read: 412, the typed title kept, French words
    stale_form = hidden_fields(page.text, f"/plan/{plan_id}/actions")
    await console.submit("/plan", f"/plan/{plan_id}/actions", {"title": "Une autre action"})
    stale = await console.post(
        f"/plan/{plan_id}/actions",
        {**stale_form, "title": "Encore une", "idempotency_key": str(uuid.uuid4())},
    )
    assert stale.status_code == 412
    assert "Le plan a changé" in stale.text
    assert 'value="Encore une"' in stale.text

    csv = await console.get(f"/plan/{plan_id}/export.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    xlsx = await console.get(f"/plan/{plan_id}/export.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"

    unknown = await console.get(f"/plan/actions/{uuid.uuid4()}")
    assert unknown.status_code == 404
    assert '<html lang="fr">' in unknown.text
    for path in ("/candidatures/%00", "/plan/actions/%3Cscript%3E", "/audits/a%0Db"):
        odd = await console.get(path)
        assert odd.status_code == 404, path
        assert "Page introuvable" in odd.text
    huge = await console.submit(url, f"{url}/suivis", {"review_note": "x", "progress": "9" * 40})
    assert huge.status_code == 422
    assert "entre 0 et 100" in huge.text


async def test_a_structure_without_plan_sees_where_a_plan_comes_from(
    standalone: Topology, console: ConsoleClient
) -> None:
    await demo(standalone)  # the certification bodies
    organisation = ok(
        await standalone.client.post(
            "/v1/organisations",
            json={
                "siret": make_siret(1717),
                "name": "Régie Sans Plan",
                "siae_types": ["EI"],
                "region": "76",
            },
            headers=standalone.admin,
        ),
        201,
    )
    email = await new_member_admin(standalone, organisation["id"])
    await console.sign_in(email, "correct horse battery staple")
    for path, words in (
        ("/plan", "Il naît d'un diagnostic CAP terminé"),
        ("/audits", "Aucun audit pour l'instant"),
        ("/candidatures", "aucun diagnostic CAP terminé"),
    ):
        page = await console.get(path)
        assert page.status_code == 200, path
        assert words in text_of(page.text), path
    # applying without a completed diagnostic: the API's reason, in French, in the form
    refused = await console.submit(
        "/candidatures",
        "/candidatures",
        {
            "organisation_id": organisation["id"],
            "scheme": "CAP_RSE",
            "certification_body_id": "sgs-tuv-saar",
        },
    )
    assert refused.status_code == 422
    assert "Non éligible" in refused.text
    assert "aucun diagnostic CAP terminé depuis moins de" in refused.text


# -- applications -----------------------------------------------------------------------------
async def test_a_group_application_invites_the_named_structure(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await demo(standalone, structures=2)
    first, second = list(loaded.organisations.values())[:2]
    await console.sign_in(CLAIRE, loaded.password)
    page = await console.get("/candidatures")
    assert "Diagnostic terminé" in page.text
    assert first in page.text  # the identifier a group names
    bodies = ok(await standalone.client.get("/v1/certification-bodies", headers=standalone.admin))
    body_id = bodies["data"][0]["id"]

    missing = await console.submit(
        "/candidatures",
        "/candidatures",
        {
            "organisation_id": first,
            "scheme": "CAP_ISO9001",
            "certification_body_id": body_id,
            "group": "1",
            "group_members": "",
        },
    )
    assert missing.status_code == 422
    assert "au moins une autre structure" in missing.text

    made = await console.submit(
        "/candidatures",
        "/candidatures",
        {
            "organisation_id": first,
            "scheme": "CAP_ISO9001",
            "certification_body_id": body_id,
            "motivation": "Nos clients demandent ISO 9001.",
            "group": "1",
            "group_members": f"{second}\n{second}",
        },
    )
    assert made.status_code == 303, made.text[:3000]
    shown = await console.get(made.headers["location"])
    words = text_of(shown.text)
    assert "Votre candidature a été déposée" in words
    assert "En attente des membres du groupement" in words
    assert "En attente de réponse" in words
    assert "est éligible grâce au diagnostic CAP terminé le" in words
    application_id = made.headers["location"].split("/")[2].split("?")[0]
    held = ok(
        await standalone.client.get(f"/v1/applications/{application_id}", headers=standalone.admin)
    )
    assert (held["scheme"], held["status"]) == ("CAP_ISO9001", "awaiting_consent")
    assert [i["organisation_id"] for i in held["invitations"]] == [second]

    # the invited structure's member_admin sees the invitation and declines it
    other = another(standalone)
    email = await new_member_admin(standalone, second)
    await other.sign_in(email, "correct horse battery staple")
    invited = await other.get("/candidatures")
    assert "Invitations à rejoindre un groupement" in invited.text
    invitation_id = held["invitations"][0]["invitation_id"]
    declined = await other.submit(
        "/candidatures", f"/candidatures/invitations/{invitation_id}/refuser"
    )
    assert declined.status_code == 303
    assert "Vous avez refusé" in (await other.get(declined.headers["location"])).text
    after = ok(
        await standalone.client.get(f"/v1/applications/{application_id}", headers=standalone.admin)
    )
    assert after["invitations"][0]["status"] == "declined"
    await other.http.aclose()

    # Claire withdraws it
    withdrawn = await console.submit(
        f"/candidatures/{application_id}", f"/candidatures/{application_id}/retrait"
    )
    assert withdrawn.status_code == 303
    assert "Retirée" in (await console.get(withdrawn.headers["location"])).text
    final = ok(
        await standalone.client.get(f"/v1/applications/{application_id}", headers=standalone.admin)
    )
    assert final["status"] == "withdrawn"

    # Karim (member) follows the files but cannot apply
    karim = another(standalone)
    await karim.sign_in(KARIM, loaded.password)
    seen = await karim.get("/candidatures")
    assert "C'est l'administrateur de votre structure qui dépose" in seen.text
    assert 'action="/candidatures"' not in seen.text
    await karim.http.aclose()


# -- audits -----------------------------------------------------------------------------------
async def test_a_nonconformity_is_answered_with_its_evidence(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await demo(standalone, structures=4)
    audit_id = loaded.links["audit_id"]
    client, admin = standalone.client, standalone.admin
    audit = ok(await client.get(f"/v1/audits/{audit_id}", headers=admin))
    started = await client.post(
        f"/v1/audits/{audit_id}/transitions", json={"step": "start"}, headers=admin
    )
    assert started.status_code == 200, started.text
    finding = ok(
        await client.post(
            f"/v1/audits/{audit_id}/findings",
            json={
                "type": "minor_nc",
                "title": "Revue de direction incomplète",
                "description": "Les indicateurs ne sont pas revus.",
                "clause": "9.3",
            },
            headers=admin,
        ),
        201,
    )
    reported = await client.post(
        f"/v1/audits/{audit_id}/transitions",
        json={"step": "submit_report", "summary": "Une non-conformité mineure (9.3)."},
        headers=admin,
    )
    assert reported.status_code == 200, reported.text
    email = await new_member_admin(standalone, audit["organisation_id"])
    await console.sign_in(email, "correct horse battery staple")

    audits = await console.get("/audits")
    words = text_of(audits.text)
    assert "Dates du programme" in words
    assert "Rapport remis" in words
    page = await console.get(f"/audits/{audit_id}")
    assert "Revue de direction incomplète" in page.text
    assert "Répondre à cette non-conformité" in page.text

    action = f"/audits/{audit_id}/constats/{finding['id']}/reponse"
    due = "2031-04-30"
    answer = {
        "root_cause": "Personne n'était chargé des indicateurs.",
        "correction": "Indicateurs revus le mois dernier.",
        "corrective_action": "Revue trimestrielle inscrite au calendrier.",
        "action_due": due,
        "evidence_title_0": "Compte rendu de la revue",
        "evidence_url_0": "javascript:alert(1)",
    }
    refused = await console.submit(f"/audits/{audit_id}", action, answer)
    assert refused.status_code == 422, text_of(refused.text)
    assert "commence par https://" in refused.text
    assert "Personne n&#39;était chargé des indicateurs." in refused.text

    answer["evidence_url_0"] = "https://partage.example/revue-2026.pdf"
    sent = await console.submit(f"/audits/{audit_id}", action, answer)
    assert sent.status_code == 303, sent.text[:2000]
    shown = text_of((await console.get(sent.headers["location"])).text)
    assert "Votre réponse a été envoyée" in shown
    assert "Réponse envoyée" in shown
    held = ok(await client.get(f"/v1/findings/{finding['id']}", headers=admin))
    assert held["status"] == "response_submitted"
    assert held["root_cause"] == "Personne n'était chargé des indicateurs."
    assert held["action_due"] == due
    assert [(e["title"], e["url"]) for e in held["response_evidence"]] == [
        ("Compte rendu de la revue", "https://partage.example/revue-2026.pdf")
    ]


# -- team -------------------------------------------------------------------------------------
async def test_the_member_admin_manages_the_team_a_member_reads_it(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await demo(standalone)
    organisation_id = loaded.links["organisation_id"]
    await console.sign_in(CLAIRE, loaded.password)
    page = await console.get("/equipe")
    assert "Karim Benali" in page.text
    assert "C'est vous" in page.text

    refused = await console.submit(
        "/equipe", "/equipe/invitations", {"name": "", "email": "pas-une-adresse"}
    )
    assert refused.status_code == 422
    assert "Indiquez le nom" in refused.text
    email = f"lea.{uuid.uuid4().hex[:6]}@atelier-lauragais.example"
    invited = await console.submit(
        "/equipe", "/equipe/invitations", {"name": "Léa Garcia", "email": email, "role": "member"}
    )
    assert invited.status_code == 200, invited.text[:2000]
    assert "Invitation créée pour Léa Garcia" in invited.text
    assert "Lien d'invitation" in invited.text
    pending = ok(await standalone.client.get("/v1/invitations", headers=standalone.admin))["data"]
    assert any(i["email"] == email and i["organisation_id"] == organisation_id for i in pending)
    listed = await console.get("/equipe")
    assert email in listed.text

    users = ok(
        await standalone.client.get(
            "/v1/users", params={"organisation_id": organisation_id}, headers=standalone.admin
        )
    )["data"]
    karim = next(u for u in users if u["email"] == KARIM)
    changed = await console.submit(
        "/equipe",
        f"/equipe/personnes/{karim['id']}/role",
        {"organisation_id": organisation_id, "role": "member_admin"},
    )
    assert changed.status_code == 303, text_of(changed.text)
    assert "Le rôle a été changé" in (await console.get(changed.headers["location"])).text
    held = ok(await standalone.client.get(f"/v1/users/{karim['id']}", headers=standalone.admin))
    assert [m["role"] for m in held["memberships"] if m["organisation_id"] == organisation_id] == [
        "member_admin"
    ]
    back = await console.submit(
        "/equipe",
        f"/equipe/personnes/{karim['id']}/role",
        {"organisation_id": organisation_id, "role": "member"},
    )
    assert back.status_code == 303

    # the invitation withdrawn, then Karim removed from the structure (his account stays)
    invitation = next(i for i in pending if i["email"] == email)
    dropped = await console.submit(
        "/equipe",
        f"/equipe/invitations/{invitation['id']}/retrait",
        {"organisation_id": organisation_id},
    )
    assert dropped.status_code == 303
    assert "L'invitation a été retirée" in text_of(
        (await console.get(dropped.headers["location"])).text
    )
    still = ok(await standalone.client.get("/v1/invitations", headers=standalone.admin))["data"]
    assert all(i["email"] != email for i in still)

    # Karim, a member again, reads the team page and may not invite
    karim_console = another(standalone)
    await karim_console.sign_in(KARIM, loaded.password)
    seen = await karim_console.get("/equipe")
    assert seen.status_code == 200
    assert "gérées par l'administrateur de votre structure" in text_of(seen.text)
    assert 'action="/equipe/invitations"' not in seen.text
    forbidden = await karim_console.post(
        "/equipe/invitations",
        {"name": "X", "email": "x@example.org", "organisation_id": organisation_id},
    )
    assert forbidden.status_code == 403
    assert "Accès refusé" in forbidden.text
    await karim_console.http.aclose()

    removed = await console.submit(
        "/equipe", f"/equipe/personnes/{karim['id']}/retrait", {"organisation_id": organisation_id}
    )
    assert removed.status_code == 303
    assert "Karim Benali" not in (await console.get("/equipe")).text
    gone = ok(await standalone.client.get(f"/v1/users/{karim['id']}", headers=standalone.admin))
    assert [m for m in gone["memberships"] if m["organisation_id"] == organisation_id] == []


@pytest.mark.parametrize("path", ["/plan", "/candidatures", "/audits", "/equipe"])
async def test_the_pages_need_a_signed_in_structure(console: ConsoleClient, path: str) -> None:
    answer = await console.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"/connexion?next={path}")
