"""The structure's screens in-process: dashboard, diagnostics, answering a theme (saves, N/A
reason, conflicts, autosave), completion refused with what is missing, results and downloads."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import load_workbook

from cap_shared.testing.auth import create_user
from cap_shared.testing.siret import make_siret
from cap_standalone.testing import Topology
from cap_web.testing import ConsoleClient, hidden_fields

PASSWORD = "correct horse battery staple"


@dataclass
class Structure:
    organisation_id: str
    email: str
    headers: dict[str, str]


async def new_structure(standalone: Topology, n: int) -> Structure:
    """A structure of its own and its member_admin (nothing depends on demo data)."""
    client = standalone.client
    answer = await client.post(
        "/v1/organisations",
        json={
            "siret": make_siret(7000 + n + uuid.uuid4().int % 1000),
            "name": f"Atelier test {uuid.uuid4().hex[:6]}",
            "siae_types": ["ACI"],
            "region": "76",
            "delegation": "Coorace Occitanie",
        },
        headers=standalone.admin,
    )
    assert answer.status_code == 201, answer.text
    org = answer.json()["id"]
    email = f"claire.{uuid.uuid4().hex[:8]}@structure.example"
    headers = await create_user(
        client, standalone.admin, role="member_admin", email=email, password=PASSWORD,
        organisation_id=org,
    )  # fmt: skip
    return Structure(org, email, headers)


async def start_diagnostic(console: ConsoleClient, code: str = "CAP@1") -> str:
    for _ in range(50):  # a structure just registered reaches the diagnostic service by event
        answer = await console.submit(
            "/diagnostics", "/diagnostics", {"referential": code, "kind": "self_assessment"}
        )
        if "Structure inconnue" not in answer.text:
            break
        await asyncio.sleep(0.2)
    assert answer.status_code == 303, answer.text.split("<main", 1)[-1][:2000]
    location = answer.headers["location"]
    assert re.fullmatch(r"/diagnostics/[0-9a-f-]{36}", location)
    return location.rsplit("/", 1)[-1]


async def api_answers(standalone: Topology, who: Structure, diagnostic: str) -> dict[str, Any]:
    answer = await standalone.client.get(
        f"/v1/diagnostics/{diagnostic}/answers", params={"limit": 200}, headers=who.headers
    )
    assert answer.status_code == 200, answer.text
    return {a["code"]: a for a in answer.json()["data"]}


async def referential(standalone: Topology, who: Structure, code: str = "CAP") -> Any:
    answer = await standalone.client.get(f"/v1/referentials/{code}/versions/1", headers=who.headers)
    return answer.json()


async def test_the_dashboard_of_a_new_structure_invites_a_first_diagnostic(
    standalone: Topology, console: ConsoleClient
) -> None:
    who = await new_structure(standalone, 1)
    page = await console.sign_in(who.email, PASSWORD, next="/tableau-de-bord")
    assert page.status_code == 200
    assert page.request.url.path == "/tableau-de-bord"
    assert page.text.count("<h1") == 1
    assert "Commencer votre premier diagnostic" in page.text
    assert "Aucune notification non lue" in page.text or "non lue" in page.text
    listing = await console.get("/diagnostics")
    assert "pas encore de diagnostic" in listing.text
    assert "Commencer le diagnostic" in listing.text
    # bad input comes back in the form, in French, never a 500
    for data in (
        {"referential": "CAP@1", "kind": "cap_session", "session_date": "2026-02-31"},
        {"referential": "NOPE@1", "kind": "self_assessment"},
        {"referential": "CAP@1", "kind": "<script>"},
    ):
        refused = await console.submit("/diagnostics", "/diagnostics", data)
        assert refused.status_code in (400, 404, 409, 422), (data, refused.status_code)
        assert 'class="problem"' in refused.text
        assert "<script>" not in refused.text.split("<main", 1)[1]
    assert "pas encore de diagnostic" in (await console.get("/diagnostics")).text


async def test_a_theme_is_saved_with_its_checks_and_completion_lists_what_is_missing(
    standalone: Topology, console: ConsoleClient
) -> None:
    who = await new_structure(standalone, 2)
    await console.sign_in(who.email, PASSWORD)
    diagnostic = await start_diagnostic(console)
    theme = f"/diagnostics/{diagnostic}/themes/T1"
    page = await console.get(theme)
    assert page.status_code == 200
    # the scale comes with each level's descriptor, N/A comes with its reason
    assert "Non engagé" in page.text
    assert "Exemplaire" in page.text
    assert 'name="level-T1-1" value="na"' in page.text
    assert "<legend>Niveau de maturité pour T1.1</legend>" in page.text

    formula = "=cmd|' /C calc'!A0 <script>x</script>"
    saved = await console.submit(
        theme,
        theme,
        {
            "level-T1-1": "3",
            "comment-T1-1": formula,
            "evidence-T1-1": "Projet associatif 2026 | https://example.org/projet\nCharte signée",
            "level-T1-2": "na",
            "reason-T1-2": "",  # missing: refused in the form
            "level-T1-3": "7",  # outside the scale: refused in the form
        },
    )
    assert saved.status_code == 422
    assert "Indiquez pourquoi ce critère ne s&#39;applique pas" in saved.text
    assert "Choisissez un niveau entre 0 et 4" in saved.text
    assert "<script>x</script>" not in saved.text  # escaped, never run
    held = await api_answers(standalone, who, diagnostic)
    assert held["T1.1"]["level"] == 3
    assert held["T1.1"]["comment"] == formula
    assert held["T1.1"]["evidence"] == [
        {"title": "Projet associatif 2026", "url": "https://example.org/projet"},
        {"title": "Charte signée", "url": None},
    ], held["T1.1"]["evidence"]
    assert "T1.2" not in held
    assert "T1.3" not in held

    # the browser sends the whole theme again, T1.1 as it was saved
    fixed = await console.submit(
        theme,
        theme,
        {
            "level-T1-1": "3",
            "comment-T1-1": formula,
            "evidence-T1-1": "Projet associatif 2026 | https://example.org/projet\nCharte signée",
            "level-T1-2": "na",
            "reason-T1-2": "Pas de bénévoles",
            "level-T1-3": "0",
        },
    )
    assert fixed.status_code == 303
    assert fixed.headers["location"] == theme + "?enregistre=1"
    held = await api_answers(standalone, who, diagnostic)
    assert held["T1.2"]["not_applicable"] is True
    assert held["T1.2"]["not_applicable_reason"] == "Pas de bénévoles"
    assert held["T1.3"]["level"] == 0
    assert held["T1.1"]["level"] == 3  # untouched by the second save
    after = await console.get(fixed.headers["location"])
    assert "Critères renseignés dans ce thème : 3 sur 5" in after.text
    assert 'data-saved="diagnostic-' in after.text  # the browser's draft is cleared

    refused = await console.submit(
        f"/diagnostics/{diagnostic}", f"/diagnostics/{diagnostic}/terminer"
    )
    assert refused.status_code == 422
    assert "Diagnostic incomplet" in refused.text
    assert f'href="/diagnostics/{diagnostic}/themes/T1#crit-T1-4"' in refused.text
    assert f'href="/diagnostics/{diagnostic}/themes/T4#crit-T4-4"' in refused.text
    assert "crit-T1-1" not in refused.text  # answered ones are not listed


def both_versions_shown(answer: Any, *, mine: int, theirs: int) -> None:
    """A 412 page with the person's level for T1.1 and the stored one, side by side."""
    assert answer.status_code == 412
    assert "Modifié entre-temps par une autre personne" in answer.text
    assert f"Ma saisie : niveau {mine}" in answer.text
    assert f"La version enregistrée : niveau {theirs}" in answer.text


