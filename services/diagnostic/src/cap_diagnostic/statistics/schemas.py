"""API shapes of the network view and of a structure's position among its peers.

The service builds these answers as data (:mod:`cap_diagnostic.statistics.service`); these
models declare them in the API description and check them on the way out. Routes answer them
with ``response_model_exclude_unset``: a member the service leaves out (a group suppressed below
the k-anonymity threshold keeps only what names it and ``suppressed: true``) stays out.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


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
    """A region and SIAE type with too few structures to show."""

    region: str | None
    siae_type: str | None


class NetworkTotals(BaseModel):
    """Structures in the scope: how many, diagnosed, labelled and certified."""

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
    """A theme's maturity withheld (too few structures)."""

    group: str
    code: str


class Quarter(BaseModel):
    """Diagnostics completed in one quarter."""

    quarter: str
    structures: int
    diagnostics: int
    average_score: int | None


class SuppressedQuarter(Suppressed):
    """A quarter's figures withheld (too few structures)."""

    quarter: str


class NetworkScope(BaseModel):
    """What the figures cover: the regions and the SIAE type."""

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
    """A peer group withheld (too few structures)."""

    region: str | None
    siae_type: str


class PeerPosition(BaseModel):
    """Where a structure stands among its peers (``peer_groups`` once it is diagnosed)."""

    organisation_id: str
    referential: str
    diagnosed: bool
    min_group: int | None = None
    peer_groups: list[PeerGroup | SuppressedPeerGroup] | None = None
