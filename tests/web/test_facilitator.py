"""The facilitator's screens in-process: the region's structures, one structure, scheduling and
running an accompanied diagnostic, the network view and its exports; who may not see them."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import time
import uuid
from typing import Any

import httpx
from openpyxl import load_workbook

from cap_shared.testing.auth import create_user
from cap_shared.testing.siret import make_siret
from cap_standalone.testing import Topology
from cap_web.testing import ConsoleClient, csrf_of, hidden_fields

PASSWORD = "correct horse battery staple"
FORMULA_NAME = '=HYPERLINK("http://evil.example","x") Atelier'


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code} {response.text[:1500]}"
    return response.json() if response.content else None


def text_of(page: httpx.Response) -> str:
    """The page's visible words (tags dropped, spaces squeezed, entities as typed)."""
    words = re.sub(r"<[^>]+>", " ", page.text)
    words = words.replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')
    return re.sub(r"\s+", " ", words)


async def organisation(standalone: Topology, name: str, region: str, types: list[str]) -> str:
    body = {
        "siret": make_siret(int(uuid.uuid4().int % 10**6)),
        "name": name,
        "siae_types": types,
        "region": region,
        "delegation": None,
    }
    created = ok(
        await standalone.client.post("/v1/organisations", json=body, headers=standalone.admin),
        201,
    )
    return str(created["id"])


async def account(standalone: Topology, role: str, **scope: str) -> str:
    email = f"{role.replace('_', '-')}.{uuid.uuid4().hex[:8]}@coorace.example"
    await create_user(
        standalone.client, standalone.admin, role=role, email=email, password=PASSWORD, **scope
    )
    return email


async def test_a_member_may_not_open_the_facilitator_screens(
    standalone: Topology, console: ConsoleClient
) -> None:
    org = await organisation(standalone, "Atelier du Lauragais", "76", ["ACI"])
    email = await account(standalone, "member", organisation_id=org)
    await console.sign_in(email, PASSWORD)
    for path in ("/animation", f"/animation/structures/{org}", "/reseau", "/reseau/export.csv"):
        page = await console.get(path)
        assert page.status_code == 403, path
        assert "Accès refusé" in page.text
        assert "réservée à d'autres rôles" in text_of(page)


