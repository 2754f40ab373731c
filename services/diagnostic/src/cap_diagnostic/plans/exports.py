"""The action plan as it leaves the tool: CSV and XLSX, in French.

The CSV uses ``;`` and a BOM so spreadsheet software in French opens it as expected; the XLSX is
written with openpyxl. Every text a person typed (actions, owners, descriptions) is written
through :mod:`cap_shared.formats`: OWASP's formula triggers neutralised and characters XML
cannot carry dropped in every cell. Pure functions: callers run them in a worker thread.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from cap_diagnostic.plans.schemas import ActionPublic
from cap_shared.formats import spreadsheet_cell, spreadsheet_row

ACTION_STATUS_FR = {
    "proposed": "Proposée",
    "planned": "Planifiée",
    "in_progress": "En cours",
    "done": "Réalisée",
    "verified": "Vérifiée",
    "cancelled": "Annulée",
}
PRIORITY_FR = {"low": "Basse", "medium": "Moyenne", "high": "Haute"}
PLAN_COLUMNS = (
    "Action",
    "Critère",
    "Thème",
    "Responsable",
    "Échéance",
    "Priorité",
    "Statut",
    "En retard",
    "Origine",
    "Gain attendu (points)",
    "Description",
)


def _plan_row(a: ActionPublic) -> list[Any]:
    """An action's cells, in the order of ``PLAN_COLUMNS``."""
    return [
        a.title,
        a.criterion_code or "",
        a.theme_code or "",
        a.owner or "",
        a.due_date,
        PRIORITY_FR.get(a.priority, a.priority),
        ACTION_STATUS_FR.get(a.status, a.status),
        "oui" if a.overdue else "non",
        {"diagnostic": "Diagnostic", "audit": "Audit", "manual": "Saisie"}.get(a.source, a.source),
        a.expected_gain if a.expected_gain is not None else "",
        a.description,
    ]


def plan_csv(actions: list[ActionPublic]) -> bytes:
    """The action plan as CSV (UTF-8 with BOM, ``;`` separated, ISO dates)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(PLAN_COLUMNS)
    for a in actions:
        row = _plan_row(a)
        row[4] = a.due_date.isoformat() if a.due_date else ""
        writer.writerow(spreadsheet_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def plan_xlsx(organisation: str, actions: list[ActionPublic]) -> bytes:
    """The action plan as an XLSX workbook (one sheet, header frozen, filters on)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Plan d'actions"
    sheet.append([spreadsheet_cell(f"Plan de progrès — {organisation}")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(list(PLAN_COLUMNS))
    for cell in sheet[3]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    for a in actions:
        sheet.append(spreadsheet_row(_plan_row(a)))
        if a.due_date:
            sheet.cell(row=sheet.max_row, column=5).number_format = "DD/MM/YYYY"
    widths = (48, 10, 10, 20, 12, 10, 12, 10, 12, 12, 60)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    for row in sheet.iter_rows(min_row=4, min_col=11, max_col=11):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A4"
    sheet.auto_filter.ref = f"A3:{get_column_letter(len(PLAN_COLUMNS))}{max(sheet.max_row, 3)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
