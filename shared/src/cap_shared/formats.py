"""Text a caller typed, made safe for the format it is written into.

Every user-supplied string rendered into a CSV, an XLSX sheet or ReportLab's paragraph markup goes
through one of these (HTML and e-mail go through Jinja2's autoescape). Each function is total: no
input string makes it raise, so a member's typing can never turn an export into a 500.
"""

from __future__ import annotations

import re
from typing import Any

#: OWASP's CSV-injection rule: a cell starting with one of these is read as a formula (or, for
#: TAB and CR, turned into one once the spreadsheet trims the cell).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Characters XML 1.0 (hence XLSX and ReportLab's markup) cannot carry: C0 controls but tab, line
#: feed and carriage return, and the two non-characters.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _XML_ILLEGAL.sub("", text)


def spreadsheet_cell(value: Any) -> Any:
    """A value for a CSV or XLSX cell: strings that a spreadsheet would evaluate as a formula get
    a leading apostrophe (OWASP), characters XML cannot carry are dropped; other values as is."""
    if not isinstance(value, str):
        return value
    value = xml_text(value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_row(values: list[Any]) -> list[Any]:
    """:func:`spreadsheet_cell` on each value of a row."""
    return [spreadsheet_cell(v) for v in values]


def pdf_markup(text: str) -> str:
    """``text`` as literal text in ReportLab's paragraph mini-markup: ``&``, ``<`` and ``>``
    escaped, characters XML cannot carry dropped, line breaks kept as ``<br/>``."""
    escaped = xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br/>")
