"""Scoring of a diagnostic: pure functions, no I/O, the one place the rules live.

Rules (``docs/domain/domain.md`` §7.5):

* a rated criterion contributes ``weight * level / max_level`` of its scale; "not applicable"
  and unrated criteria are left out of both sides of the ratio. Only an auditor's evaluation
  completes with unrated criteria (what the auditor did not evaluate): leaving them out, rather
  than counting them as 0, makes the score say how the evaluated criteria stand without turning
  the auditor's omission into the structure's failing; ``rated`` / ``total`` per group say how
  much was evaluated, a group with nothing rated has no score, ``missing`` lists the unrated
  criteria (and the labelling service decides no level while an applicable one is unrated);
* a group's score is ``1000 * Σ contribution / Σ weight`` over its rated criteria, rounded half
  up to an integer, and named by the referential's bands (Non engagé, Initial, Progression,
  Confirmé, Exemplaire);
* groups: overall, each theme, each top-level item of a framework scored by top level (ISO 26000
  core subjects for CAP RSE, ISO 9001 clause groups for CAP ISO 9001), and practice / result
  criteria when a referential has result criteria;
* strengths are criteria rated at 75 % of their scale or more, weak points at 25 % or less;
* the gap analysis gives, for each band above the overall score, the points missing and the
  fewest one-level raises that reach it (largest gain first).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from cap_diagnostic.referentials.model import ResolvedCriterion, ResolvedReferential
from cap_diagnostic.referentials.schema import Band, CriterionKind

STRENGTH_RATIO = 0.75
WEAK_RATIO = 0.25


@dataclass(frozen=True, slots=True)
class Rating:
    """An answer as scoring sees it: a level, or not applicable (or neither: not yet rated)."""

    level: int | None = None
    not_applicable: bool = False


@dataclass(frozen=True, slots=True)
class GroupScore:
    """The score of one group of criteria."""

    group: str  # "overall", "theme", "kind", or a framework id
    code: str
    name: str
    score: int | None  # None when nothing in the group is rated
    band: str | None
    rated: int
    not_applicable: int
    total: int


@dataclass(frozen=True, slots=True)
class CriterionPoint:
    """A strength or weak point."""

    urn: str
    code: str
    name: str
    theme_code: str
    level: int
    max_level: int


@dataclass(frozen=True, slots=True)
class Raise:
    """Raising a criterion from one level to another, and what it adds to the overall score."""

    urn: str
    code: str
    name: str
    from_level: int
    to_level: int
    gain: float


@dataclass(frozen=True, slots=True)
class Gap:
    """What is missing to reach a band."""

    band: str
    min_score: int
    points_missing: int
    reachable: bool
    raises: tuple[Raise, ...]


@dataclass(frozen=True)
class Scores:
    """Every score of a diagnostic."""

    overall: GroupScore
    themes: tuple[GroupScore, ...]
    frameworks: dict[str, tuple[GroupScore, ...]]
    kinds: tuple[GroupScore, ...]
    complete: bool
    missing: tuple[str, ...]  # codes of criteria neither rated nor N/A
    strengths: tuple[CriterionPoint, ...]
    weak_points: tuple[CriterionPoint, ...]
    gaps: tuple[Gap, ...]
    #: Per criterion urn: points the overall score gains if it is raised one level (0 at top).
    step_gain: dict[str, float] = field(default_factory=dict)


def round_half_up(value: float) -> int:
    """Round like people do (300.5 -> 301), not like banks do."""
    return math.floor(value + 0.5)


def band_of(bands: list[Band], score: int | None) -> str | None:
    """The named band holding ``score``."""
    if score is None:
        return None
    for band in bands:
        if band.min <= score <= band.max:
            return band.name
    return None


class _Acc:
    __slots__ = ("earned", "na", "rated", "total", "weight")

    def __init__(self) -> None:
        self.earned = 0.0
        self.weight = 0.0
        self.rated = 0
        self.na = 0
        self.total = 0

    def add(self, criterion: ResolvedCriterion, rating: Rating | None) -> None:
        self.total += 1
        if rating is None:
            return
        if rating.not_applicable:
            self.na += 1
        elif rating.level is not None:
            self.rated += 1
            self.weight += criterion.weight
            self.earned += criterion.weight * rating.level / criterion.max_level

    def result(self, bands: list[Band], group: str, code: str, name: str) -> GroupScore:
        score = round_half_up(1000 * self.earned / self.weight) if self.weight else None
        return GroupScore(
            group=group,
            code=code,
            name=name,
            score=score,
            band=band_of(bands, score),
            rated=self.rated,
            not_applicable=self.na,
            total=self.total,
        )


def score(referential: ResolvedReferential, ratings: Mapping[str, Rating]) -> Scores:
    """Every score of a diagnostic on ``referential`` given its ratings (by criterion urn)."""
    bands = referential.bands
    overall = _Acc()
    kinds: dict[CriterionKind, _Acc] = {}
    by_framework: dict[str, dict[str, _Acc]] = {f: {} for f in referential.top_levels}
    themes = []
    missing: list[str] = []
    strengths: list[CriterionPoint] = []
    weak: list[CriterionPoint] = []
    for theme in referential.themes:
        acc = _Acc()
        for c in theme.criteria:
            rating = ratings.get(c.urn)
            acc.add(c, rating)
            overall.add(c, rating)
            kinds.setdefault(c.kind, _Acc()).add(c, rating)
            for framework_id, tops in referential.top_levels.items():
                groups = {tops[m.ref] for m in c.mappings if m.framework == framework_id}
                for top in sorted(groups):
                    by_framework[framework_id].setdefault(top, _Acc()).add(c, rating)
            if rating is None or (rating.level is None and not rating.not_applicable):
                missing.append(c.code)
            elif rating.level is not None and not rating.not_applicable:
                point = CriterionPoint(
                    c.urn, c.code, c.name, c.theme_code, rating.level, c.max_level
                )
                ratio = rating.level / c.max_level
                if ratio >= STRENGTH_RATIO:
                    strengths.append(point)
                elif ratio <= WEAK_RATIO:
                    weak.append(point)
        themes.append(acc.result(bands, "theme", theme.code, theme.name))

    overall_score = overall.result(bands, "overall", referential.code, referential.document.name)
    frameworks = {
        framework_id: tuple(
            groups[top].result(
                bands, framework_id, top, referential.framework_item_name(framework_id, top)
            )
            for top in _ordered(referential, framework_id, groups)
        )
        for framework_id, groups in by_framework.items()
    }
    kind_scores = (
        tuple(kinds[k].result(bands, "kind", k.value, k.value) for k in CriterionKind if k in kinds)
        if CriterionKind.RESULT in kinds
        else ()
    )
    step_gain = _step_gains(referential, ratings, overall.weight)
    weak.sort(key=lambda p: (p.level / p.max_level, -referential.criteria[p.urn].weight, p.code))
    strengths.sort(key=lambda p: (-p.level / p.max_level, p.code))
    return Scores(
        overall=overall_score,
        themes=tuple(themes),
        frameworks=frameworks,
        kinds=kind_scores,
        complete=not missing,
        missing=tuple(missing),
        strengths=tuple(strengths),
        weak_points=tuple(weak),
        gaps=_gaps(referential, ratings, overall, step_gain),
        step_gain=step_gain,
    )


def _ordered(
    referential: ResolvedReferential, framework_id: str, groups: Mapping[str, _Acc]
) -> list[str]:
    order = [i.ref for i in referential.frameworks[framework_id].items]
    return sorted(groups, key=lambda ref: order.index(ref) if ref in order else len(order))


def _step_gains(
    referential: ResolvedReferential, ratings: Mapping[str, Rating], total_weight: float
) -> dict[str, float]:
    gains: dict[str, float] = {}
    for urn, c in referential.criteria.items():
        rating = ratings.get(urn)
        if rating is None or rating.not_applicable or rating.level is None or not total_weight:
            gains[urn] = 0.0
            continue
        gains[urn] = (
            0.0 if rating.level >= c.max_level else 1000 * c.weight / (c.max_level * total_weight)
        )
    return gains


def _gaps(
    referential: ResolvedReferential,
    ratings: Mapping[str, Rating],
    overall: _Acc,
    step_gain: Mapping[str, float],
) -> tuple[Gap, ...]:
    if not overall.weight:
        return ()
    raw = 1000 * overall.earned / overall.weight
    current = round_half_up(raw)
    # Candidate raises, best gain first (then lower level, then core, then code).
    candidates = sorted(
        ((urn, c) for urn, c in referential.criteria.items() if step_gain.get(urn, 0.0) > 0),
        key=lambda item: (
            -step_gain[item[0]],
            ratings[item[0]].level or 0,
            not item[1].core,
            item[1].code,
        ),
    )
    gaps: list[Gap] = []
    for band in referential.bands:
        if band.min <= current:
            continue
        needed = band.min - 0.5 - raw  # rounding half up reaches band.min from band.min - 0.5
        raises: list[Raise] = []
        gained = 0.0
        for urn, c in candidates:
            if gained >= needed:
                break
            level = ratings[urn].level or 0
            steps = min(c.max_level - level, math.ceil((needed - gained) / step_gain[urn] - 1e-9))
            gain = steps * step_gain[urn]
            gained += gain
            raises.append(Raise(urn, c.code, c.name, level, level + steps, round(gain, 1)))
        gaps.append(
            Gap(
                band=band.name,
                min_score=band.min,
                points_missing=band.min - current,
                reachable=gained >= needed,
                raises=tuple(raises),
            )
        )
    return tuple(gaps)
