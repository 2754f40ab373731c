"""Reports that leave the tool: the PDF restitution report, the action plan as CSV and XLSX."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from pypdf import PdfReader

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
        headers=service.member(),
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
