"""Reports that leave the tool: the PDF restitution report, the action plan as CSV and XLSX."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from cap_diagnostic.models import Diagnostic, Organisation, ProgressAction, Resource
from cap_shared.testing.conditional import if_match

from .conftest import Service
from .test_diagnostics import act
from .test_plans import rated_diagnostic, the_plan


async def issued(service: Service) -> dict:
    figures = {
        "employees_in_pathway": 32,
        "exits": {"emploi_durable": 5, "emploi_transition": 3, "sortie_positive": 4, "autres": 8},
    }
    diagnostic = await rated_diagnostic(service, {"T2.2": 0, "T3.6": 1, "T1.1": 4}, figures=figures)
    await act(service, diagnostic["id"], "issue_plan")
    return diagnostic


async def test_the_restitution_report_is_a_french_pdf_with_scores_plan_and_resources(
    service: Service,
) -> None:
    diagnostic = await issued(service)
    response = await service.client.get(
        f"/v1/diagnostics/{diagnostic['id']}/report.pdf", headers=service.member()
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 4
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Rapport de restitution",
        "Structure a",
        "Positionnement par thème",
        "T2 — Services rendus",
        "Points forts",
        "Axes d'amélioration",
        "Plan de progrès",
        "Ressources recommandées",
        "60.0 %",  # dynamic exits: (5 + 3 + 4) / 20
    ):
        assert expected in text, expected
    assert "Version provisoire" not in text
    assert reader.metadata.title == "Rapport de restitution — Structure a"


async def test_a_report_before_completion_says_it_is_provisional(service: Service) -> None:
    from .test_diagnostics import open_diagnostic

    diagnostic = await open_diagnostic(service)
    response = await service.client.get(
        f"/v1/diagnostics/{diagnostic['id']}/report.pdf", headers=service.member()
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Version provisoire" in text
    outsider = await service.client.get(
        f"/v1/diagnostics/{diagnostic['id']}/report.pdf", headers=service.member("b")
    )
    assert outsider.status_code == 404


async def test_the_action_plan_exports_as_csv_and_xlsx_with_the_same_rows(service: Service) -> None:
    await issued(service)
    plan = await the_plan(service)
    await service.client.patch(
        f"/v1/actions/{plan['actions'][0]['id']}",
        json={"owner": '=HYPERLINK("x")'},
        headers=await if_match(
            service.client, f"/v1/actions/{plan['actions'][0]['id']}", service.member()
        ),
    )
    as_csv = await service.client.get(
        f"/v1/progress-plans/{plan['id']}/export.csv", headers=service.member()
    )
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Action", "Critère", "Thème", "Responsable", "Échéance"]
    assert len(rows) == 1 + len(plan["actions"])
    assert {r[1] for r in rows[1:]} == {a["criterion_code"] for a in plan["actions"]}
    assert any(r[3] == '\'=HYPERLINK("x")' for r in rows[1:])  # no formula injection

    as_xlsx = await service.client.get(
        f"/v1/progress-plans/{plan['id']}/export.xlsx", headers=service.member()
    )
    assert as_xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet.title == "Plan d'actions"
    assert sheet["A1"].value == "Plan de progrès — Structure a"
    values = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(values) == len(plan["actions"])
    assert {v[1] for v in values} == {a["criterion_code"] for a in plan["actions"]}
    outsider = await service.client.get(
        f"/v1/progress-plans/{plan['id']}/export.xlsx", headers=service.member("b")
    )
    assert outsider.status_code == 404


def pdf_text(content: bytes) -> str:
    """The PDF's text, whitespace normalised (table cells wrap)."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