async def test_someone_else_s_change_is_shown_never_overwritten(
    standalone: Topology, console: ConsoleClient
) -> None:
    who = await new_structure(standalone, 3)
    await console.sign_in(who.email, PASSWORD)
    diagnostic = await start_diagnostic(console)
    theme = f"/diagnostics/{diagnostic}/themes/T1"
    page = await console.get(theme)
    fields = hidden_fields(page.text, theme)
    ref = await referential(standalone, who)
    urns = {c["code"]: c["urn"] for t in ref["themes"] for c in t["criteria"]}
    # meanwhile a colleague on a tablet rates T1.1 at 1 and T2.1 at 2
    current = await standalone.client.get(f"/v1/diagnostics/{diagnostic}", headers=who.headers)
    other = await standalone.client.put(
        f"/v1/diagnostics/{diagnostic}/answers",
        json={
            "answers": [
                {"id": str(uuid.uuid4()), "criterion": urns["T1.1"], "level": 1},
                {"id": str(uuid.uuid4()), "criterion": urns["T2.1"], "level": 2},
            ]
        },
        headers={**who.headers, "if-match": current.headers["etag"]},
    )
    assert other.status_code == 200, other.text

    # a change on another criterion only: saved (the colleague's work is kept)
    quiet = await console.http.post(theme, data={**fields, "level-T1-2": "2"})
    assert quiet.status_code == 303, quiet.text[:2000]
    held = await api_answers(standalone, who, diagnostic)
    assert held["T1.2"]["level"] == 2
    assert held["T1.1"]["level"] == 1

    # the same criterion: both versions shown, nothing written
    clash = await console.http.post(theme, data={**fields, "level-T1-1": "4"})
    both_versions_shown(clash, mine=4, theirs=1)
    held = await api_answers(standalone, who, diagnostic)
    assert held["T1.1"]["level"] == 1

    # the person keeps the colleague's version
    fields = hidden_fields(clash.text, theme)
    kept = await console.http.post(
        theme, data={**fields, "level-T1-1": "4", "level-T1-2": "2", "keep-T1-1": "theirs"}
    )
    assert kept.status_code == 303
    assert (await api_answers(standalone, who, diagnostic))["T1.1"]["level"] == 1
    # no choice made: the conflict stays on screen, nothing is written
    undecided = await console.http.post(
        theme, data={**fields, "level-T1-1": "4", "level-T1-2": "2"}
    )
    assert undecided.status_code == 412
    assert (await api_answers(standalone, who, diagnostic))["T1.1"]["level"] == 1
    # ... or their own, chosen explicitly
    mine = await console.http.post(
        theme, data={**fields, "level-T1-1": "4", "level-T1-2": "2", "keep-T1-1": "mine"}
    )
    assert mine.status_code == 303
    assert (await api_answers(standalone, who, diagnostic))["T1.1"]["level"] == 4


