"""A diagnostic's results: scores, band, radar, gaps and resources, and their downloads (PDF,
CSV, XLSX)."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_shared.formats import spreadsheet_row
from cap_web.api import Api
from cap_web.console import ApiDep, render
from cap_web.pages.structure.common import (
    EDITABLE,
    FRAMEWORK_NAMES,
    LABEL_NAMES,
    MEMBERS,
    STATUSES,
    DiagnosticId,
    part,
    radar_of,
    read_diagnostic,
    read_referential,
)

router = APIRouter()


@router.get(
    "/diagnostics/{diagnostic_id}/resultats", include_in_schema=False, dependencies=[MEMBERS]
)
async def results_page(request: Request, api: ApiDep, diagnostic_id: DiagnosticId) -> Response:
    """Scores per theme and per ISO subject or clause, band, radar, gaps, resources."""
    diagnostic, _ = await read_diagnostic(api, diagnostic_id)
    scores = await api.get(f"/v1/diagnostics/{diagnostic_id}/scores")
    recommendations, rec_problem = await part(
        api.get(f"/v1/diagnostics/{diagnostic_id}/recommendations")
    )
    referential = await read_referential(api, diagnostic)
    bands = referential.get("bands") or []
    rules, _ = await part(api.get("/v1/level-rules", limit=100))
    code = diagnostic["referential"]["code"]
    rule = next(
        (r for r in (rules or {}).get("data", []) if r.get("referential_code") == code), None
    )
    frameworks = [
        {"id": fid, "name": FRAMEWORK_NAMES.get(fid, fid), "groups": groups}
        for fid, groups in (scores.get("frameworks") or {}).items()
        if groups
    ]
    return render(
        request,
        "structure/results.html",
        {
            "d": diagnostic,
            "scores": scores,
            "frameworks": frameworks,
            "radar": radar_of(scores, "Scores par thème"),
            "recommendations": (recommendations or {}).get("gaps", []),
            "rec_problem": rec_problem,
            "bands": bands,
            "label_levels": (rule or {}).get("labels") or [],
            "label_name": LABEL_NAMES.get(code, code),
            "statuses": STATUSES,
            "completed": diagnostic["status"] not in EDITABLE,
        },
    )


@router.get(
    "/diagnostics/{diagnostic_id}/rapport.pdf", include_in_schema=False, dependencies=[MEMBERS]
)
async def report_pdf(api: ApiDep, diagnostic_id: DiagnosticId) -> Response:
    """The API's PDF report, passed through."""
    response = await api.request("GET", f"/v1/diagnostics/{diagnostic_id}/report.pdf",
                                 headers={"accept": "application/pdf"})  # fmt: skip
    if response.status_code >= 400:
        from cap_web.api import problem_of

        raise problem_of(response)
    headers = {
        "content-disposition": response.headers.get(
            "content-disposition", f'attachment; filename="diagnostic-{diagnostic_id}.pdf"'
        )
    }
    return Response(
        response.content,
        media_type=response.headers.get("content-type", "application/pdf"),
        headers=headers,
    )


def _rows(scores: dict[str, Any]) -> list[list[Any]]:
    head = ["Regroupement", "Code", "Intitulé", "Score (sur 1000)", "Niveau", "Critères notés",
            "Non applicables", "Critères"]  # fmt: skip
    rows: list[list[Any]] = [head]
    groups = [scores.get("overall") or {}, *(scores.get("themes") or [])]
    for fid, items in (scores.get("frameworks") or {}).items():
        groups.extend({**g, "group": FRAMEWORK_NAMES.get(fid, fid)} for g in items)
    labels = {"overall": "Ensemble", "theme": "Thème"}
    for g in groups:
        if not g:
            continue
        rows.append(
            [
                labels.get(str(g.get("group")), g.get("group")),
                g.get("code"),
                g.get("name"),
                g.get("score"),
                g.get("band"),
                g.get("rated"),
                g.get("not_applicable"),
                g.get("total"),
            ]
        )
    return rows


async def _export_base(api: Api, diagnostic_id: str) -> tuple[str, list[list[Any]]]:
    diagnostic, _ = await read_diagnostic(api, diagnostic_id)
    scores = await api.get(f"/v1/diagnostics/{diagnostic_id}/scores")
    name = f"resultats-diagnostic-{diagnostic['session_date'] or diagnostic_id[:8]}"
    return name, [spreadsheet_row(row) for row in _rows(scores)]


@router.get(
    "/diagnostics/{diagnostic_id}/resultats.csv", include_in_schema=False, dependencies=[MEMBERS]
)
async def results_csv(api: ApiDep, diagnostic_id: DiagnosticId) -> Response:
    """The scores as CSV (semicolons and a BOM, as French spreadsheets open them)."""
    name, rows = await _export_base(api, diagnostic_id)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return Response(
        ("\ufeff" + out.getvalue()).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get(
    "/diagnostics/{diagnostic_id}/resultats.xlsx", include_in_schema=False, dependencies=[MEMBERS]
)
async def results_xlsx(api: ApiDep, diagnostic_id: DiagnosticId) -> Response:
    """The scores as an Excel workbook."""
    from openpyxl import Workbook

    name, rows = await _export_base(api, diagnostic_id)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Scores"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{name}.xlsx"'},
    )
