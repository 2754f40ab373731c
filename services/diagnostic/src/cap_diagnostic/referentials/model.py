"""A referential version resolved for use: its own and its reused criteria, flat and indexed.

Pure data built by the loader from a :class:`ReferentialFile` and the versions it extends. It
is immutable, so the service caches one per stored version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cap_diagnostic.referentials.schema import (
    ActionTemplate,
    Band,
    CriterionKind,
    Framework,
    Indicator,
    Mapping,
    ReferentialFile,
    Scale,
)


@dataclass(frozen=True, slots=True)
class ResolvedCriterion:
    """A criterion as a diagnostic on this referential version rates it."""

    urn: str
    code: str
    name: str
    guidance: str
    theme_urn: str
    theme_code: str
    theme_name: str
    weight: float
    kind: CriterionKind
    core: bool
    scale: Scale
    mappings: tuple[Mapping, ...]
    indicators: tuple[Indicator, ...]
    action_templates: tuple[ActionTemplate, ...]
    evidence_examples: tuple[str, ...]
    #: The referential that defines it (``urn``, version): itself, or one it extends.
    origin: tuple[str, int]

    @property
    def max_level(self) -> int:
        """The top level of its scale."""
        return len(self.scale.levels) - 1


@dataclass(frozen=True, slots=True)
class ResolvedTheme:
    """A theme and its criteria, in file order."""

    urn: str
    code: str
    name: str
    description: str
    criteria: tuple[ResolvedCriterion, ...]


@dataclass(frozen=True)
class ResolvedReferential:
    """Everything scoring, diagnostics and reports need about one referential version."""

    document: ReferentialFile
    themes: tuple[ResolvedTheme, ...]
    frameworks: dict[str, Framework]
    scales: dict[str, Scale]
    criteria: dict[str, ResolvedCriterion] = field(init=False)
    #: For each framework scored by top level: item ref -> its top-level ref.
    top_levels: dict[str, dict[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        criteria = {c.urn: c for t in self.themes for c in t.criteria}
        object.__setattr__(self, "criteria", criteria)
        tops: dict[str, dict[str, str]] = {}
        for framework in self.frameworks.values():
            if not framework.score_by_top_level:
                continue
            parents = {i.ref: i.parent for i in framework.items}
            resolved: dict[str, str] = {}
            for ref in parents:
                top, seen = ref, 0
                while parents.get(top) is not None and seen < len(parents):
                    top, seen = parents[top] or top, seen + 1
                resolved[ref] = top
            tops[framework.id] = resolved
        object.__setattr__(self, "top_levels", tops)

    @property
    def urn(self) -> str:
        """The referential's URN."""
        return self.document.urn

    @property
    def code(self) -> str:
        """The referential's code."""
        return self.document.code

    @property
    def version(self) -> int:
        """The version's number."""
        return self.document.version

    @property
    def bands(self) -> list[Band]:
        """The score bands of the referential."""
        return self.document.bands

    def framework_item_name(self, framework: str, ref: str) -> str:
        """The display name of a framework item (its ref when unknown)."""
        for item in self.frameworks[framework].items:
            if item.ref == ref:
                return item.name
        return ref
