"""API shapes of referentials: a version imported, listed, detailed for rating, or compared
with another."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel


class ReferentialSummary(BaseModel):
    """An imported referential version."""

    id: str
    urn: str
    code: str
    version: int
    name: str
    status: str
    published_on: date
    imported_at: datetime
    criteria_count: int
    extends: list[dict[str, Any]]
    #: When an admin published it; None: imported, not offered for new diagnostics yet.
    published_at: datetime | None
    published_by: str | None


class ReferentialImported(ReferentialSummary):
    """An import's result: the version and what it changed against the previous one."""

    changes: dict[str, Any] | None


class ScaleLevel(BaseModel):
    """A level of a criterion's scale."""

    value: int
    name: str
    description: str


class CriterionPublic(BaseModel):
    """A criterion as clients show it for rating."""

    urn: str
    code: str
    name: str
    guidance: str
    evidence_examples: list[str]
    indicators: list[dict[str, Any]]
    action_templates: list[dict[str, Any]]
    weight: float
    kind: str
    core: bool
    scale: list[ScaleLevel]
    mappings: list[dict[str, str]]
    origin: str


class ThemePublic(BaseModel):
    """A theme and its criteria."""

    urn: str
    code: str
    name: str
    description: str
    criteria: list[CriterionPublic]


class ReferentialDetail(ReferentialSummary):
    """A version with its resolved themes and criteria (the reused ones included)."""

    description: str
    status_note: str | None
    bands: list[dict[str, Any]]
    frameworks: list[dict[str, Any]]
    themes: list[ThemePublic]
    changes: dict[str, Any] | None


class ThemeItem(BaseModel):
    """A theme added or removed between two versions."""

    urn: str
    code: str
    name: str


class CriterionItem(BaseModel):
    """A criterion added, removed or changed between two versions."""

    urn: str
    code: str
    name: str
    theme_code: str


class FieldChange(BaseModel):
    """One field of a criterion, before and after (as one line of text)."""

    field: str
    before: str
    after: str


class CriterionChange(CriterionItem):
    """A criterion kept (same URN) whose fields changed."""

    fields: list[FieldChange]
    scale_changed: bool


class ReferentialDifferences(BaseModel):
    """What changed from one version of a referential to another, field by field."""

    code: str
    from_version: int
    to_version: int
    themes_added: list[ThemeItem]
    themes_removed: list[ThemeItem]
    criteria_added: list[CriterionItem]
    criteria_removed: list[CriterionItem]
    criteria_changed: list[CriterionChange]
    criteria_unchanged: int
    bands_changed: bool
    bands_before: list[dict[str, Any]]
    bands_after: list[dict[str, Any]]
