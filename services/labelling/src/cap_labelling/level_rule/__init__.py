"""Moved to :mod:`cap_labelling.level_rules.rules`: the names the decisions still import from here.

A package, not a module, so that git follows ``level_rule.py`` to its new place; delete it once
the decisions import :mod:`cap_labelling.level_rules.rules`.
"""

from __future__ import annotations

from cap_labelling.level_rules.rules import LevelResult, LevelRule, compute, lowest

__all__ = ["LevelResult", "LevelRule", "compute", "lowest"]