async def test_the_facilitator_sees_their_region_only_and_is_refused_another_regions_structure(
    standalone: Topology, console: ConsoleClient
) -> None:
    mine = await organisation(standalone, FORMULA_NAME, "76", ["ACI", "AI"])
    other_mine = await organisation(standalone, "Garonne Emploi Services", "76", ["AI"])
    elsewhere = await organisation(standalone, "Ressourcerie de Bretagne", "53", ["EI"])
    email = await account(standalone, "facilitator", region="76")
    home = await console.sign_in(email, PASSWORD)
    assert home.status_code == 303  # the home page sends facilitators to their structures
    assert home.headers["location"] == "/animation"
    landed = await console.get("/animation")

    page = text_of(landed)
    assert "Structures de ma région" in page
    assert "Garonne Emploi Services" in page
    assert FORMULA_NAME in page
    assert "Ressourcerie de Bretagne" not in page
    assert "2 structures affichées sur 2" in page
    assert f'href="/animation/structures/{other_mine}"' in landed.text

    filtered = text_of(await console.get("/animation", params={"type": "EI"}))
    assert "Aucune structure ne correspond à ces filtres." in filtered
    by_name = text_of(await console.get("/animation", params={"q": "garonne"}))
    assert "1 structure affichée sur 2" in by_name

    one = await console.get(f"/animation/structures/{mine}")
    assert one.status_code == 200
    assert "Aucun diagnostic pour cette structure" in text_of(one)
    assert "Pas encore de plan de progrès" in text_of(one)

    for path in (f"/animation/structures/{elsewhere}", "/animation/structures/<script>"):
        refused = await console.get(path)
        assert refused.status_code in (403, 404), path
        assert refused.headers["content-type"].startswith("text/html")
        assert re.search(r"<h1>[^<]*(introuvable|refusé)", refused.text, re.I), refused.text[:500]

    # Nor can a forged form schedule a session there: the API refuses, nothing is created.
    token = csrf_of((await console.get(f"/animation/structures/{mine}")).text)
    forged = await console.http.post(
        f"/animation/structures/{elsewhere}/diagnostics",
        data={
            "csrf_token": token,
            "idempotency_key": str(uuid.uuid4()),
            "session_date": "2027-03-12",
            "facilitator": "Quelqu'un",
            "p_role_0": "Direction",
        },
    )
    assert forged.status_code in (403, 404), forged.text[:1000]
    assert "programmé" not in forged.text
    listed = ok(
        await standalone.client.get(
            f"/v1/diagnostics?organisation_id={elsewhere}", headers=standalone.admin
        )
    )
    assert listed["data"] == []

    export = await console.get("/animation/export.csv")
    assert export.status_code == 200
    assert export.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Structure"
    names = {row[0] for row in rows[1:]}
    assert names == {"'" + FORMULA_NAME, "Garonne Emploi Services"}  # no live formula

    workbook = await console.get("/animation/export.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    cells = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "'" + FORMULA_NAME in cells


async def _schedule(console: ConsoleClient, org: str, data: dict[str, str]) -> httpx.Response:
    """Post the scheduling form; the diagnostic service learns of a new structure by an event,
    so its first answer may be « réessayez dans un instant »: the form is sent again then."""
    page = f"/animation/structures/{org}"
    deadline = time.monotonic() + 15
    while True:
        answer = await console.submit(page, f"{page}/diagnostics", data)
        if answer.status_code != 422 or "réessayez" not in answer.text:
            return answer
        assert time.monotonic() < deadline, answer.text[:1000]
        await asyncio.sleep(0.1)


async def test_the_facilitator_schedules_and_runs_an_accompanied_diagnostic(
    standalone: Topology, console: ConsoleClient
) -> None:
    org = await organisation(standalone, "Les Jardins du Sidobre", "76", ["ACI"])
    email = await account(standalone, "facilitator", region="76")
    await console.sign_in(email, PASSWORD)
    page = f"/animation/structures/{org}"

    # Bad input: a French message in the form, nothing created.
    refused = await console.submit(
        page,
        f"{page}/diagnostics",
        {
            "session_date": "2027-02-30",
            "facilitator": "\x00\x01",
            "p_name_0": "<b>Claire</b>",
            "p_role_0": "Direction",
            "p_category_0": "pirate",
        },
    )
    assert refused.status_code == 422
    words = text_of(refused)
    assert "Indiquez la date de la séance" in words
    assert "Indiquez qui anime la séance." in words
    assert "Choisissez une catégorie de la liste." in words
    assert "<b>Claire</b>" not in refused.text  # typed HTML is shown as text
    listed = ok(
        await standalone.client.get(
            f"/v1/diagnostics?organisation_id={org}", headers=standalone.admin
        )
    )
    assert listed["data"] == []

    scheduled = await _schedule(
        console,
        org,
        {
            "session_date": "2027-03-12",
            "facilitator": "Inès Garcia (Coorace Occitanie)",
            "p_name_0": "Claire Martin",
            "p_role_0": "Directrice",
            "p_category_0": "staff",
            "p_name_1": "=Karim Benali",
            "p_role_1": "Salarié en parcours",
            "p_category_1": "employee_in_pathway",
        },
    )
    assert scheduled.status_code == 303, scheduled.text[:1500]
    target = scheduled.headers["location"]
    assert target.startswith("/animation/diagnostics/")
    diagnostic_id = target.split("/")[-1].split("?")[0]

    # The same form sent twice (a double click): one diagnostic.
    page_text = (await console.get(page)).text
    fields = hidden_fields(page_text, f"{page}/diagnostics")
    form = {**fields, "session_date": "2027-05-20", "facilitator": "Inès", "p_role_0": "Direction"}
    first = await console.http.post(f"{page}/diagnostics", data=form)
    second = await console.http.post(f"{page}/diagnostics", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    every = ok(
        await standalone.client.get(
            f"/v1/diagnostics?organisation_id={org}", headers=standalone.admin
        )
    )["data"]
    assert len(every) == 2  # the one scheduled above, and this one once

    held = ok(
        await standalone.client.get(f"/v1/diagnostics/{diagnostic_id}", headers=standalone.admin)
    )
    assert held["kind"] == "cap_session"
    assert held["status"] == "scheduled"
    assert held["session_date"] == "2027-03-12"
    assert held["facilitator"] == "Inès Garcia (Coorace Occitanie)"
    assert [(p["name"], p["role"], p["category"]) for p in held["participants"]] == [
        ("Claire Martin", "Directrice", "staff"),
        ("=Karim Benali", "Salarié en parcours", "employee_in_pathway"),
    ]

    shown = await console.get(target)
    assert shown.status_code == 200
    words = text_of(shown)
    assert "Le diagnostic accompagné est programmé." in words
    assert "12 mars 2027" in words
    assert "Claire Martin" in words
    assert "Ouvrir la séance" in words

    listed_row = text_of(await console.get("/animation", params={"q": "sidobre"}))
    assert "Les Jardins du Sidobre ACI Programmé 20 mai 2027" in listed_row  # the latest

    # Run it: open the session, answer a theme.
    opened = await console.submit(
        target, f"/animation/diagnostics/{diagnostic_id}/transitions", {"action": "start"}
    )
    assert opened.status_code == 303
    theme_page = f"/animation/diagnostics/{diagnostic_id}?theme=T1"
    answers_url = f"/animation/diagnostics/{diagnostic_id}/reponses"
    missing_reason = await console.submit(
        theme_page, answers_url, {"theme": "T1", "level_0": "na", "level_1": "7"}
    )
    assert missing_reason.status_code == 422
    assert "Dites pourquoi ce critère ne s'applique pas." in text_of(missing_reason)
    assert "Choisissez un niveau de l'échelle." in text_of(missing_reason)

    saved = await console.submit(
        theme_page,
        answers_url,
        {
            "theme": "T1",
            "level_0": "3",
            "comment_0": "Projet relu en assemblée générale",
            "level_1": "na",
            "reason_1": "Pas de conseil d'administration",
        },
    )
    assert saved.status_code == 303, saved.text[:1500]
    answers = ok(
        await standalone.client.get(
            f"/v1/diagnostics/{diagnostic_id}/answers", headers=standalone.admin
        )
    )["data"]
    by_code = {a["code"]: a for a in answers}
    assert by_code["T1.1"]["level"] == 3
    assert by_code["T1.1"]["comment"] == "Projet relu en assemblée générale"
    assert by_code["T1.2"]["not_applicable"] is True
    assert "T1 — Identité 2 / 5" in text_of(await console.get(theme_page))

    # Completing too early is refused with the list of what is missing.
    early = await console.submit(
        target, f"/animation/diagnostics/{diagnostic_id}/transitions", {"action": "complete"}
    )
    assert early.status_code == 422
    words = text_of(early)
    assert "Diagnostic incomplet" in words
    assert "Ce qu'il reste à renseigner" in words
    assert "T1 — Identité : T1.3, T1.4, T1.5" in words

    # A stale ETag: nothing written, the current answers and a French message.
    stale = await console.submit(
        theme_page, answers_url, {"theme": "T1", "level_0": "1", "etag": 'W/"0"'}
    )
    assert stale.status_code == 412
    assert "Modifié entre-temps" in stale.text
    again = ok(
        await standalone.client.get(
            f"/v1/diagnostics/{diagnostic_id}/answers", headers=standalone.admin
        )
    )["data"]
    assert {a["code"]: a["level"] for a in again}["T1.1"] == 3

    # Session details changed with the ETag read.
    changed = await console.submit(
        target,
        f"/animation/diagnostics/{diagnostic_id}/seance",
        {
            "session_date": "2027-03-13",
            "facilitator": "Inès Garcia",
            "p_name_0": "Claire Martin",
            "p_role_0": "Directrice",
            "p_category_0": "staff",
        },
    )
    assert changed.status_code == 303, changed.text[:1500]
    held = ok(
        await standalone.client.get(f"/v1/diagnostics/{diagnostic_id}", headers=standalone.admin)
    )
    assert held["session_date"] == "2027-03-13"
    assert len(held["participants"]) == 1


async def test_the_network_view_hides_groups_under_five_and_exports_them_as_hidden(
    standalone: Topology, console: ConsoleClient
) -> None:
    await organisation(standalone, "Fil Catalan", "76", ["EI"])
    email = await account(standalone, "facilitator", region="76")
    await console.sign_in(email, PASSWORD)

    page = await console.get("/reseau")
    assert page.status_code == 200
    words = text_of(page)
    assert "Le réseau de ma région" in words
    assert "tout groupe de moins de 5 structures est masqué" in words
    assert "Pas assez de structures" in words
    assert "<svg" not in page.text or "masqué" in words

    export = await console.get("/reseau/export.csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Rubrique", "Groupe", "Élément", "Valeur"]
    assert ["Ensemble", "", "Chiffres", "masqué (moins de 5 structures)"] in rows

    workbook = await console.get("/reseau/export.xlsx")
    assert workbook.status_code == 200
    sheets = load_workbook(io.BytesIO(workbook.content)).sheetnames
    assert sheets == ["Chiffres du réseau", "Structures"]

    unknown = await console.get("/reseau/export.pdf")
    assert unknown.status_code == 404
    assert "Format inconnu" in unknown.text

    forged = await console.get("/reseau", params={"type": "=cmd", "referentiel": "../x"})
    assert forged.status_code == 200  # unknown filters fall back to the defaults
