"""Referentials: versioned files of themes and criteria, imported, resolved and exported."""