async def test_a_save_raced_by_a_write_between_its_read_and_its_write_reads_again(
    standalone: Topology, console: ConsoleClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The browser's field mode sends what it kept as soon as the network comes back, and the
    person clicks "save this theme" at that moment: the sync lands between the save's read and
    its write (its PUT answers 412 on both ETags it knows). The save reads again: the same
    answers are no conflict, the theme is saved; another person's different answer is shown."""
    from cap_web.pages.structure import theme as theme_module

    who = await new_structure(standalone, 8)
    await console.sign_in(who.email, PASSWORD)
    diagnostic = await start_diagnostic(console)
    theme = f"/diagnostics/{diagnostic}/themes/T1"
    ref = await referential(standalone, who)
    urns = {c["code"]: c["urn"] for t in ref["themes"] for c in t["criteria"]}
    read = theme_module._theme_context
    racing: list[int] = []  # the level the racing write gives T1.1, once

    async def read_then_race(api: Any, diagnostic_id: str, theme_code: str) -> Any:
        got = await read(api, diagnostic_id, theme_code)
        if racing:
            current = await standalone.client.get(
                f"/v1/diagnostics/{diagnostic}", headers=who.headers
            )
            answer = {"id": str(uuid.uuid4()), "criterion": urns["T1.1"], "level": racing.pop()}
            raced = await standalone.client.put(
                f"/v1/diagnostics/{diagnostic}/answers",
                json={"answers": [answer]},
                headers={**who.headers, "if-match": current.headers["etag"]},
            )
            assert raced.status_code == 200, raced.text
        return got

    monkeypatch.setattr(theme_module, "_theme_context", read_then_race)
    # the sync writes what the form sends (T1.1 at 4): saved
    fields = hidden_fields((await console.get(theme)).text, theme)
    racing.append(4)
    saved = await console.http.post(theme, data={**fields, "level-T1-1": "4", "level-T1-2": "1"})
    assert saved.status_code == 303, saved.text[:2000]
    assert saved.headers["location"] == theme + "?enregistre=1"
    assert not racing
    held = await api_answers(standalone, who, diagnostic)
    assert (held["T1.1"]["level"], held["T1.2"]["level"]) == (4, 1)

    # someone else rates T1.1 at 2 in that same moment: both versions are shown, nothing written
    fields = hidden_fields((await console.get(theme)).text, theme)
    racing.append(2)
    clash = await console.http.post(theme, data={**fields, "level-T1-1": "0", "level-T1-3": "3"})
    both_versions_shown(clash, mine=0, theirs=2)
    held = await api_answers(standalone, who, diagnostic)
    assert held["T1.1"]["level"] == 2
    assert "T1.3" not in held


async def test_a_hand_made_base_is_no_base(standalone: Topology, console: ConsoleClient) -> None:
    """The form's hidden ``base`` is an object of strings; anything else counts as no base
    (the answers as stored now): saved, never a 500."""
    who = await new_structure(standalone, 9)
    await console.sign_in(who.email, PASSWORD)
    diagnostic = await start_diagnostic(console)
    theme = f"/diagnostics/{diagnostic}/themes/T1"
    fields = hidden_fields((await console.get(theme)).text, theme)
    for level, base in enumerate(("[]", "1", '{"x": [1]}', "\x00", '"text"')):
        saved = await console.http.post(theme, data={**fields, "base": base, "level-T1-2": level})
        assert saved.status_code == 303, (base, saved.status_code, saved.text[:500])
        assert (await api_answers(standalone, who, diagnostic))["T1.2"]["level"] == level


async def test_autosave_answers_a_fragment_with_the_new_etag(
    standalone: Topology, console: ConsoleClient
) -> None:
    who = await new_structure(standalone, 4)
    await console.sign_in(who.email, PASSWORD)
    diagnostic = await start_diagnostic(console)
    theme = f"/diagnostics/{diagnostic}/themes/T2"
    page = await console.get(theme)
    fields = hidden_fields(page.text, theme)
    headers = {"hx-request": "true", "x-csrf-token": fields["csrf_token"]}
    first = await console.http.post(
        theme, data={**fields, "autosave": "1", "level-T2-1": "2"}, headers=headers
    )
    assert first.status_code == 200, first.text[:2000]
    assert 'id="save-state"' in first.text
    assert "Enregistré." in first.text
    etag = re.search(r'id="f-etag" name="etag" value="([^"]*)" hx-swap-oob', first.text)
    base = re.search(r'id="f-base" name="base" value="([^"]*)"', first.text)
    assert etag
    assert base
    assert etag.group(1) != fields["etag"]
    # N/A chosen, its reason not typed yet: the rest is saved, the reason is asked for
    second = await console.http.post(
        theme,
        data={
            **fields,
            "etag": html.unescape(etag.group(1)),
            "base": html.unescape(base.group(1)),
            "autosave": "1",
            "level-T2-1": "2",
            "level-T2-2": "na",
            "level-T2-3": "1",
        },
        headers=headers,
    )
    assert second.status_code == 200
    assert 'data-state="error"' in second.text
    assert "Indiquez pourquoi" in second.text
    held = await api_answers(standalone, who, diagnostic)
    assert held["T2.1"]["level"] == 2
    assert held["T2.3"]["level"] == 1
    assert "T2.2" not in held


async def test_results_and_downloads_after_completion(
    standalone: Topology, console: ConsoleClient
) -> None:
    who = await new_structure(standalone, 5)
    await console.sign_in(who.email, PASSWORD)
    diagnostic = await start_diagnostic(console, "CAP_RSE@1")
    ref = await referential(standalone, who, "CAP_RSE")
    criteria = [c for t in ref["themes"] for c in t["criteria"]]
    current = await standalone.client.get(f"/v1/diagnostics/{diagnostic}", headers=who.headers)
    batch = [
        {"id": str(uuid.uuid4()), "criterion": c["urn"], "level": i % 5}
        for i, c in enumerate(criteria)
    ]
    put = await standalone.client.put(
        f"/v1/diagnostics/{diagnostic}/answers",
        json={"answers": batch},
        headers={**who.headers, "if-match": current.headers["etag"]},
    )
    assert put.status_code == 200, put.text
    done = await console.submit(f"/diagnostics/{diagnostic}", f"/diagnostics/{diagnostic}/terminer")
    assert done.status_code == 303, done.text[:3000]
    assert done.headers["location"] == f"/diagnostics/{diagnostic}/resultats"
    scores = (
        await standalone.client.get(f"/v1/diagnostics/{diagnostic}/scores", headers=who.headers)
    ).json()

    page = await console.get(done.headers["location"])
    assert page.status_code == 200
    assert "<svg" in page.text
    assert 'role="img"' in page.text
    assert "style=" not in page.text
    assert "<caption>Score par thème (sur 1000)</caption>" in page.text
    assert "Questions centrales ISO 26000" in page.text
    assert f"<strong>{scores['overall']['score']}</strong> sur 1000" in page.text
    assert scores["overall"]["band"] in page.text
    assert "Écart à chaque niveau" in page.text
    assert "Les niveaux du label CAP RSE sont : Progression, Confirmé, Exemplaire." in page.text

    pdf = await console.get(f"/diagnostics/{diagnostic}/rapport.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"].startswith("application/pdf")

    sheet = await console.get(f"/diagnostics/{diagnostic}/resultats.csv")
    assert sheet.status_code == 200
    assert "attachment" in sheet.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Regroupement"
    assert rows[1][:2] == ["Ensemble", "CAP_RSE"]
    assert rows[1][3] == str(scores["overall"]["score"])
    assert any(r[0] == "Questions centrales ISO 26000" for r in rows)

    book = await console.get(f"/diagnostics/{diagnostic}/resultats.xlsx")
    assert book.status_code == 200
    workbook = load_workbook(io.BytesIO(book.content))
    values = list(workbook["Scores"].iter_rows(values_only=True))
    assert values[1][3] == scores["overall"]["score"]

    # the dashboard shows it with its radar, and keeps it while the next one is under way
    dashboard = await console.get("/tableau-de-bord")
    assert f"<strong>{scores['overall']['score']}</strong> sur 1000" in dashboard.text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in dashboard.text
    assert "<caption>Scores par thème du dernier diagnostic terminé</caption>" in dashboard.text
    await start_diagnostic(console)
    dashboard = await console.get("/tableau-de-bord")
    assert "Continuer le diagnostic" in dashboard.text
    assert "Dernier diagnostic terminé" in dashboard.text
    assert f"<strong>{scores['overall']['score']}</strong> sur 1000" in dashboard.text

    # finished: the theme is read-only
    theme = await console.get(f"/diagnostics/{diagnostic}/themes/T1")
    assert "Ce diagnostic est terminé" in theme.text
    assert "hx-post" not in theme.text


def test_export_cells_are_guarded_against_formulas() -> None:
    from cap_shared.formats import spreadsheet_cell as _safe_cell

    assert _safe_cell("=SUM(A1)") == "'=SUM(A1)"
    assert _safe_cell("+33") == "'+33"
    assert _safe_cell("-1") == "'-1"
    assert _safe_cell("@x") == "'@x"
    assert _safe_cell("Identité") == "Identité"
    assert _safe_cell(451) == 451


async def test_another_structure_s_diagnostic_is_a_french_refusal(
    standalone: Topology, console: ConsoleClient
) -> None:
    owner = await new_structure(standalone, 6)
    other = await new_structure(standalone, 7)
    for _ in range(50):  # the structure reaches the diagnostic service by event
        created = await standalone.client.post(
            "/v1/diagnostics",
            json={"organisation_id": owner.organisation_id, "kind": "self_assessment"},
            headers=owner.headers,
        )
        if created.status_code != 422:
            break
        await asyncio.sleep(0.2)
    assert created.status_code == 201
    await console.sign_in(other.email, PASSWORD)
    for path in ("", "/themes/T1", "/resultats", "/rapport.pdf", "/resultats.csv"):
        page = await console.get(f"/diagnostics/{created.json()['id']}{path}")
        assert page.status_code in (403, 404), (path, page.status_code)
        assert '<html lang="fr">' in page.text
    bad = await console.get("/diagnostics/not-an-id")
    assert bad.status_code == 404
    assert "Page introuvable" in bad.text
    unknown = await console.get(f"/diagnostics/{uuid.uuid4()}/themes/T1")
    assert unknown.status_code == 404


async def test_anonymous_and_other_roles_are_turned_away(
    standalone: Topology, console: ConsoleClient
) -> None:
    anonymous = await console.get("/diagnostics")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/connexion?next=/diagnostics")
    email = f"anne.{uuid.uuid4().hex[:8]}@coorace.example"
    await create_user(
        standalone.client, standalone.admin, role="committee", email=email, password=PASSWORD
    )
    await console.sign_in(email, PASSWORD)
    refused = await console.get("/tableau-de-bord")
    assert refused.status_code == 403
    assert "Accès refusé" in refused.text
