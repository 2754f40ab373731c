"""Text folding for search where PostgreSQL's French configuration is not available (SQLite
registers it as the SQL function ``cap_fold``)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents: "Évaluation" -> "evaluation"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_or_none(text: str | None) -> str | None:
    """:func:`fold` for SQL (NULL stays NULL)."""
    return None if text is None else fold(text)
