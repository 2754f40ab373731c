"""Text helpers: folding for search where PostgreSQL's French configuration is not available
(SQLite registers it as the SQL function ``cap_fold``), and free text refused with control
characters."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

from cap_shared.field_errors import FieldError


def fold(text: str) -> str:
    """Lower case without accents: "Évaluation" -> "evaluation"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_or_none(text: str | None) -> str | None:
    """:func:`fold` for SQL (NULL stays NULL)."""
    return None if text is None else fold(text)


#: C0 control characters but tab, line feed and carriage return, and DEL.
_CONTROL = frozenset(chr(c) for c in (*range(0x20), 0x7F)) - {"\t", "\n", "\r"}


def printable(value: str) -> str:
    """``value`` unchanged, or ValueError when it holds a control character (a NUL cannot even
    be stored by PostgreSQL): as a pydantic validator, a 422 naming the field, never a 500."""
    if any(c in _CONTROL for c in value):
        raise FieldError(
            "control characters are not allowed",
            "Les caractères de contrôle ne sont pas autorisés",
        )
    return value


#: Free text a caller types (names, reasons, plans): any printable character, tabs and line
#: breaks.
Text = Annotated[str, AfterValidator(printable)]
