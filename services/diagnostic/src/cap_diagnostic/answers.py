"""Shapes of the computed answers: scores, the home-screen summary, network statistics and a
structure's position among its peers.

The services build these answers as data (:mod:`cap_diagnostic.scoring`,
:mod:`cap_diagnostic.statistics`); these models declare them in the API description and check
them on the way out. Routes answer them with ``response_model_exclude_unset``: a member the
service leaves out (a group suppressed below the k-anonymity threshold keeps only what names
it and ``suppressed: true``) stays out.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


# scores ----------------------------------------------------------------------------------------
class GroupScoreOut(BaseModel):
    """The score of one group of criteria (a theme, a kind, a framework's group, overall)."""

    group: str = Field(description='"overall", "theme", "kind", or a framework id')
    code: str
    name: str
    score: int | None = Field(description="None when nothing in the group is rated")
    band: str | None
    rated: int
    not_applicable: int
    total: int


class CriterionPointOut(BaseModel):
    """A strength or a weak point."""

    urn: str
    code: str
    name: str
    theme_code: str
    level: int
    max_level: int


class RaiseOut(BaseModel):
    """Raising a criterion from one level to another, and what it adds to the overall score."""

    urn: str
    code: str
    name: str
    from_level: int
    to_level: int
    gain: float


class GapOut(BaseModel):
    """What is missing to reach a band."""

    band: str
    min_score: int
    points_missing: int
    reachable: bool
    raises: list[RaiseOut]


class ScoresOut(BaseModel):
    """Every score of a diagnostic: overall, per theme, per framework group and per kind;
    strengths, weak points and the gap to each band."""

    overall: GroupScoreOut
    themes: list[GroupScoreOut]
    frameworks: dict[str, list[GroupScoreOut]]
    kinds: list[GroupScoreOut]
    complete: bool
    missing: list[str] = Field(description="Codes of the criteria neither rated nor N/A")
    strengths: list[CriterionPointOut]
    weak_points: list[CriterionPointOut]
    gaps: list[GapOut]


# the home screen -------------------------------------------------------------------------------
class LatestDiagnostic(BaseModel):
    """The organisation's latest diagnostic, in short."""

    id: str
    organisation_id: str
    referential: dict[str, Any]
    status: str
    progress: dict[str, int]
    overall_score: int | None
    overall_band: str | None
    completed_at: datetime | None


class DiagnosticSummary(BaseModel):
    """The caller's organisation at a glance: its latest diagnostic and its open actions."""

    latest_diagnostic: LatestDiagnostic | None
    open_actions: int
    next_due_date: date | None


# statistics ------------------------------------------------------------------------------------
class Suppressed(BaseModel):
    """Figures withheld: fewer structures than ``min_group`` (k-anonymity)."""

    suppressed: Literal[True]


class NetworkCell(BaseModel):
    """Structures of one region and SIAE type."""

    region: str | None
    siae_type: str | None
    structures: int
    diagnosed: int
    labelled: int
    certified: int


class SuppressedCell(Suppressed):
    region: str | None
    siae_type: str | None


class NetworkTotals(BaseModel):
    structures: int
    diagnosed: int
    diagnosed_share: float | None
    labelled: int
    certified: int
    overall_median: int | float | None


class Maturity(BaseModel):
    """How many structures are in each band of a group of criteria."""

    group: str
    code: str
    bands: dict[str, int]
    structures: int


class SuppressedMaturity(Suppressed):
    group: str
    code: str


class Quarter(BaseModel):
    """Diagnostics completed in one quarter."""

    quarter: str
    structures: int
    diagnostics: int
    average_score: int | None


class SuppressedQuarter(Suppressed):
    quarter: str


class NetworkScope(BaseModel):
    regions: list[str] | None = Field(description="None: the whole network")
    siae_type: str | None


class NetworkStatistics(BaseModel):
    """The network's figures in the caller's scope; groups below ``min_group`` suppressed."""

    referential: str
    scope: NetworkScope
    min_group: int
    by_region_and_type: list[NetworkCell | SuppressedCell]
    totals: NetworkTotals | Suppressed
    maturity: list[Maturity | SuppressedMaturity] | Suppressed
    trend: list[Quarter | SuppressedQuarter]


class Comparison(BaseModel):
    """A score of the structure against its peers'."""

    group: str
    code: str
    score: int
    peers_median: int
    peers_p25: int
    peers_p75: int
    percentile: int


class PeerGroup(BaseModel):
    """Peers of one SIAE type in the structure's region."""

    region: str | None
    siae_type: str
    peers: int
    comparisons: list[Comparison]


class SuppressedPeerGroup(Suppressed):
    region: str | None
    siae_type: str


class PeerPosition(BaseModel):
    """Where a structure stands among its peers (``peer_groups`` once it is diagnosed)."""

    organisation_id: str
    referential: str
    diagnosed: bool
    min_group: int | None = None
    peer_groups: list[PeerGroup | SuppressedPeerGroup] | None = None
