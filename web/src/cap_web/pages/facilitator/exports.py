"""The facilitator's downloads: CSV for French spreadsheets and XLSX workbooks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from fastapi.responses import Response

from cap_shared.formats import spreadsheet_row


def csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """CSV for French spreadsheets (UTF-8 with BOM, ``;``), formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(spreadsheet_row(list(header)))
    for row in rows:
        writer.writerow(spreadsheet_row(list(row)))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    """An XLSX workbook, one sheet per (title, header, rows); formula cells neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(spreadsheet_row(list(header)))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(spreadsheet_row(list(row)))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, filename: str, media_type: str) -> Response:
    """A file to save (never shown inline)."""
    return Response(
        content,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
