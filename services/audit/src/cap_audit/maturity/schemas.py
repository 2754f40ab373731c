"""API bodies of the maturity evaluated at audits."""

from __future__ import annotations

from pydantic import BaseModel, Field

from cap_audit.fields import PlatformId, Strict
from cap_shared.text import Text


class MaturityLevel(BaseModel):
    """The maturity evaluated for a criterion at a site, or not applicable."""

    model_config = Strict

    criterion_urn: Text = Field(max_length=200)
    level: int = Field(ge=0, le=10, description="Ignored when not_applicable")
    not_applicable: bool = False
    site_id: PlatformId | None = Field(
        default=None, description="The group member evaluated; null: the organisation itself"
    )
    comment: Text | None = Field(default=None, max_length=4000)


class MaturityBatch(BaseModel):
    """Evaluated maturity levels of an audit."""

    model_config = Strict

    levels: list[MaturityLevel] = Field(min_length=1, max_length=200)


class EvaluatedLevel(BaseModel):
    """The maturity recorded for a criterion at a site (``level`` is 0 when not applicable)."""

    criterion_urn: str
    site_id: str | None = Field(description="The group member evaluated; null: the organisation")
    level: int
    not_applicable: bool
    comment: str | None


class AuditMaturity(BaseModel):
    """The maturity evaluated so far at an audit, per criterion and site."""

    audit_id: str
    levels: list[EvaluatedLevel]
