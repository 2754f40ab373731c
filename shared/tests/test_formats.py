"""Text a caller typed, escaped for each export format (issue 15, items 3 and 4)."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from cap_shared.formats import pdf_markup, spreadsheet_cell, spreadsheet_row, xml_text


def test_every_owasp_formula_trigger_is_neutralised() -> None:
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1"):
        assert spreadsheet_cell(cell) == "'" + cell
    assert spreadsheet_cell("Directrice") == "Directrice"
    assert spreadsheet_cell(3) == 3
    assert spreadsheet_row(["=A1", None, "ok"]) == ["'=A1", None, "ok"]


def test_control_characters_are_dropped_for_xml_formats() -> None:
    assert xml_text("a\u000bb\x00c\tok\n") == "abc\tok\n"
    assert spreadsheet_cell("a\u000bb") == "ab"


def test_pdf_markup_keeps_tags_literal() -> None:
    assert pdf_markup("Directrice <b>adjointe & co") == "Directrice &lt;b&gt;adjointe &amp; co"
    assert pdf_markup("a\r\nb\nc") == "a<br/>b<br/>c"


@settings(deadline=None)
@given(st.text())
def test_any_text_renders_in_a_reportlab_paragraph(text: str) -> None:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    SimpleDocTemplate(io.BytesIO()).build(
        [Paragraph(pdf_markup(text), getSampleStyleSheet()["Normal"])]
    )


@settings(deadline=None)
@given(st.text())
def test_any_text_is_a_valid_xlsx_cell_and_never_a_formula(text: str) -> None:
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    book.active.append([spreadsheet_cell(text)])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    book.save(buffer)
    cell = load_workbook(io.BytesIO(buffer.getvalue())).active["A1"]  # type: ignore[index]
    assert cell.data_type != "f"
