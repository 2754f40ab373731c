"""The CAP RSE level rule: declarative data per referential version, applied by a pure function.

A rule file (``level_rules/*.yaml``) names the referential version it applies to, the points
bands (Initial 1-300, Progression 301-500, Confirmé 501-700, Exemplaire 701-1000), the minimum
score each ISO 26000 core subject must reach for each level, and whether an open major
nonconformity blocks the label. The computed level is the highest whose band minimum the overall
score reaches and whose core-subject minimums are all met; the committee may lower it (with a
reason), never raise it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

RULES_DIR = Path(__file__).parent / "level_rules"


class Level(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=30)
    min_score: int = Field(ge=0, le=1000)
    max_score: int = Field(ge=0, le=1000)
    core_subject_minimum: int = Field(default=0, ge=0, le=1000)
    core_subject_minimums: dict[str, int] = Field(default_factory=dict)

    def minimum_for(self, subject: str) -> int:
        return self.core_subject_minimums.get(subject, self.core_subject_minimum)


class ReferentialVersion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    version: int = Field(ge=1)


class LevelRule(BaseModel):
    """One referential version's level rule (levels listed from lowest to highest)."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    referential: ReferentialVersion
    framework: str = "iso26000"
    core_subjects: list[str] = Field(min_length=1)
    no_open_major_nc: bool = True
    levels: list[Level] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered_bands(self) -> LevelRule:
        previous = None
        for level in self.levels:
            if level.min_score > level.max_score:
                raise ValueError(f"level {level.name}: min_score above max_score")
            if previous is not None and level.min_score != previous.max_score + 1:
                raise ValueError(f"level {level.name}: bands must follow each other without gap")
            unknown = set(level.core_subject_minimums) - set(self.core_subjects)
            if unknown:
                raise ValueError(f"level {level.name}: unknown core subjects {sorted(unknown)}")
            previous = level
        return self

    def rank(self, level: str | None) -> int:
        """0 for no level, then 1 for the lowest level upwards; ValueError if unknown."""
        if level is None:
            return 0
        for i, candidate in enumerate(self.levels, start=1):
            if candidate.name == level:
                return i
        raise ValueError(level)

    @property
    def names(self) -> list[str]:
        return [level.name for level in self.levels]


@dataclass(frozen=True)
class LevelResult:
    """The computed level (None: no label) with the inputs and the reasons it is not higher."""

    level: str | None
    overall_score: int | None
    core_subjects: dict[str, int | None]
    open_major_nc: int
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "overall_score": self.overall_score,
            "core_subjects": self.core_subjects,
            "open_major_nc": self.open_major_nc,
            "reasons": self.reasons,
        }


def compute(
    rule: LevelRule,
    overall_score: int | None,
    core_subjects: dict[str, int | None],
    open_major_nc: int,
) -> LevelResult:
    """Apply ``rule`` to an evaluation's scores (core subject code -> 0-1000, None: not rated)."""
    subjects = {code: core_subjects.get(code) for code in rule.core_subjects}
    reasons: list[str] = []
    if rule.no_open_major_nc and open_major_nc > 0:
        reasons.append(f"{open_major_nc} major nonconformity(ies) still open")
        return LevelResult(None, overall_score, subjects, open_major_nc, reasons)
    if overall_score is None:
        reasons.append("no evaluated score")
        return LevelResult(None, overall_score, subjects, open_major_nc, reasons)
    reached: str | None = None
    for level in rule.levels:
        if overall_score < level.min_score:
            reasons.append(f"{level.name}: overall score {overall_score} below {level.min_score}")
            break
        short = [
            f"{code} at {score if score is not None else 'not rated'} below {level.minimum_for(code)}"
            for code, score in subjects.items()
            if score is None or score < level.minimum_for(code)
        ]
        if short:
            reasons.append(f"{level.name}: core subject " + ", ".join(short))
            break
        reached = level.name
    return LevelResult(reached, overall_score, subjects, open_major_nc, reasons)


def lowest(rule: LevelRule, levels: list[str | None]) -> str | None:
    """The lowest of several levels (a group is labelled at its weakest member's level)."""
    return min(levels, key=rule.rank) if levels else None


@cache
def rules() -> dict[tuple[str, int], LevelRule]:
    """Every shipped rule, by (referential code, version); validated once."""
    found: dict[tuple[str, int], LevelRule] = {}
    for path in sorted(RULES_DIR.glob("*.yaml")):
        rule = LevelRule.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        found[(rule.referential.code, rule.referential.version)] = rule
    return found


def rule_for(code: str, version: int) -> LevelRule | None:
    return rules().get((code, version))