async def test_an_owner_typed_with_markup_is_shown_as_typed_in_the_pdf(service: Service) -> None:
    # Issue 15 item 3: "Directrice <b>adjointe" re-enabled <b> inside user text -> 500.
    diagnostic = await issued(service)
    plan = await the_plan(service)
    patched = await service.client.patch(
        f"/v1/actions/{plan['actions'][0]['id']}",
        json={"owner": "Directrice <b>adjointe", "title": "Former <b>les</b> tuteurs & <i>co"},
        headers=await if_match(
            service.client, f"/v1/actions/{plan['actions'][0]['id']}", service.member()
        ),
    )
    assert patched.status_code == 200
    response = await service.client.get(
        f"/v1/diagnostics/{diagnostic['id']}/report.pdf", headers=service.member()
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Directrice <b>adjointe" in text
    assert "Former <b>les</b> tuteurs & <i>co" in text


#: Text as people type it, or as earlier input and other services' events may have stored it:
#: ReportLab markup and entities, OWASP's formula triggers (= + - @ TAB CR), a character XML
#: cannot carry. Each becomes an action's owner, and part of its title and description.
HOSTILE = {
    # typed -> the cell the CSV and the XLSX must hold
    "Directrice <b>adjointe": "Directrice <b>adjointe",
    "Chef </para> & <i>co": "Chef </para> & <i>co",
    '<font size="40">énorme</font> &amp;': '<font size="40">énorme</font> &amp;',
    '=HYPERLINK("http://evil.example","clic")': '\'=HYPERLINK("http://evil.example","clic")',
    "\r=1+1": "'\r=1+1",
    "\t=1+1": "'\t=1+1",
    "+33 6 12": "'+33 6 12",
    "-2+3": "'-2+3",
    "@SUM(A1:A2)": "'@SUM(A1:A2)",
    "a\u000bb": "ab",
}
ORGANISATION = "Régie <b>Nord</b> & <i>Sud\u000b"


async def hostile_plan(service: Service) -> tuple[dict, dict]:
    """An issued diagnostic whose plan, organisation, session and resources hold HOSTILE text."""
    diagnostic = await issued(service)
    plan = await the_plan(service)
    for _ in HOSTILE:
        created = await service.client.post(
            f"/v1/progress-plans/{plan['id']}/actions",
            json={"title": "à renommer"},
            headers=await if_match(
                service.client, f"/v1/progress-plans/{plan['id']}", service.member()
            ),
        )
        assert created.status_code == 201
    ids = [a["id"] for a in (await the_plan(service))["actions"]]
    async with service.runtime.db.session() as session:
        for action_id, typed in zip(ids, HOSTILE, strict=False):
            await session.execute(
                sa.update(ProgressAction)
                .where(ProgressAction.id == action_id)
                .values(owner=typed, title=typed, description=f"{typed} détail")
            )
        await session.execute(
            sa.update(Organisation)
            .where(Organisation.id == service.organisations["a"].id)
            .values(name=ORGANISATION, siae_types=["ACI", "<b>EI"])
        )
        await session.execute(
            sa.update(Diagnostic)
            .where(Diagnostic.id == diagnostic["id"])
            .values(facilitator="Anim <b>atrice\u000c")
        )
        await session.execute(
            sa.update(Resource).values(
                title=Resource.title + " <b>", summary="=1+1 </b> " + Resource.summary
            )
        )
    return diagnostic, await the_plan(service)


async def test_every_text_typed_is_written_as_text_in_the_pdf_report(service: Service) -> None:
    diagnostic, _plan = await hostile_plan(service)
    response = await service.client.get(
        f"/v1/diagnostics/{diagnostic['id']}/report.pdf", headers=service.member()
    )
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == "Rapport de restitution — Régie <b>Nord</b> & <i>Sud"
    text = pdf_text(response.content)
    for shown in (
        "Régie <b>Nord</b> & <i>Sud",  # cover and footer, control character dropped
        "ACI, <b>EI",
        "Anim <b>atrice",
        "Directrice <b>adjointe",
        "Chef </para> & <i>co",
        '<font size="40">énorme</font> &amp;',
        "@SUM(A1:A2)",
        "=1+1 </b>",  # a recommended resource's summary
    ):
        assert shown in text, shown
    assert "ab" in text.split()


async def test_every_text_typed_is_a_plain_cell_in_the_xlsx_and_csv_exports(
    service: Service,
) -> None:
    # Issue 15 items 3, 4 and 11: "a\u000bb" made the XLSX export a 500 (without a request id),
    # "\r=1+1" and "\t=1+1" were written as is to the CSV.
    _diagnostic, plan = await hostile_plan(service)
    as_xlsx = await service.client.get(
        f"/v1/progress-plans/{plan['id']}/export.xlsx", headers=service.member()
    )
    assert as_xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet["A1"].value == "Plan de progrès — Régie <b>Nord</b> & <i>Sud"
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)  # no formula, whatever was typed
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    # XML reads a stored CR back as LF: what matters is the leading apostrophe.
    owners = {(r[3] or "").replace("\n", "\r") for r in rows}
    titles = {(r[0] or "").replace("\n", "\r") for r in rows}
    assert set(HOSTILE.values()) <= owners
    assert set(HOSTILE.values()) <= titles

    as_csv = await service.client.get(
        f"/v1/progress-plans/{plan['id']}/export.csv", headers=service.member()
    )
    assert as_csv.status_code == 200
    decoded = as_csv.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(decoded, newline=""), delimiter=";"))
    assert len(rows) == 1 + len(plan["actions"])
    assert set(HOSTILE.values()) <= {r[3] for r in rows[1:]}
    assert set(HOSTILE.values()) <= {r[0] for r in rows[1:]}
    descriptions = {r[10] for r in rows[1:]}
    assert "'\r=1+1 détail" in descriptions
    assert "ab détail" in descriptions
    assert "\x0b" not in decoded
