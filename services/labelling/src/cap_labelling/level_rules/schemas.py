"""API shapes of the level rules."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class LevelRulePublic(BaseModel):
    """A referential version's stored rule (its latest revision), summarised."""

    referential_code: str
    referential_version: int
    revision: int
    rule: str
    levels: list[str]
    labels: list[str]
    label_from: str | None
    source: str
    imported_at: datetime
    imported_by: str
    sha256: str
