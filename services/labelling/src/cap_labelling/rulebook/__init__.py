"""Moved to :mod:`cap_labelling.level_rules.service`: what the decisions still call from here.

A package, not a module, so that git follows ``rulebook.py`` to its new place; delete it once
the decisions call :func:`cap_labelling.level_rules.service.current`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.level_rules import service
from cap_labelling.level_rules.service import StoredRule


async def current(session: AsyncSession, code: str, version: int) -> StoredRule | None:
    """The rule that applies to referential ``code`` version ``version`` (its latest revision)."""
    return await service.current(session, code=code, version=version)
