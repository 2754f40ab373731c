"""The administrators' network and certification screens in-process: structures, people and
roles (facilitators' regions, suspension), certification bodies (connection, secrets,
deliveries), auditors and qualifications, impartiality declarations.

Each test loads the first structure of the demo network on its own standalone platform (a few
seconds), signs the administrator in through the console and checks what the page shows and
what the API then holds; bad input, stale ETags, junk ids and other roles are refused in French.
"""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import httpx

from cap_shared.testing.auth import create_user
from cap_shared.testing.siret import make_siret
from cap_standalone.demo import DemoResult, load_demo
from cap_standalone.testing import Topology
from cap_web.testing import ConsoleClient, hidden_fields

CLAIRE = "claire.martin@atelier-lauragais.example"
PAGES = (
    "/admin/structures",
    "/admin/personnes",
    "/admin/organismes",
    "/admin/auditeurs",
    "/admin/impartialite",
)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:2000]
    return response.json()


def text_of(page: str) -> str:
    main = page.split('id="contenu"', 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


async def admin_console(standalone: Topology, console: ConsoleClient) -> DemoResult:
    """The demo's first structure loaded, the administrator signed in on ``console``."""
    loaded = await load_demo(standalone.client, structures=1, timeout=60)
    await console.sign_in(loaded.admin_email, loaded.admin_password)
    return loaded


async def form_post(
    console: ConsoleClient, page_path: str, action: str, data: dict[str, Any]
) -> httpx.Response:
    """Open ``page_path`` and post its form ``action`` (hidden fields kept) with ``data`` (the
    filter forms are ``GET`` forms to the same address: the ``POST`` one is taken)."""
    page = await console.get(page_path)
    assert page.status_code == 200, page.text[:2000]
    forms = re.findall(r'<form method="post"[^>]*>.*?</form>', page.text, re.S)
    form = next(f for f in forms if f'action="{action}"' in f)
    return await console.http.post(action, data={**hidden_fields(form, action), **data})


async def test_pages_are_for_administrators_only_and_junk_ids_are_french_404s(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await admin_console(standalone, console)
    for path in PAGES:
        page = await console.get(path)
        assert page.status_code == 200, (path, page.text[:3000])
        assert "<h1>" in page.text
        assert "<caption>" in page.text

    for junk in (
        "/admin/structures/inconnue",
        "/admin/personnes/inconnue",
        "/admin/organismes/inconnu",
        "/admin/organismes/%3Cscript%3E",
        "/admin/auditeurs/inconnu",
        "/admin/impartialite/auditeurs/inconnu",
        "/admin/impartialite/comite/%00x",
    ):
        page = await console.get(junk)
        assert page.status_code == 404, (junk, page.status_code, page.text[:1000])
        assert "introuvable" in text_of(page.text).lower()

    # junk typed in the forms: French problems, never a 500
    junk = "x" * 300 + "\x00<script>"
    users = ok(await standalone.client.get("/v1/users", headers=standalone.admin))["data"]
    someone = next(u for u in users if u["email"] == CLAIRE)["id"]
    for action, data in (
        ("/admin/structures", {"name": junk, "siret": junk, "region": "76", "siae_types": "ZZ"}),
        ("/admin/organismes", {"id": "Pas Un Id!", "name": junk, "schemes": ["CAP_RSE"]}),
        ("/admin/auditeurs", {"certification_body_id": "sgs-tuv", "name": "A", "email": junk}),
        ("/admin/auditeurs", {"certification_body_id": "ghost", "name": "A"}),
        ("/admin/personnes/invitations", {"name": "A", "email": "a@b", "role": "member"}),
        (f"/admin/personnes/{someone}/roles", {"role": "member", "organisation_id": junk}),
        (f"/admin/personnes/{someone}/roles", {"role": "auditor", "certification_body_id": junk}),
        (f"/admin/personnes/{someone}/statut", {"status": "gone", "etag": junk}),
        ("/admin/organismes/sgs-tuv/connexion", {"api_url": "javascript:alert(1)"}),
        ("/admin/organismes/ghost/livraisons/x/relance", {}),
        ("/admin/organismes/ghost/secrets", {}),
    ):
        answer = await console.post(action, data)
        assert 400 <= answer.status_code < 500, (action, answer.status_code, answer.text[:500])
        assert "<h1>" in answer.text, action

    # a structure's administrator (and anyone not an administrator) is refused in French
    member = ConsoleClient(
        httpx.AsyncClient(transport=standalone.client._transport, base_url=standalone.public_url)
    )
    await member.sign_in(CLAIRE, loaded.password)
    for path in PAGES:
        page = await member.get(path)
        assert page.status_code == 403, path
        assert "Accès refusé" in page.text or "refus" in page.text.lower()
    refused = await member.post("/admin/structures", {"name": "X", "siret": "1", "region": "76"})
    assert refused.status_code == 403


async def test_a_structure_is_registered_and_shown_with_its_people(
    standalone: Topology, console: ConsoleClient
) -> None:
    await admin_console(standalone, console)
    # nothing chosen: French messages next to the fields, nothing registered
    bad = await form_post(
        console,
        "/admin/structures",
        "/admin/structures",
        {"name": " ", "siret": "", "region": "99"},
    )
    assert bad.status_code == 422
    words = text_of(bad.text)
    assert "Indiquez le nom de la structure." in words
    assert "Cochez au moins un type de SIAE." in words
    assert 'aria-invalid="true"' in bad.text

    siret = make_siret(uuid.uuid4().int % 10**8)
    name = f"Recyclerie du Causse \x07{uuid.uuid4().hex[:4]}"
    made = await form_post(
        console,
        "/admin/structures",
        "/admin/structures",
        {
            "name": name,
            "siret": siret,
            "region": "76",
            "delegation": "Coorace Occitanie",
            "siae_types": ["ACI", "EI"],
        },
    )
    assert made.status_code == 303, made.text[:2000]
    location = made.headers["location"]
    organisation_id = location.split("/admin/structures/", 1)[1].split("?", 1)[0]
    held = ok(
        await standalone.client.get(
            f"/v1/organisations/{organisation_id}", headers=standalone.admin
        )
    )
    assert held["name"] == name.replace("\x07", "")  # the control character is stripped
    assert (held["siret"], held["region"], sorted(held["siae_types"])) == (
        siret,
        "76",
        ["ACI", "EI"],
    )
    page = await console.get(location)
    words = text_of(page.text)
    assert "La structure a été inscrite" in words
    assert "Occitanie" in words
    assert "Entreprise d'insertion (EI)" in words
    assert "Personne n'a encore de compte" in words  # the empty state
    assert "Animateurs de la région Sophie Roux" in words

    # the same SIRET again: the API's French problem, the form kept
    again = await form_post(
        console,
        "/admin/structures",
        "/admin/structures",
        {"name": "Doublon", "siret": siret, "region": "76", "siae_types": ["AI"]},
    )
    assert again.status_code == 409, again.text[:2000]
    assert 'role="alert"' in again.text
    assert 'value="Doublon"' in again.text

    listed = text_of((await console.get("/admin/structures?region=76&q=causse")).text)
    assert held["name"] in listed
    assert "Atelier Solidaire" not in listed
    assert "1 structure affichée sur 2" in listed


async def test_roles_regions_and_suspension_of_a_person(
    standalone: Topology, console: ConsoleClient
) -> None:
    await admin_console(standalone, console)
    email = f"animatrice.{uuid.uuid4().hex[:6]}@coorace.example"
    await create_user(
        standalone.client, standalone.admin, role="facilitator", email=email, region="76"
    )
    users = ok(await standalone.client.get("/v1/users", headers=standalone.admin))["data"]
    user = next(u for u in users if u["email"] == email)
    path = f"/admin/personnes/{user['id']}"

    listed = text_of((await console.get("/admin/personnes?role=facilitator")).text)
    assert email in listed
    assert "Animateur régional — région Occitanie" in listed
    assert "claire.martin" not in listed

    # a second region for the facilitator; a facilitator without a region is refused
    missing = await form_post(console, path, f"{path}/roles", {"role": "facilitator"})
    assert missing.status_code == 422
    assert "Choisissez la région de l'animateur." in text_of(missing.text)
    added = await form_post(console, path, f"{path}/roles", {"role": "facilitator", "region": "75"})
    assert added.status_code == 303, added.text[:2000]
    held = ok(await standalone.client.get(f"/v1/users/{user['id']}", headers=standalone.admin))
    assert sorted(m["region"] for m in held["memberships"]) == ["75", "76"]
    twice = await form_post(console, path, f"{path}/roles", {"role": "facilitator", "region": "75"})
    assert twice.status_code == 303  # granted once: the API keeps one membership
    unknown = await form_post(
        console, path, f"{path}/roles", {"role": "facilitator", "region": "99"}
    )
    assert unknown.status_code == 404  # the API's French problem, next to the form
    assert 'role="alert"' in unknown.text
    assert "aucune région 99" in text_of(unknown.text)
    held = ok(await standalone.client.get(f"/v1/users/{user['id']}", headers=standalone.admin))
    assert sorted(m["region"] for m in held["memberships"]) == ["75", "76"]

    # the first region taken away
    first = next(m for m in held["memberships"] if m["region"] == "76")
    removed = await form_post(console, path, f"{path}/roles/{first['id']}/retrait", {})
    assert removed.status_code == 303
    held = ok(await standalone.client.get(f"/v1/users/{user['id']}", headers=standalone.admin))
    assert [m["region"] for m in held["memberships"]] == ["75"]
    assert "Nouvelle-Aquitaine" in text_of((await console.get(path)).text)
    regions = text_of((await console.get("/admin/personnes")).text)
    regions = regions.split("Animateurs par région", 1)[1].split("Invitations en attente")[0]
    assert f"Nouvelle-Aquitaine 0 {user['name']}" in regions
    assert "Occitanie 1 Sophie Roux Pour confier" in regions  # only the demo's one now

    # suspended with the ETag read; the same (stale) form again: "modifié entre-temps"
    page = await console.get(path)
    fields = hidden_fields(page.text, f"{path}/statut")
    suspended = await console.http.post(f"{path}/statut", data=fields)
    assert suspended.status_code == 303, suspended.text[:2000]
    held = ok(await standalone.client.get(f"/v1/users/{user['id']}", headers=standalone.admin))
    assert held["status"] == "disabled"
    assert "Réactiver le compte" in (await console.get(path)).text
    stale = await console.http.post(f"{path}/statut", data={**fields, "status": "active"})
    assert stale.status_code == 412
    assert "modifié entre-temps" in text_of(stale.text)
    held = ok(await standalone.client.get(f"/v1/users/{user['id']}", headers=standalone.admin))
    assert held["status"] == "disabled"


async def test_a_person_is_invited_to_a_role(standalone: Topology, console: ConsoleClient) -> None:
    await admin_console(standalone, console)
    email = f"membre.{uuid.uuid4().hex[:6]}@comite.example"
    refused = await form_post(
        console,
        "/admin/personnes",
        "/admin/personnes/invitations",
        {"name": "Jeanne Comité", "email": email, "role": "auditor"},
    )
    assert refused.status_code == 422
    assert "Choisissez l'organisme certificateur de l'auditeur." in text_of(refused.text)
    invited = await form_post(
        console,
        "/admin/personnes",
        "/admin/personnes/invitations",
        {"name": "Jeanne Comité", "email": email, "role": "committee", "region": "76"},
    )
    assert invited.status_code == 200, invited.text[:2000]
    words = text_of(invited.text)
    assert "Invitation créée pour Jeanne Comité" in words
    assert "/invitations/" in invited.text or "invitation" in invited.text
    pending = ok(await standalone.client.get("/v1/invitations", headers=standalone.admin))
    mine = [i for i in pending["data"] if i["email"] == email]
    assert [(i["role"], i["region"]) for i in mine] == [("committee", None)]
    page = await console.get("/admin/personnes")
    assert email in text_of(page.text)

    # withdrawn: the API no longer holds it
    invitation = mine[0]["id"]
    withdrawn = await form_post(
        console, "/admin/personnes", f"/admin/personnes/invitations/{invitation}/retrait", {}
    )
    assert withdrawn.status_code == 303
    pending = ok(await standalone.client.get("/v1/invitations", headers=standalone.admin))
    assert all(i["email"] != email for i in pending["data"])
    assert "L'invitation a été retirée." in text_of(
        (await console.get(withdrawn.headers["location"])).text
    )


async def test_a_person_is_renamed_and_the_administrator_keeps_their_own_role(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await admin_console(standalone, console)
    users = ok(await standalone.client.get("/v1/users", headers=standalone.admin))["data"]
    karim = next(u for u in users if u["email"].startswith("karim."))
    path = f"/admin/personnes/{karim['id']}"
    renamed = await form_post(console, path, f"{path}/nom", {"name": "Karim Benali-Roux"})
    assert renamed.status_code == 303, renamed.text[:2000]
    held = ok(await standalone.client.get(f"/v1/users/{karim['id']}", headers=standalone.admin))
    assert held["name"] == "Karim Benali-Roux"
    # someone renames the account after the page was read: the form is stale
    page = await console.get(path)
    fields = hidden_fields(page.text, f"{path}/nom")
    await standalone.client.patch(
        f"/v1/users/{karim['id']}", json={"name": "Karim B."}, headers=standalone.admin
    )
    late = await console.http.post(f"{path}/nom", data={**fields, "name": "Trop tard"})
    assert late.status_code == 412
    assert "modifié entre-temps" in text_of(late.text)
    held = ok(await standalone.client.get(f"/v1/users/{karim['id']}", headers=standalone.admin))
    assert held["name"] == "Karim B."

    admin = next(u for u in users if u["email"] == loaded.admin_email)
    own = text_of((await console.get(f"/admin/personnes/{admin['id']}")).text)
    assert "Votre propre rôle d'administrateur" in own
    assert "demandez à un autre administrateur de le suspendre" in own


async def test_a_certification_body_is_registered_edited_and_connected(
    standalone: Topology, console: ConsoleClient
) -> None:
    await admin_console(standalone, console)
    body_id = f"bureau-{uuid.uuid4().hex[:6]}"
    bad = await form_post(
        console, "/admin/organismes", "/admin/organismes", {"id": body_id, "name": "BV"}
    )
    assert bad.status_code == 422
    assert "Cochez au moins un schéma." in text_of(bad.text)
    made = await form_post(
        console,
        "/admin/organismes",
        "/admin/organismes",
        {"id": body_id, "name": "Bureau Qualité", "schemes": ["CAP_RSE"]},
    )
    assert made.status_code == 303, made.text[:2000]
    path = f"/admin/organismes/{body_id}"
    assert made.headers["location"].startswith(path)
    page = await console.get(made.headers["location"])
    words = text_of(page.text)
    assert "L'organisme est enregistré" in words
    assert "n'est pas encore connecté" in words
    assert "Aucune livraison." in words

    # edited with the ETag of the body as listed; the same form again is stale (412)
    fields = hidden_fields(page.text, path)
    edit = {"name": "Bureau Qualité Sud", "accreditation": "COFRAC 4-1234", "active": "1"}
    saved = await console.http.post(
        path, data={**fields, **edit, "schemes": ["CAP_RSE", "CAP_ISO9001"]}
    )
    assert saved.status_code == 303, saved.text[:2000]
    bodies = ok(await standalone.client.get("/v1/certification-bodies", headers=standalone.admin))
    held = next(b for b in bodies["data"] if b["id"] == body_id)
    assert (held["name"], held["accreditation"], sorted(held["schemes"]), held["active"]) == (
        "Bureau Qualité Sud",
        "COFRAC 4-1234",
        ["CAP_ISO9001", "CAP_RSE"],
        True,
    )
    stale = await console.http.post(path, data={**fields, "name": "Autre", "schemes": ["CAP_RSE"]})
    assert stale.status_code == 412
    assert "modifié entre-temps" in text_of(stale.text)
    assert 'value="Bureau Qualité Sud"' in stale.text  # the current values shown
    bodies = ok(await standalone.client.get("/v1/certification-bodies", headers=standalone.admin))
    assert next(b for b in bodies["data"] if b["id"] == body_id)["name"] == "Bureau Qualité Sud"

    # the connection: a bad address is the API's French problem; the secret is never shown
    wrong = await form_post(
        console,
        path,
        f"{path}/connexion",
        {
            "api_url": "pas une adresse",
            "token_url": "https://bq.example/token",
            "client_id": "cap",
            "client_secret": "s3cret-value",
        },
    )
    assert wrong.status_code == 422, wrong.text[:2000]
    assert 'role="alert"' in wrong.text
    connected = await form_post(
        console,
        path,
        f"{path}/connexion",
        {
            "api_url": "https://bq.example/api",
            "token_url": "https://bq.example/token",
            "client_id": "cap-platform",
            "client_secret": "s3cret-value",
        },
    )
    assert connected.status_code == 303, connected.text[:2000]
    held = ok(
        await standalone.client.get(
            f"/v1/certification-bodies/{body_id}/connection", headers=standalone.admin
        )
    )
    assert (held["api_url"], held["client_id"]) == ("https://bq.example/api", "cap-platform")
    page = await console.get(path)
    assert "s3cret-value" not in page.text
    assert "https://bq.example/api" in page.text
    assert held["callback_url"] in page.text

    # the connection changed by someone else after the page was read: 412, nothing changed
    page = await console.get(path)
    fields = hidden_fields(page.text, f"{path}/connexion")
    assert fields["etag"]
    changed = {
        "api_url": "https://bq.example/v2",
        "token_url": "https://bq.example/token",
        "client_id": "cap-platform",
        "client_secret": "another-secret",
    }
    ok(
        await standalone.client.put(
            f"/v1/certification-bodies/{body_id}/connection",
            json=changed,
            headers=standalone.admin,
        )
    )
    late = await console.http.post(
        f"{path}/connexion", data={**fields, **changed, "api_url": "https://bq.example/v3"}
    )
    assert late.status_code == 412
    assert "modifiée entre-temps" in text_of(late.text)
    assert "https://bq.example/v2" in late.text
    held = ok(
        await standalone.client.get(
            f"/v1/certification-bodies/{body_id}/connection", headers=standalone.admin
        )
    )
    assert held["api_url"] == "https://bq.example/v2"

    # a webhook secret: shown on its creation only
    rotated = await form_post(console, path, f"{path}/secrets", {})
    assert rotated.status_code == 200, rotated.text[:2000]
    shown = re.search(r'id="nouveau-secret" readonly value="([^"]+)"', rotated.text)
    assert shown is not None
    again = await console.get(path)
    assert shown.group(1) not in again.text
    secrets = ok(
        await standalone.client.get(
            f"/v1/certification-bodies/{body_id}/webhook-secrets", headers=standalone.admin
        )
    )
    assert len(secrets["data"]) == 1


async def test_an_auditor_is_registered_with_qualifications_and_edited(
    standalone: Topology, console: ConsoleClient
) -> None:
    await admin_console(standalone, console)
    wrong = await form_post(
        console,
        "/admin/auditeurs",
        "/admin/auditeurs",
        {
            "certification_body_id": "sgs-tuv",
            "name": "Lucie Garnier",
            "from_CAP_RSE": "2026-01-01",
            "until_CAP_RSE": "",
        },
    )
    assert wrong.status_code == 422
    assert "Indiquez les deux dates de validité, ou aucune." in text_of(wrong.text)
    assert 'value="Lucie Garnier"' in wrong.text
    made = await form_post(
        console,
        "/admin/auditeurs",
        "/admin/auditeurs",
        {
            "certification_body_id": "sgs-tuv",
            "name": "Lucie Garnier",
            "email": "lucie.garnier@sgs-tuv.example",
            "from_CAP_RSE": "2026-01-01",
            "until_CAP_RSE": "2028-12-31",
        },
    )
    assert made.status_code == 303, made.text[:2000]
    path = made.headers["location"].split("?", 1)[0]
    auditor_id = path.rsplit("/", 1)[1]
    listed = ok(
        await standalone.client.get(
            "/v1/auditors", params={"certification_body_id": "sgs-tuv"}, headers=standalone.admin
        )
    )["data"]
    held = next(a for a in listed if a["id"] == auditor_id)
    assert held["qualifications"] == [
        {"scheme": "CAP_RSE", "valid_from": "2026-01-01", "valid_until": "2028-12-31"}
    ]
    assert not held["planner"]
    assert held["active"]

    page = await console.get(path)
    assert 'value="2026-01-01"' in page.text
    assert 'value="2028-12-31"' in page.text
    fields = hidden_fields(page.text, path)
    saved = await console.http.post(
        path,
        data={
            **fields,
            "name": "Lucie Garnier-Roy",
            "planner": "1",
            "from_CAP_RSE": "2026-01-01",
            "until_CAP_RSE": "2029-06-30",
            "from_CAP_ISO9001": "2026-03-01",
            "until_CAP_ISO9001": "2029-02-28",
        },
    )
    assert saved.status_code == 303, saved.text[:2000]
    listed = ok(await standalone.client.get("/v1/auditors", headers=standalone.admin))["data"]
    held = next(a for a in listed if a["id"] == auditor_id)
    assert held["name"] == "Lucie Garnier-Roy"
    assert held["planner"]
    assert not held["active"]
    assert sorted((q["scheme"], q["valid_until"]) for q in held["qualifications"]) == [
        ("CAP_ISO9001", "2029-02-28"),
        ("CAP_RSE", "2029-06-30"),
    ]
    stale = await console.http.post(path, data={**fields, "name": "Quelqu'un", "active": "1"})
    assert stale.status_code == 412
    assert "modifié entre-temps" in text_of(stale.text)
    words = text_of((await console.get("/admin/auditeurs?organisme=sgs-tuv")).text)
    assert "Lucie Garnier-Roy" in words
    assert "29 juin 2029" not in words
    assert "30 juin 2029" in words


async def test_impartiality_declarations_of_an_auditor_and_a_committee_member(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await admin_console(standalone, console)
    organisation_id = loaded.links["organisation_id"]
    auditors = ok(await standalone.client.get("/v1/auditors", headers=standalone.admin))["data"]
    marc = auditors[0]
    path = f"/admin/impartialite/auditeurs/{marc['id']}"
    missing = await form_post(console, path, path, {"kind": "consultancy"})
    assert missing.status_code == 422
    words = text_of(missing.text)
    assert "Choisissez la structure concernée." in words
    assert "Indiquez la date de l'engagement." in words
    recorded = await form_post(
        console,
        path,
        path,
        {
            "organisation_id": organisation_id,
            "kind": "consultancy",
            "start": "2026-02-10",
            "note": "Conseil \x00sur le tri",
        },
    )
    assert recorded.status_code == 303, recorded.text[:2000]
    held = ok(
        await standalone.client.get(
            f"/v1/auditors/{marc['id']}/engagements", headers=standalone.admin
        )
    )["data"]
    assert [(e["kind"], e["on"], e["note"]) for e in held] == [
        ("consultancy", "2026-02-10", "Conseil sur le tri")
    ]
    words = text_of((await console.get(path)).text)
    assert "Atelier Solidaire du Lauragais" in words
    assert "10 février 2026" in words

    users = ok(
        await standalone.client.get(
            "/v1/users", params={"role": "committee"}, headers=standalone.admin
        )
    )["data"]
    anne = users[0]
    path = f"/admin/impartialite/comite/{anne['id']}"
    page = await console.get(path)
    assert "Audit réalisé" not in page.text  # a committee member declares no audit
    declared = await form_post(
        console,
        path,
        path,
        {"organisation_id": organisation_id, "kind": "training", "start": "2026-01-05"},
    )
    assert declared.status_code == 303, declared.text[:2000]
    held = ok(
        await standalone.client.get(
            f"/v1/committee-members/{anne['id']}/engagements", headers=standalone.admin
        )
    )["data"]
    assert [(e["kind"], e["started_on"], e["ended_on"]) for e in held] == [
        ("training", "2026-01-05", None)
    ]
    assert "(en cours)" in text_of((await console.get(path)).text)
    overview = text_of((await console.get("/admin/impartialite")).text)
    assert re.search(r"Marc Lefebvre SGS TÜV Saar 1", overview)
    assert re.search(r"Anne Dupuis \S+ 1", overview)
    register = overview.split("Registre des déclarations", 1)[1]
    assert (
        "10 février 2026 Marc Lefebvre Auditeur Atelier Solidaire du Lauragais Conseil "
        "5 janvier 2026 Anne Dupuis Comité Atelier Solidaire du Lauragais Formation"
    ) in register
